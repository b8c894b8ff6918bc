package dev.stacyvm.worker.provider.docker;

import dev.stacyvm.worker.config.WorkerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * When a sandbox last started from each image (by image id), kept in {@code image-usage} under
 * the worker's state folder ({@code id epoch-seconds} a line) so that garbage collection's
 * "unused for" survives restarts. Written at most once a minute per image.
 */
@ApplicationScoped
public class ImageUsage {

    private static final Duration RESOLUTION = Duration.ofMinutes(1);

    @Inject
    WorkerConfig config;

    private Map<String, Instant> lastUsed;

    /** Notes that a sandbox starts from (or the worker just pulled) the image with this id. */
    public synchronized void used(String imageId) {
        Instant now = Instant.now();
        Instant before = loaded().get(imageId);
        if (before == null || before.plus(RESOLUTION).isBefore(now)) {
            loaded().put(imageId, now);
            save();
        }
    }

    /** When the image was last used, or null when this worker never noted it. */
    public synchronized Instant lastUsed(String imageId) {
        return loaded().get(imageId);
    }

    /** Forgets the images the engine no longer holds. */
    public synchronized void retainOnly(java.util.Set<String> imageIds) {
        if (loaded().keySet().retainAll(imageIds)) {
            save();
        }
    }

    private Map<String, Instant> loaded() {
        if (lastUsed == null) {
            lastUsed = new LinkedHashMap<>();
            for (String line : StateFiles.read(file())) {
                String[] fields = line.split(" ");
                if (fields.length == 2 && fields[1].matches("[0-9]{1,12}")) {
                    lastUsed.put(fields[0], Instant.ofEpochSecond(Long.parseLong(fields[1])));
                }
            }
        }
        return lastUsed;
    }

    private void save() {
        List<String> lines = lastUsed.entrySet().stream()
                .map(entry -> entry.getKey() + " " + entry.getValue().getEpochSecond()).toList();
        StateFiles.write(file(), lines);
    }

    private Path file() {
        return Path.of(config.stateDir()).toAbsolutePath().resolve("image-usage");
    }
}
