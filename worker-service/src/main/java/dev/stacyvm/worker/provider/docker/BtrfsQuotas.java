package dev.stacyvm.worker.provider.docker;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The kind of quotas a btrfs filesystem keeps now, as the kernel lists it in sysfs: a folder
 * {@code /sys/fs/btrfs/<uuid>/qgroups} exists only while quotas are on, and its file {@code mode}
 * (kernel 6.7+) reads {@code qgroup} for full quotas or {@code squota} for simple ones (the
 * kernel's Documentation/ABI/testing/sysfs-fs-btrfs).
 *
 * <p>The difference decides what a container's size counts. Under full quotas a container's
 * snapshot references its image's extents, so its size counts the image too; under simple quotas
 * each extent is charged only to the subvolume that wrote it, so the size counts only what the
 * container writes. The mode is read each time because it changes under a running worker: Debian's
 * engine (20.10) turns quotas off when it stops, and its next sized create turns full ones on.
 */
public enum BtrfsQuotas {
    /** No quotas: the engine turns full ones on at its next sized create. */
    OFF,
    /** Full quotas: a subvolume counts every extent it references. */
    FULL,
    /** Simple quotas (kernel 6.7+): a subvolume counts the extents it wrote. */
    SIMPLE,
    /** Not a btrfs filesystem, or not one the kernel's sysfs lists where this process can read it. */
    UNKNOWN;

    /** Where the kernel lists each mounted btrfs filesystem, by its UUID. */
    public static final Path SYSFS = Path.of("/sys/fs/btrfs");

    /**
     * The sysfs folder of the btrfs filesystem that holds {@code path}: the one whose
     * {@code devices/} lists the block device the path is mounted from.
     *
     * @param sysfs {@link #SYSFS}, or a copy of its shape in tests
     * @param path a path on the filesystem, such as the engine's data root; this process must be able to reach it
     * @return the folder, or empty when the path is not on btrfs or no listed filesystem has its device
     */
    public static Optional<Path> filesystemOf(Path sysfs, Path path) {
        try {
            FileStore store = Files.getFileStore(path);
            if (!"btrfs".equals(store.type())) {
                return Optional.empty();
            }
            return filesystemOfDevice(sysfs, deviceName(store.name()));
        } catch (IOException | RuntimeException unreadable) {
            return Optional.empty();
        }
    }

    /** The kernel's name of a block device given as a path ({@code /dev/mapper/x} is {@code dm-0}). */
    static String deviceName(String device) {
        Path path = Path.of(device);
        try {
            path = path.toRealPath();
        } catch (IOException notResolvable) {
            // the name as the mount table gives it
        }
        Path name = path.getFileName();
        return name == null ? device : name.toString();
    }

    /** The sysfs folder of the btrfs filesystem whose {@code devices/} lists {@code deviceName}. */
    static Optional<Path> filesystemOfDevice(Path sysfs, String deviceName) throws IOException {
        try (Stream<Path> entries = Files.list(sysfs)) {
            return entries.filter(entry -> Files.exists(entry.resolve("devices").resolve(deviceName)))
                    .findFirst();
        }
    }

    /**
     * The quotas the filesystem keeps now.
     *
     * @param filesystem its sysfs folder, from {@link #filesystemOf}; empty gives {@link #UNKNOWN}
     */
    public static BtrfsQuotas of(Optional<Path> filesystem) {
        if (filesystem.isEmpty() || !Files.isDirectory(filesystem.get())) {
            return UNKNOWN;
        }
        Path qgroups = filesystem.get().resolve("qgroups");
        if (!Files.isDirectory(qgroups)) {
            return OFF;
        }
        try {
            return "squota".equals(Files.readString(qgroups.resolve("mode")).trim()) ? SIMPLE : FULL;
        } catch (IOException noModeFile) {
            // kernels before 6.7 have only full quotas, and no mode file
            return FULL;
        }
    }
}
