package dev.stacyvm.worker.provider.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SandboxUserTest {

    @Test
    void aNumericNonRootUserIsTakenAsIs() {
        assertEquals(new SandboxUser(1000, 1000), SandboxUser.parse("1000:1000"));
        assertEquals("1500:2000", SandboxUser.parse(" 1500:2000 ").spec());
    }

    @Test
    void rootOrANameNeverBecomesTheSandboxUser() {
        for (String configured : new String[] {"0:0", "0:1000", "1000:0", "root", "1000", "sandbox:sandbox", "", "-1:5"}) {
            assertThrows(IllegalStateException.class, () -> SandboxUser.parse(configured), configured);
        }
        assertThrows(IllegalStateException.class, () -> SandboxUser.parse(null));
    }

    @Test
    void theWorkspaceArchiveIsOneDirectoryOwnedByTheUser() {
        byte[] tar = HardenedContainers.directoryTar("workspace", new SandboxUser(1000, 1001));
        assertEquals(1536, tar.length);
        assertEquals("workspace/", new String(tar, 0, 10, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals('5', tar[156]);
        assertEquals("0001750", new String(tar, 108, 7, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals("0001751", new String(tar, 116, 7, java.nio.charset.StandardCharsets.US_ASCII));
        int sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : tar[i] & 0xff;
        }
        assertEquals(sum, Integer.parseInt(new String(tar, 148, 6, java.nio.charset.StandardCharsets.US_ASCII), 8),
                "the header checksum is right, or the engine refuses the archive");
    }
}
