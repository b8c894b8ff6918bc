package dev.stacyvm.worker.provider.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a btrfs filesystem's quota mode the way the kernel lays it out in sysfs. */
class BtrfsQuotasTest {

    private static final String ENGINE = "89ead060-55fc-484a-8163-1ff17a326b41";
    private static final String OTHER = "0b5e2a4c-1d2e-4f60-8a7b-9c0d1e2f3a4b";

    /** A filesystem folder with its devices, and its qgroups folder when {@code mode} is not null ("" for no mode file). */
    private static Path filesystem(Path sysfs, String uuid, String device, String mode) throws Exception {
        Path fs = Files.createDirectories(sysfs.resolve(uuid));
        Files.createDirectories(fs.resolve("devices"));
        Files.createFile(fs.resolve("devices").resolve(device));
        if (mode != null) {
            Path qgroups = Files.createDirectories(fs.resolve("qgroups"));
            if (!mode.isEmpty()) {
                Files.writeString(qgroups.resolve("mode"), mode + "\n");
            }
        }
        return fs;
    }

    @Test
    void theEnginesFilesystemIsTheOneListingItsDevice(@TempDir Path sysfs) throws Exception {
        // the kernel's own list of what it supports sits beside the filesystems
        Files.createDirectories(sysfs.resolve("features"));
        filesystem(sysfs, OTHER, "sda2", "qgroup");
        Path engine = filesystem(sysfs, ENGINE, "loop0", "squota");
        assertEquals(Optional.of(engine), BtrfsQuotas.filesystemOfDevice(sysfs, "loop0"));
        assertEquals(Optional.empty(), BtrfsQuotas.filesystemOfDevice(sysfs, "loop7"));
    }

    @Test
    void simpleQuotasAreReadAsSimpleAndFullOnesAsFull(@TempDir Path sysfs) throws Exception {
        assertEquals(BtrfsQuotas.SIMPLE, BtrfsQuotas.of(Optional.of(filesystem(sysfs, ENGINE, "loop0", "squota"))));
        assertEquals(BtrfsQuotas.FULL, BtrfsQuotas.of(Optional.of(filesystem(sysfs, OTHER, "loop1", "qgroup"))));
    }

    @Test
    void quotasTurnedOffAreOffSoTheEnginesNextSizedCreateTurnsFullOnesOn(@TempDir Path sysfs) throws Exception {
        assertEquals(BtrfsQuotas.OFF, BtrfsQuotas.of(Optional.of(filesystem(sysfs, ENGINE, "loop0", null))));
    }

    @Test
    void aKernelWithoutAModeFileHasOnlyFullQuotas(@TempDir Path sysfs) throws Exception {
        assertEquals(BtrfsQuotas.FULL, BtrfsQuotas.of(Optional.of(filesystem(sysfs, ENGINE, "loop0", ""))));
    }

    @Test
    void aFilesystemThatIsGoneOrWasNeverFoundIsUnknown(@TempDir Path sysfs) {
        assertEquals(BtrfsQuotas.UNKNOWN, BtrfsQuotas.of(Optional.empty()));
        assertEquals(BtrfsQuotas.UNKNOWN, BtrfsQuotas.of(Optional.of(sysfs.resolve(ENGINE))));
    }

    @Test
    void aPathOffBtrfsHasNoBtrfsFilesystem(@TempDir Path dir) {
        // the temporary folder is on the build host's own filesystem; on a btrfs host this proves nothing
        assumeFalse(isBtrfs(dir));
        assertEquals(Optional.empty(), BtrfsQuotas.filesystemOf(BtrfsQuotas.SYSFS, dir));
    }

    private static boolean isBtrfs(Path dir) {
        try {
            return "btrfs".equals(Files.getFileStore(dir).type());
        } catch (IOException unreadable) {
            return false;
        }
    }

    @Test
    void aDeviceNameIsTheKernelsNameOfIt() {
        assertEquals("loop0", BtrfsQuotas.deviceName("/dev/loop0"));
        assertEquals("sda2", BtrfsQuotas.deviceName("/dev/sda2"));
    }
}
