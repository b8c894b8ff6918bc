package dev.stacyvm.gateway.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Registry secrets at rest: unreadable in the database, bound to their row and to the gateway's key. */
class RegistrySecretsTest {

    private final RegistrySecrets secrets = new RegistrySecrets("a-launcher-generated-secret");

    @Test
    void aSealedSecretOpensForItsConnectionOnly() {
        byte[] sealed = secrets.seal("rc_1", "hunter2-token");
        assertFalse(new String(sealed, StandardCharsets.ISO_8859_1).contains("hunter2"), "sealed, not encoded");
        assertEquals("hunter2-token", secrets.open("rc_1", sealed));
        assertThrows(IllegalStateException.class, () -> secrets.open("rc_2", sealed),
                "a sealed secret copied onto another row does not open");
        assertThrows(IllegalStateException.class,
                () -> new RegistrySecrets("another-gateways-secret").open("rc_1", sealed));
        sealed[sealed.length - 1] ^= 1;
        assertThrows(IllegalStateException.class, () -> secrets.open("rc_1", sealed), "an altered secret is refused");
    }

    @Test
    void sealingTheSameSecretTwiceGivesDifferentBytes() {
        assertFalse(java.util.Arrays.equals(secrets.seal("rc_1", "same"), secrets.seal("rc_1", "same")));
    }
}
