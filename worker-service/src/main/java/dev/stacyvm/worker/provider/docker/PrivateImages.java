package dev.stacyvm.worker.provider.docker;

import dev.stacyvm.contract.image.ImageReference;
import dev.stacyvm.worker.config.WorkerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The repositories ({@code registry/path}) this worker pulled from with a tenant's registry
 * credential, kept in {@code private-images} under the worker's state folder so that a restart
 * forgets none. An image of such a repository, by any tag or digest, is pulled again, with the next
 * sandbox's own credential or none, before that sandbox runs it: the engine's image store is
 * shared, the registry's access rules are not (as Kubernetes' {@code AlwaysPullImages} admission
 * does for shared nodes). Repositories, not image ids: the same content may also be public under
 * another name, which stays usable by that name.
 */
@ApplicationScoped
public class PrivateImages {

    @Inject
    WorkerConfig config;

    private Set<String> ids;

    /** Whether images of this repository were pulled with a credential here. */
    public synchronized boolean isPrivate(ImageReference reference) {
        return loaded().contains(key(reference));
    }

    /** Marks the repository as pulled from with a credential, durably. */
    public synchronized void markPrivate(ImageReference reference) {
        if (loaded().add(key(reference))) {
            save();
        }
    }

    private static String key(ImageReference reference) {
        return reference.registry() + "/" + reference.repository();
    }

    private Set<String> loaded() {
        if (ids == null) {
            ids = new LinkedHashSet<>();
            Path file = file();
            try {
                if (Files.isRegularFile(file)) {
                    Files.readAllLines(file).stream().map(String::trim).filter(line -> !line.isEmpty()).forEach(ids::add);
                }
            } catch (IOException unreadable) {
                // failing closed: without the list no present image could be told private
                throw new UncheckedIOException("cannot read " + file, unreadable);
            }
        }
        return ids;
    }

    private void save() {
        Path file = file();
        try {
            Files.createDirectories(file.getParent());
            Path next = file.resolveSibling("private-images.next");
            Files.write(next, ids);
            Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException unwritable) {
            throw new UncheckedIOException("cannot write " + file, unwritable);
        }
    }

    private Path file() {
        return Path.of(config.stateDir()).toAbsolutePath().resolve("private-images");
    }
}
