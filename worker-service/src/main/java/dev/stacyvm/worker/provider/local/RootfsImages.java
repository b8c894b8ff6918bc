package dev.stacyvm.worker.provider.proot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The root filesystems PRoot sandboxes are made from: in the images folder
 * ({@code stacyvm.worker.proot.images-dir}), an image is a tar archive of its root filesystem named
 * after its reference with every character other than letters, digits, {@code .}, {@code _} and
 * {@code -} made {@code _} ({@code stacyvm/base:bookworm} is {@code stacyvm_base_bookworm.tar}),
 * with its environment, one {@code NAME=value} per line, beside it in {@code .env}. The launcher
 * exports the base image there; on a host without an engine, any root filesystem archive will do
 * ({@code debootstrap}, then {@code tar -C DIR -c .}).
 */
final class ProotImages {

    /** An image's archive and the environment its processes start with. */
    record Image(Path archive, List<String> env) {
    }

    private ProotImages() {
    }

    /** The file name an image's archive has, without {@code .tar}. */
    static String fileName(String reference) {
        return reference.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    static Optional<Image> find(Path folder, String reference) {
        String name = fileName(reference);
        Path archive = folder.resolve(name + ".tar");
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
