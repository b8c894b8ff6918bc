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
        assertEquals("runc", SandboxRequests.runtime(null, "none", "runc"));
        assertEquals("runc", SandboxRequests.runtime(" ", "bridge", "runc"));
        assertEquals("runc", SandboxRequests.runtime("runc", "bridge", "runc"));
    }

    @Test
    void gvisorIsGivenOnlyToASandboxWithoutANetwork() {
        assertEquals("runsc", SandboxRequests.runtime(" runsc ", "none", "runc"));
        ApiException refused = assertThrows(ApiException.class, () -> SandboxRequests.runtime("runsc", "bridge", "runc"));
        assertEquals(ErrorCode.BAD_REQUEST, refused.code());
        assertTrue(refused.getMessage().contains("without a network"), refused.getMessage());
    }

    @Test
    void aDeploymentsDefaultRuntimeIsWhatACreateWithoutOneGets() {
        assertEquals("runsc", SandboxRequests.runtime(null, "none", "runsc"));
        assertEquals("runc", SandboxRequests.runtime("runc", "bridge", "runsc"));
        ApiException refused = assertThrows(ApiException.class, () -> SandboxRequests.runtime(null, "bridge", "runsc"));
        assertEquals(ErrorCode.BAD_REQUEST, refused.code());
        assertTrue(refused.getMessage().contains("this deployment's default")
                && refused.getMessage().contains("ask for runtime \"runc\""), refused.getMessage());
    }

    @Test
    void anUnknownRuntimeIsABadRequestNamingTheKnownOnes() {
        ApiException refused = assertThrows(ApiException.class, () -> SandboxRequests.runtime("kata", "none", "runc"));
        assertEquals(ErrorCode.BAD_REQUEST, refused.code());
        assertTrue(refused.getMessage().contains("[runc, runsc]"), refused.getMessage());
    }
}
