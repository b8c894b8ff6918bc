package dev.stacyvm.worker.provider.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A reference never makes the engine ask the host, a private network or the metadata service. */
class RegistryAddressesTest {

    @Test
    void privateLinkLocalAndHostAddressesAreRefusedUnlessTheOperatorListsThem() {
        // literal addresses: nothing is resolved over the network and nothing is contacted
        assertEquals("169.254.169.254", RegistryAddresses.refusedAddress("169.254.169.254", List.of()));
        assertEquals("127.0.0.2", RegistryAddresses.refusedAddress("127.0.0.2:5000", List.of("127.0.0.1")));
        assertEquals("10.1.2.3", RegistryAddresses.refusedAddress("10.1.2.3:443", List.of()));
        assertEquals("100.64.0.1", RegistryAddresses.refusedAddress("100.64.0.1", List.of()));
        assertNull(RegistryAddresses.refusedAddress("127.0.0.1:7550", List.of("127.0.0.1")), "a listed host, any port");
        assertNull(RegistryAddresses.refusedAddress("10.1.2.3:5000", List.of("10.1.2.3:5000")), "a listed host:port");
        assertEquals("10.1.2.3", RegistryAddresses.refusedAddress("10.1.2.3:5001", List.of("10.1.2.3:5000")));
        assertNull(RegistryAddresses.refusedAddress("203.0.113.9:5000", List.of()), "a public address may be asked");
    }

    @Test
    void theAddressClassesFollowTheEgressRulesRefusedRanges() throws Exception {
        for (String refused : List.of("127.0.0.1", "::1", "10.0.0.1", "172.16.0.1", "192.168.1.1", "169.254.1.1",
                "fe80::1", "fd00::1", "0.0.0.0", "224.0.0.1", "100.127.255.255", "198.18.0.1", "240.0.0.1")) {
            assertTrue(RegistryAddresses.isPrivate(InetAddress.getByName(refused)), refused);
        }
        for (String allowed : List.of("203.0.113.9", "8.8.8.8", "2001:db8::1", "100.128.0.1")) {
            assertFalse(RegistryAddresses.isPrivate(InetAddress.getByName(allowed)), allowed);
        }
    }

    @Test
    void aRegistrysHostIsReadWithoutItsPort() {
        assertEquals("registry.example", RegistryAddresses.hostOf("Registry.Example:5000"));
        assertEquals("[::1]", RegistryAddresses.hostOf("[::1]:5000"));
        assertEquals("localhost", RegistryAddresses.hostOf("localhost"));
    }
}
