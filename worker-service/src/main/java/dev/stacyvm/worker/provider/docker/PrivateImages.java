package dev.stacyvm.worker.provider.docker;

import dev.stacyvm.contract.image.ImageReference;
import dev.stacyvm.worker.config.WorkerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
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
            // failing closed: an unreadable list throws, so no present image is taken for public
            ids = new LinkedHashSet<>(StateFiles.read(file()));
        }
        return ids;
    }

    private void save() {
        StateFiles.write(file(), ids);
    }

    private Path file() {
        return Path.of(config.stateDir()).toAbsolutePath().resolve("private-images");
    }
}
