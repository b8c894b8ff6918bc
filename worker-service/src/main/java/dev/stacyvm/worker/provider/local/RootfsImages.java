package dev.stacyvm.worker.provider.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The root filesystems local sandboxes are made from (PRoot's archives, a microVM's disks): in an
 * images folder ({@code stacyvm.worker.proot.images-dir}, {@code stacyvm.worker.microvm.images-dir}),
 * an image is a file (a tar archive of its root filesystem, an ext4 disk made from one) named
 * after its reference with every character other than letters, digits, {@code .}, {@code _} and
 * {@code -} made {@code _} ({@code stacyvm/base:bookworm} is {@code stacyvm_base_bookworm.tar}, {@code .ext4}),
 * with its environment, one {@code NAME=value} per line, beside it in {@code .env}. The launcher
 * exports the base image there; on a host without an engine, any root filesystem archive will do
 * ({@code debootstrap}, then {@code tar -C DIR -c .}).
 */
public final class RootfsImages {

    /** An image's file and the environment its processes start with. */
    public record Image(Path file, List<String> env) {
    }

    private RootfsImages() {
    }

    /** The file name an image's file has, without its suffix. */
    public static String fileName(String reference) {
        return reference.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    /** Image {@code reference}'s file with {@code suffix} ({@code .tar}, {@code .ext4}) in {@code folder}, and its environment. */
    public static Optional<Image> find(Path folder, String reference, String suffix) {
        String name = fileName(reference);
        Path archive = folder.resolve(name + suffix);
        if (name.startsWith(".") || !Files.isRegularFile(archive)) {
            return Optional.empty();
        }
        Path envFile = folder.resolve(name + ".env");
        List<String> env = List.of();
        try {
            if (Files.isRegularFile(envFile)) {
                env = Files.readAllLines(envFile).stream().map(String::strip)
                        .filter(line -> !line.isEmpty() && !line.startsWith("#") && line.indexOf('=') > 0).toList();
            }
        } catch (IOException e) {
            // an unreadable environment is none
        }
        return Optional.of(new Image(archive, env));
    }
}
