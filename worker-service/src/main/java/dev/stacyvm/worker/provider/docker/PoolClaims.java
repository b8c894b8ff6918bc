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
 * sandbox's container, and {@link #bySandbox} lets the runtime listing count it.
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
    /**
     * Sandbox id to the id of the container claimed for it in this run, renamed or not, until the
     * sandbox is destroyed: a create retried after the rename gets the same container, and the
     * runtime listing never misses a container whose rename it saw half done.
     */
    private final Map<String, String> claimed = new ConcurrentHashMap<>();
    /** Sandboxes whose rename is scheduled now; guarded by {@code this}. */
    private final java.util.Set<String> renaming = new java.util.HashSet<>();
    private final ScheduledExecutorService renamer =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("pool-claims").daemon().factory());

    /** How the engine is to be asked for the sandbox's container: its id while a claim is pending, else its name. */
    public String ref(String sandboxId) {
        String containerId = pending.get(sandboxId);
        return containerId != null ? containerId : DockerSandboxProvider.containerName(sandboxId);
    }

    /** The container claimed for the sandbox in this run (its rename pending or done), if any. */
    Optional<String> claimedContainer(String sandboxId) {
        return Optional.ofNullable(claimed.get(sandboxId));
    }

    /** Container id to sandbox id for every claim of this run and every pending one; a copy. */
    Map<String, String> bySandbox() {
        Map<String, String> byContainer = new HashMap<>();
        claimed.forEach((sandboxId, containerId) -> byContainer.put(containerId, sandboxId));
        pending.forEach((sandboxId, containerId) -> byContainer.put(containerId, sandboxId));
        return byContainer;
    }

    /**
     * Gives {@code containerId} to the sandbox (written to the claims file before this returns) and
     * renames it in the background; a sandbox that already has a claimed container keeps it.
     *
     * @return the sandbox's container: {@code containerId}, or the one claimed for it before
     * @throws java.io.UncheckedIOException when the claim cannot be written; then nothing is claimed
     */
    String claim(String sandboxId, String containerId) {
        synchronized (this) {
            String earlier = claimed.putIfAbsent(sandboxId, containerId);
            if (earlier != null) {
                return earlier;
            }
            pending.put(sandboxId, containerId);
            try {
                save();
            } catch (RuntimeException unwritable) {
                pending.remove(sandboxId, containerId);
                claimed.remove(sandboxId, containerId);
                throw unwritable;
            }
            renaming.add(sandboxId);
        }
        schedule(sandboxId, containerId, 0, 1);
        return containerId;
    }

    /** Forgets the sandbox's claim: its container is being removed. */
    void forget(String sandboxId) {
        synchronized (this) {
            claimed.remove(sandboxId);
            if (pending.remove(sandboxId) != null) {
                save();
            }
        }
    }

    /**
     * Schedules again the renames that gave up (the engine failed five times), so no claimed
     * container keeps a pool's name for long; the pool's periodic check calls it.
     */
    void retry() {
        List<Map.Entry<String, String>> stalled = new ArrayList<>();
        synchronized (this) {
            for (Map.Entry<String, String> claim : pending.entrySet()) {
                if (renaming.add(claim.getKey())) {
                    stalled.add(Map.entry(claim.getKey(), claim.getValue()));
                }
            }
        }
        stalled.forEach(claim -> schedule(claim.getKey(), claim.getValue(), 0, 1));
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
        boolean done = !containerId.equals(pending.get(sandboxId)) // destroyed meanwhile
                || rename(sandboxId, containerId);
        if (!done && attempt < RENAME_ATTEMPTS) {
            schedule(sandboxId, containerId, RETRY_MILLIS, attempt + 1);
            return;
        }
        synchronized (this) {
            renaming.remove(sandboxId);
            if (done && pending.remove(sandboxId, containerId)) {
                save();
            }
        }
        // a rename that gave up leaves the container found by its id; retry() schedules it again
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
            if (named(containerId, name)) {
                return true;
            }
            // a container of that name was made for the sandbox before this worker's last start (a
            // create retried across a restart): it is the sandbox's, so the one claimed now goes
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
            if (named(containerId, name)) {
                return true; // renamed before the worker could note it (it stopped in between)
            }
            Log.warnf("could not rename the container of sandbox %s (%s): %s", sandboxId, containerId,
                    HardenedContainers.firstLine(failed.getMessage()));
            return false;
        }
    }

    private boolean named(String containerId, String name) {
        try {
            return ("/" + name).equals(docker.inspectContainerCmd(containerId).exec().getName());
        } catch (RuntimeException unknown) {
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
