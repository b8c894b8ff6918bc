package dev.stacyvm.gateway.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.ErrorCode;
import org.junit.jupiter.api.Test;

/** The runtime a create names (docs/providers.md): runc by default, runsc without a network, nothing else. */
class SandboxRuntimesTest {

    @Test
    void aCreateThatNamesNoRuntimeGetsRunc() {
        assertEquals("runc", SandboxRequests.runtime(null, "none"));
        assertEquals("runc", SandboxRequests.runtime(" ", "bridge"));
        assertEquals("runc", SandboxRequests.runtime("runc", "bridge"));
    }

    @Test
    void gvisorIsGivenOnlyToASandboxWithoutANetwork() {
        assertEquals("runsc", SandboxRequests.runtime(" runsc ", "none"));
        ApiException refused = assertThrows(ApiException.class, () -> SandboxRequests.runtime("runsc", "bridge"));
        assertEquals(ErrorCode.BAD_REQUEST, refused.code());
        assertTrue(refused.getMessage().contains("without a network"), refused.getMessage());
    }

    @Test
    void anUnknownRuntimeIsABadRequestNamingTheKnownOnes() {
        ApiException refused = assertThrows(ApiException.class, () -> SandboxRequests.runtime("kata", "none"));
        assertEquals(ErrorCode.BAD_REQUEST, refused.code());
        assertTrue(refused.getMessage().contains("[runc, runsc]"), refused.getMessage());
    }
}
