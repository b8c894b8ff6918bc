package dev.stacyvm.worker.provider.docker;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stacyvm.contract.api.NetworkPolicy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EgressRulesTest {

    private static final Map<String, List<String>> RESOLVED = Map.of("pypi.org", List.of("203.0.113.10"));

    @Test
    void privateLinkLocalHostAndSandboxAddressesAreRefusedBeforeAnyAllowEntry() {
        String rules = EgressRules.ipv4(new NetworkPolicy("allow", List.of("10.1.2.3/32"), List.of()), RESOLVED,
                List.of("172.18.0.0/16", "192.0.2.44"), List.of());
        int allow = rules.indexOf("-A OUTPUT -d 10.1.2.3/32 -j ACCEPT");
        for (String refused : List.of("10.0.0.0/8", "169.254.0.0/16", "100.64.0.0/10", "172.16.0.0/12",
                "192.168.0.0/16", "127.0.0.0/8", "172.18.0.0/16", "192.0.2.44/32")) {
            int at = rules.indexOf("-A OUTPUT -d " + refused + " -j STACYVM-REFUSE");
            assertTrue(at > 0 && at < allow, refused + " is refused before the allow list:\n" + rules);
        }
    }

    @Test
    void defaultDenyRefusesDockerDnsAndEverythingUnlisted() {
        String rules = EgressRules.ipv4(new NetworkPolicy("deny", List.of("pypi.org"), List.of()), RESOLVED, List.of(),
                List.of("10.255.255.53"));
        assertTrue(rules.indexOf("-d 127.0.0.11/32 -j STACYVM-REFUSE") < rules.indexOf("-o lo -j ACCEPT"));
        assertTrue(rules.contains("-A OUTPUT -d 203.0.113.10/32 -j ACCEPT"), rules);
        assertTrue(rules.endsWith("-A OUTPUT -j STACYVM-REFUSE\nCOMMIT\n"), rules);
        assertTrue(EgressRules.hostsPins(new NetworkPolicy("deny", List.of("pypi.org"), List.of()), RESOLVED)
                .contains("203.0.113.10 pypi.org" + EgressRules.PIN_MARK));
    }

    @Test
    void theDenyListWinsOverTheAllowListAndOpenEgressKeepsItsNameServersButNeverDockersDns() {
        String rules = EgressRules.ipv4(new NetworkPolicy("allow", List.of("203.0.113.0/24"), List.of("pypi.org")),
                RESOLVED, List.of(), List.of("10.255.255.53"));
        assertTrue(rules.indexOf("-d 203.0.113.10/32 -j STACYVM-REFUSE") < rules.indexOf("-d 203.0.113.0/24 -j ACCEPT"));
        // Docker's embedded DNS names every sandbox on the network: refused before loopback passes
        assertTrue(rules.indexOf("-d 127.0.0.11/32 -j STACYVM-REFUSE") < rules.indexOf("-o lo -j ACCEPT"), rules);
        for (String protocol : List.of("udp", "tcp")) {
            assertTrue(rules.indexOf("-d 10.255.255.53/32 -p " + protocol + " --dport 53 -j ACCEPT")
                    < rules.indexOf("-d 10.0.0.0/8 -j STACYVM-REFUSE"), "the name server, before private ranges:\n" + rules);
        }
        assertTrue(rules.endsWith("-A OUTPUT -j ACCEPT\nCOMMIT\n"));
        assertTrue(EgressRules.ipv6().contains("-A OUTPUT -j REJECT"));
    }

    @Test
    void theHostFencePassesOnlyRepliesFromTheSandboxBridge() {
        for (boolean ipv6 : List.of(false, true)) {
            String rules = EgressRules.hostInput(ipv6);
            String chain = EgressRules.HOST_INPUT_CHAIN;
            assertTrue(rules.startsWith("*filter\n:" + chain + " - [0:0]\n"), "declared, so a reload replaces it:\n" + rules);
            int replies = rules.indexOf("-A " + chain + " -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN");
            int refuse = rules.indexOf("-A " + chain + " -p tcp -j REJECT");
            assertTrue(replies > 0 && replies < refuse, rules);
            assertTrue(rules.endsWith("-j REJECT --reject-with " + (ipv6 ? "icmp6-adm-prohibited" : "icmp-admin-prohibited")
                    + "\nCOMMIT\n"), "everything else is refused:\n" + rules);
            assertFalse(rules.contains("ACCEPT"), rules);
        }
    }

    @Test
    void openEgressReachesTheHostsResolversOnPort53AloneAndDefaultDenyNever() {
        String open = EgressRules.ipv4(NetworkPolicy.OPEN, Map.of(), List.of(), List.of("10.255.255.53", "not-an-ip"));
        int dns = open.indexOf("-A OUTPUT -d 10.255.255.53/32 -p udp --dport 53 -j ACCEPT");
        assertTrue(dns > 0 && dns < open.indexOf("-A OUTPUT -d 10.0.0.0/8 -j STACYVM-REFUSE"),
                "the resolver's DNS passes before private ranges are refused:\n" + open);
        assertTrue(open.contains("-A OUTPUT -d 10.255.255.53/32 -p tcp --dport 53 -j ACCEPT"));
        assertFalse(open.contains("10.255.255.53/32 -j ACCEPT"), "nothing but port 53 opens to it");
        String closed = EgressRules.ipv4(new NetworkPolicy("deny", List.of(), List.of()), Map.of(), List.of(),
                List.of("10.255.255.53"));
        assertFalse(closed.contains("10.255.255.53"), "default deny opens no DNS:\n" + closed);
    }

    @Test
    void resolversAreTheIpv4NameserversOfAResolvConf(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path file = dir.resolve("resolv.conf");
        java.nio.file.Files.writeString(file, "# generated\nnameserver 10.255.255.53\nnameserver fe80::1\n"
                + "  nameserver   192.0.2.53  \nsearch example\nnameserver 127.0.0.53\n");
        assertTrue(NetworkFence.nameservers(file).equals(List.of("10.255.255.53", "192.0.2.53", "127.0.0.53")),
                NetworkFence.nameservers(file).toString());
        assertTrue(NetworkFence.nameservers(dir.resolve("missing")).isEmpty());
    }
}
