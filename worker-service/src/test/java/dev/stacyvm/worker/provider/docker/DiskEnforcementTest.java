package dev.stacyvm.worker.provider.docker;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskEnforcementTest {

    private static final String FIRST = "89ead060-55fc-484a-8163-1ff17a326b41";
    private static final String SECOND = "0b5e2a4c-1d2e-4f60-8a7b-9c0d1e2f3a4b";

    private static void filesystem(Path sysfs, String uuid, boolean simpleQuota) throws Exception {
        Path features = Files.createDirectories(sysfs.resolve(uuid).resolve("features"));
        Files.createFile(features.resolve("no_holes"));
        if (simpleQuota) {
            Files.createFile(features.resolve("simple_quota"));
        }
    }

    @Test
    void aHostWhoseBtrfsHasSimpleQuotasChargesContainersOnlyWhatTheyWrite(@TempDir Path sysfs) throws Exception {
        // the kernel's own list of what it supports is not a filesystem
        Files.createDirectories(sysfs.resolve("features"));
        Files.createFile(sysfs.resolve("features").resolve("simple_quota"));
        filesystem(sysfs, FIRST, true);
        assertTrue(DiskEnforcement.simpleQuotas(sysfs));
    }

    @Test
    void anyBtrfsWithFullQuotasMeansTheImageIsCounted(@TempDir Path sysfs) throws Exception {
        Files.createDirectories(sysfs.resolve("features"));
        Files.createFile(sysfs.resolve("features").resolve("simple_quota"));
        filesystem(sysfs, FIRST, true);
        filesystem(sysfs, SECOND, false);
        assertFalse(DiskEnforcement.simpleQuotas(sysfs), "the engine's may be the one with full quotas");
    }

    @Test
    void noBtrfsAtAllIsNotSimpleQuotas(@TempDir Path sysfs) throws Exception {
        Files.createDirectories(sysfs.resolve("features"));
        assertFalse(DiskEnforcement.simpleQuotas(sysfs));
        assertFalse(DiskEnforcement.simpleQuotas(sysfs.resolve("missing")));
    }
}
