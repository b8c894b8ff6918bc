package dev.stacyvm.worker.provider.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import io.quarkus.logging.Log;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Folders the worker keeps per container in its state folder, each named by a random id that the
 * container's label records ({@link ResolutionFiles}, {@link SandboxAgents}): what both sweep when
 * their containers are gone.
 */
final class ContainerFolders {

    /** A folder younger than this is never swept: its container may still be on its way to the engine. */
    static final Duration SWEEP_MIN_AGE = Duration.ofMinutes(10);

    private ContainerFolders() {
    }

    /**
     * Discards the folders under {@code root} whose id no container on the engine names in
     * {@code label} any more (containers removed behind the worker's back, or while it was down),
     * unless younger than {@link #SWEEP_MIN_AGE}. An engine that does not answer sweeps nothing.
     *
     * @param ids     what a folder's name must match to be one of these folders
     * @param discard deletes one folder by its id
     * @return how many were discarded
     */
    static int sweep(DockerClient docker, String label, Path root, Pattern ids, Consumer<String> discard) {
        if (!Files.isDirectory(root)) {
            return 0;
        }
        Set<String> named = new HashSet<>();
        try {
            for (Container container : docker.listContainersCmd().withShowAll(true).withLabelFilter(List.of(label)).exec()) {
                if (container.getLabels() != null && container.getLabels().get(label) != null) {
                    named.add(container.getLabels().get(label));
                }
            }
        } catch (RuntimeException engineDown) {
            Log.debugf("%s not swept: %s", root, engineDown.getMessage());
            return 0;
        }
        Instant cutoff = Instant.now().minus(SWEEP_MIN_AGE);
        int swept = 0;
        try (DirectoryStream<Path> folders = Files.newDirectoryStream(root)) {
            for (Path folder : folders) {
                String id = folder.getFileName().toString();
                if (ids.matcher(id).matches() && !named.contains(id)
                        && Files.getLastModifiedTime(folder).toInstant().isBefore(cutoff)) {
                    discard.accept(id);
                    swept++;
                }
            }
        } catch (IOException e) {
            Log.warnf("could not sweep %s: %s", root, e.getMessage());
        }
        return swept;
    }
}
