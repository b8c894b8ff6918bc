package dev.stacyvm.contract.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class NetworkPolicyTest {

    @Test
    void entriesAreWrittenCanonically() {
        NetworkPolicy policy = new NetworkPolicy("deny", List.of("203.0.113.7", "198.51.100.9/24", "PyPI.org."),
                List.of("203.0.113.7/32", "203.0.113.7")).validated();
        assertEquals(List.of("203.0.113.7/32", "198.51.100.0/24", "pypi.org"), policy.allow());
        assertEquals(List.of("203.0.113.7/32"), policy.deny());
    }

    @Test
    void badEntriesAreRefusedWithTheirOwnCode() {
        for (String bad : List.of("300.1.1.1", "10.0.0.0/33", "*.example.com", "localhost", "fe80::1", "01.2.3.4", " ")) {
            ApiException refused = assertThrows(ApiException.class,
                    () -> new NetworkPolicy(null, List.of(bad), List.of()).validated(), bad);
            assertEquals(ErrorCode.INVALID_NETWORK_POLICY, refused.code(), bad);
        }
        ApiException badDefault = assertThrows(ApiException.class,
                () -> new NetworkPolicy("open", List.of(), List.of()).validated());
        assertEquals(ErrorCode.INVALID_NETWORK_POLICY, badDefault.code());
    }

    @Test
    void aDefaultDenyTenantBoundsWhatItsSandboxesMayAllow() {
        NetworkPolicy tenant = new NetworkPolicy("deny", List.of("203.0.113.0/24", "pypi.org"), List.of("203.0.113.66/32"));
        NetworkPolicy inside = NetworkPolicy.bounded(new NetworkPolicy(null, List.of("203.0.113.8/32", "pypi.org"),
                List.of("198.51.100.1/32")), tenant);
        assertEquals("deny", inside.defaultEgress());
        assertEquals(List.of("203.0.113.66/32", "198.51.100.1/32"), inside.deny());
        assertEquals(ErrorCode.NETWORK_POLICY_NOT_ALLOWED, assertThrows(ApiException.class, () -> NetworkPolicy.bounded(
                new NetworkPolicy("deny", List.of("198.51.100.0/24"), List.of()), tenant)).code());
        assertEquals(ErrorCode.NETWORK_POLICY_NOT_ALLOWED, assertThrows(ApiException.class, () -> NetworkPolicy.bounded(
                new NetworkPolicy("allow", List.of(), List.of()), tenant)).code());
        assertEquals(tenant.allow(), NetworkPolicy.bounded(null, tenant).allow());
        assertTrue(NetworkPolicy.bounded(null, tenant).defaultDeny());
    }

    @Test
    void anOpenTenantStillAddsItsDenyList() {
        NetworkPolicy tenant = new NetworkPolicy("allow", List.of(), List.of("198.51.100.0/24"));
        NetworkPolicy effective = NetworkPolicy.bounded(new NetworkPolicy(null, List.of("203.0.113.0/24"), List.of()), tenant);
        assertEquals("allow", effective.defaultEgress());
        assertEquals(List.of("198.51.100.0/24"), effective.deny());
        assertEquals(NetworkPolicy.OPEN, NetworkPolicy.bounded(null, null));
    }

    @Test
    void aTighterTenantPolicyNarrowsARunningSandboxAndNeverWidensIt() {
        NetworkPolicy tenant = new NetworkPolicy("deny", List.of("203.0.113.0/24", "pypi.org"), List.of("203.0.113.66/32"));
        assertEquals(new NetworkPolicy("deny", List.of("203.0.113.0/24", "pypi.org"), List.of("203.0.113.66/32")),
                NetworkPolicy.narrowed(null, tenant), "an open sandbox keeps only what the tenant allows");
        NetworkPolicy listed = new NetworkPolicy("deny", List.of("203.0.113.8/32", "198.51.100.1/32"), List.of("10.9.9.9/32"));
        assertEquals(new NetworkPolicy("deny", List.of("203.0.113.8/32"), List.of("203.0.113.66/32", "10.9.9.9/32")),
                NetworkPolicy.narrowed(listed, tenant), "an entry the tenant does not allow is dropped");
        NetworkPolicy openTenant = new NetworkPolicy("allow", List.of("192.0.2.0/24"), List.of("198.51.100.0/24"));
        assertEquals(new NetworkPolicy("deny", listed.allow(), List.of("198.51.100.0/24", "10.9.9.9/32")),
                NetworkPolicy.narrowed(listed, openTenant), "an open tenant only adds its deny list, opening nothing");
        assertEquals(listed, NetworkPolicy.narrowed(listed, null));
    }
}
