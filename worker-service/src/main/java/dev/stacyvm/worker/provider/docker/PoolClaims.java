package dev.stacyvm.worker.provider.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.stacyvm.worker.config.WorkerConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Warm-pool containers claimed for a sandbox and not yet renamed to the sandbox's name
 * ({@link DockerSandboxProvider#containerName}). The engine's rename costs 10-20 ms on a small host,
 * a third of a warm create, so a claim answers the create at once and renames in the background;
 * until the rename is done, {@link #ref} gives the container's id wherever the worker addresses the
 * sandbox's container, and {@link #pendingBySandbox} lets the runtime listing count it.
 *
 * <p>A claimed container still carries the pool's name and label, and a pool adopts such containers
 * when its worker starts: one a sandbox has used must never go back into a pool. So every claim is
 * written to {@code <state-dir>/pool-claims} ({@code sandbox-id container-id} a line) before the
 * create is answered, and {@link #replay} renames what a worker that stopped left behind, before its
 * pool looks at the engine. The file is not synced: it guards against the worker process dying; a
 * host that goes down takes the containers with it (they have no restart policy), and a stopped
 * container is never adopted.
 */
@ApplicationScoped
public class PoolClaims {

    static final String FILE = "pool-claims";
    private static final Pattern LINE = Pattern.compile("(sb-[a-z0-9]{8,64}) ([0-9a-f]{12,64})");
    private static final int RENAME_ATTEMPTS = 5;
    private static final long RETRY_MILLIS = 1000;

    @Inject
    DockerClient docker;

    @Inject
    WorkerConfig config;

    /** Sandbox id to the id of its claimed, not yet renamed container. */
    private final Map<String, String> pending = new ConcurrentHashMap<>();
    private final ScheduledExecutorService renamer =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("pool-claims").daemon().factory());

    /** How the engine is to be asked for the sandbox's container: its id while a claim is pending, else its name. */
    public String ref(String sandboxId) {
        String containerId = pending.get(sandboxId);
        return containerId != null ? containerId : DockerSandboxProvider.containerName(sandboxId);
    }

    /** The container claimed for the sandbox whose rename is still pending, if any. */
    Optional<String> pendingContainer(String sandboxId) {
        return Optional.ofNullable(pending.get(sandboxId));
    }

    /** Container id to sandbox id for every pending claim; a copy. */
    Map<String, String> pendingBySandbox() {
        Map<String, String> byContainer = new HashMap<>();
        pending.forEach((sandboxId, containerId) -> byContainer.put(containerId, sandboxId));
        return byContainer;
    }

    /**
     * Records that {@code containerId} now is the sandbox's (written to the claims file before this
     * returns) and renames it in the background.
     *
     * @throws java.io.UncheckedIOException when the claim cannot be written; then nothing is claimed
     */
    void claim(String sandboxId, String containerId) {
        synchronized (this) {
            pending.put(sandboxId, containerId);
            try {
                save();
            } catch (RuntimeException unwritable) {
                pending.remove(sandboxId, containerId);
                throw unwritable;
            }
        }
        schedule(sandboxId, containerId, 0, 1);
    }

    /** Forgets the sandbox's pending claim: its container is being removed. */
    void forget(String sandboxId) {
        synchronized (this) {
            if (pending.remove(sandboxId) != null) {
                save();
            }
        }
    }

    /**
     * Renames every container the claims file names that still exists, then empties the file; runs
     * at start, before the pool adopts anything. A rename that fails leaves the claim in the file and
     * in {@link #pending}, so the container stays the sandbox's (found by id) and out of every pool.
     */
    synchronized void replay() {
        for (String line : StateFiles.read(file())) {
            java.util.regex.Matcher claim = LINE.matcher(line);
            if (claim.matches()) {
                pending.put(claim.group(1), claim.group(2));
            }
        }
        for (Map.Entry<String, String> claim : List.copyOf(pending.entrySet())) {
            if (rename(claim.getKey(), claim.getValue())) {
                pending.remove(claim.getKey(), claim.getValue());
            }
        }
        save();
    }

    void stop(@Observes ShutdownEvent stopping) {
        // a rename not done is in the file: the next start does it
        renamer.shutdownNow();
    }

    private void schedule(String sandboxId, String containerId, long delayMillis, int attempt) {
        try {
            renamer.schedule(() -> renameLater(sandboxId, containerId, attempt), delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            // the worker is stopping: the claim is in the file, and its next start renames it
        }
    }

    private void renameLater(String sandboxId, String containerId, int attempt) {
        if (!containerId.equals(pending.get(sandboxId))) {
            return; // destroyed meanwhile
        }
        if (rename(sandboxId, containerId)) {
            synchronized (this) {
                if (pending.remove(sandboxId, containerId)) {
                    save();
                }
            }
        } else if (attempt < RENAME_ATTEMPTS) {
            schedule(sandboxId, containerId, RETRY_MILLIS, attempt + 1);
        }
        // after the last attempt the container stays found by its id; the next start tries again
    }

    /** Whether the container now carries the sandbox's name, or is gone; false when the engine failed. */
    private boolean rename(String sandboxId, String containerId) {
        String name = DockerSandboxProvider.containerName(sandboxId);
        try {
            docker.renameContainerCmd(containerId).withName(name).exec();
            return true;
        } catch (NotFoundException gone) {
            return true; // destroyed meanwhile: nothing is left to name
        } catch (ConflictException taken) {
            // an earlier create of the same sandbox (a retry) made a container of that name: it is
            // the sandbox's, and this one is nobody's; it holds nothing a sandbox ran yet
            Log.warnf("sandbox %s already has a container named %s; removing the one claimed for it (%s)", sandboxId,
                    name, containerId);
            try {
                docker.removeContainerCmd(containerId).withForce(true).withRemoveVolumes(true).exec();
                return true;
            } catch (NotFoundException gone) {
                return true;
            } catch (RuntimeException failed) {
                Log.warnf("could not remove %s: %s", containerId, HardenedContainers.firstLine(failed.getMessage()));
                return false;
            }
        } catch (RuntimeException failed) {
            Log.warnf("could not rename the container of sandbox %s (%s): %s", sandboxId, containerId,
                    HardenedContainers.firstLine(failed.getMessage()));
            return false;
        }
    }

    private void save() {
        List<String> lines = new ArrayList<>();
        pending.forEach((sandboxId, containerId) -> lines.add(sandboxId + " " + containerId));
        StateFiles.write(file(), lines);
    }

    private Path file() {
        return Path.of(config.stateDir()).resolve(FILE);
    }
}
