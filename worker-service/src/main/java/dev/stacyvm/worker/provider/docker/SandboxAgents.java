package dev.stacyvm.worker.provider.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Volume;
import dev.stacyvm.worker.config.WorkerConfig;
import dev.stacyvm.worker.error.ProviderFailureException;
import dev.stacyvm.worker.provider.agent.AgentClient;
import dev.stacyvm.worker.provider.agent.AgentProcess;
import dev.stacyvm.worker.provider.agent.AgentSpawn;
import dev.stacyvm.worker.provider.agent.AgentUnavailableException;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Each sandbox's link to the agent serving inside it (docs/agent-protocol.md, "Transport"): a
 * folder per container in the worker's state folder, named by a random id recorded in the
 * container's {@link #LABEL} (labels survive the warm pool's rename), holding the sandbox's token
 * (only the worker reads it) and {@code run/}, bind-mounted at {@link #RUN_DIR}, where the agent
 * reads its copy of the token and makes its socket.
 *
 * <p>{@code run/} is writable by the sandbox's user only until the agent has made its socket:
 * {@link #awaitReady} then makes it read-only to everyone but the worker, so a sandbox can neither
 * replace the socket nor fill the host's disk through the mount. That happens before the create
 * answers, so before any code of the sandbox's owner runs. Build sandboxes, whose root may override
 * file permissions, get no socket and run everything through the engine.
 */
@ApplicationScoped
public class SandboxAgents {

    /** The container label naming its agent folder. */
    static final String LABEL = "dev.stacyvm.agent";
    /** Where the sandbox sees its {@code run/} folder. */
    static final String RUN_DIR = "/.stacyvm/run";
    private static final String SOCKET = "agent.sock";
    private static final String TOKEN_FILE = "agent.token";
    private static final Pattern ID = Pattern.compile("[0-9a-f]{32}");
    /** How long connecting and the handshake may take before the engine runs the operation instead. */
    private static final Duration HANDSHAKE = Duration.ofSeconds(2);
    /** After an agent failed to answer, its sandbox's operations go to the engine this long before it is tried again. */
    private static final Duration RETRY_AFTER = Duration.ofSeconds(10);

    @Inject
    PoolClaims claims;

    @Inject
    DockerClient docker;

    @Inject
    WorkerConfig config;

    /** Sandbox id to its link; {@link Link#NONE} for a sandbox without one. */
    private final Map<String, Link> links = new ConcurrentHashMap<>();

    /** Where a sandbox's agent listens and the token it proves itself with; {@code failedAt} in nanos, 0 if never. */
    record Link(Path socket, String token, long failedAt) {
        static final Link NONE = new Link(null, null, 0);

        boolean usable() {
            return socket != null && (failedAt == 0 || System.nanoTime() - failedAt > RETRY_AFTER.toNanos());
        }
    }

    private Path root() {
        return Path.of(config.stateDir()).toAbsolutePath().resolve("agents");
    }

    /**
     * Makes a container's agent folder with a fresh token, unless the agent socket is turned off or
     * the container is a build's.
     *
     * @return the folder's id, for {@link #binds}, {@link #command} and the container's {@link #LABEL}; empty for none
     * @throws ProviderFailureException when the worker's state folder cannot be written
     */
    Optional<String> prepare(ContainerShape shape) {
        if (!config.agentSocket() || shape.builder()) {
            return Optional.empty();
        }
        String id = UUID.randomUUID().toString().replace("-", "");
        Path folder = root().resolve(id);
        try {
            Files.createDirectories(root(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.createDirectory(folder, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            String token = AgentClient.newToken();
            write(folder.resolve("token"), token + "\n", "rw-------");
            Path run = Files.createDirectory(folder.resolve("run"));
            // the sandbox's user (another uid) makes its socket here; closed again in awaitReady
            Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxrwxrwx"));
            write(run.resolve(TOKEN_FILE), token + "\n", "rw-r--r--");
        } catch (IOException e) {
            Log.errorf("could not make a sandbox's agent folder under %s: %s", root(), e.getMessage());
            discard(id);
            throw new ProviderFailureException("the worker could not prepare the sandbox's agent");
        }
        return Optional.of(id);
    }

    /** The container's main process: the agent serving on its socket, or only keeping the sandbox alive. */
    static List<String> command(Optional<String> id) {
        if (id.isEmpty()) {
            return List.of(HardenedContainers.AGENT_PATH, "wait");
        }
        return List.of(HardenedContainers.AGENT_PATH, "serve", "--socket", RUN_DIR + "/" + SOCKET, "--token-file",
                RUN_DIR + "/" + TOKEN_FILE);
    }

    /** The read-write mount of the folder's {@code run/} at {@link #RUN_DIR}. */
    List<Bind> binds(Optional<String> id) {
        return id.map(folder -> List.of(new Bind(root().resolve(requireId(folder)).resolve("run").toString(),
                new Volume(RUN_DIR), AccessMode.rw))).orElse(List.of());
    }

    /**
     * Waits, at most {@code patience}, until the started container's agent has taken its token and
     * made its socket, then closes {@code run/} to the sandbox. An agent that does not come up in time
     * has its token deleted and its container runs everything through the engine.
     */
    void awaitReady(Optional<String> id, Duration patience) {
        if (id.isEmpty()) {
            return;
        }
        Path run = root().resolve(requireId(id.get())).resolve("run");
        long deadline = System.nanoTime() + patience.toNanos();
        boolean ready = false;
        try {
            while (!(ready = Files.exists(run.resolve(SOCKET)) && !Files.exists(run.resolve(TOKEN_FILE)))
                    && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            if (!ready) {
                Log.warnf("the agent of %s did not make its socket within %d ms: its operations go through the engine",
                        id.get(), patience.toMillis());
                Files.deleteIfExists(run.resolve(TOKEN_FILE));
            }
            Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("r-xr-xr-x"));
        } catch (IOException e) {
            Log.errorf("could not close the agent folder %s: %s", run, e.getMessage());
            throw new ProviderFailureException("the worker could not prepare the sandbox's agent");
        }
    }

    /**
     * Starts {@code spawn} through the sandbox's agent.
     *
     * @return the started process, or empty when the agent socket is turned off, the sandbox has no
     *         agent socket, or its agent did not take the request (nothing was started: the caller
     *         runs it through the engine)
     */
    Optional<AgentProcess> spawn(String sandboxId, AgentSpawn spawn) {
        // off means off for every sandbox, also those made (or pooled) while it was on
        if (!config.agentSocket()) {
            return Optional.empty();
        }
        Link link = links.computeIfAbsent(sandboxId, this::find);
        if (!link.usable()) {
            return Optional.empty();
        }
        try {
            return Optional.of(AgentClient.spawn(link.socket(), link.token(), spawn, HANDSHAKE));
        } catch (AgentUnavailableException e) {
            Log.debugf("agent of %s did not answer (%s); using the engine", sandboxId, e.getMessage());
            links.computeIfPresent(sandboxId, (id, current) -> new Link(current.socket(), current.token(), System.nanoTime()));
            return Optional.empty();
        }
    }

    /** The sandbox's link from its container's label and the worker's copy of its token. */
    private Link find(String sandboxId) {
        String id;
        try {
            Map<String, String> labels = docker.inspectContainerCmd(claims.ref(sandboxId)).exec()
                    .getConfig().getLabels();
            id = labels == null ? null : labels.get(LABEL);
        } catch (NotFoundException gone) {
            return Link.NONE;
        }
        if (id == null || !ID.matcher(id).matches()) {
            return Link.NONE;
        }
        Path folder = root().resolve(id);
        try {
            String token = Files.readString(folder.resolve("token"), StandardCharsets.US_ASCII).strip();
            return new Link(folder.resolve("run").resolve(SOCKET), token, 0);
        } catch (IOException e) {
            Log.warnf("no agent token for %s in %s: its operations go through the engine", sandboxId, folder);
            return Link.NONE;
        }
    }

    /** Forgets a sandbox's link (its container is gone or going). */
    void forget(String sandboxId) {
        links.remove(sandboxId);
    }

    /** Deletes a container's agent folder; an unknown id is ignored. */
    void discard(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            return;
        }
        Path folder = root().resolve(id);
        if (!Files.exists(folder)) {
            return;
        }
        // a link the sandbox made is deleted, never followed
        dev.stacyvm.worker.provider.local.SandboxFolders.deleteTree(folder);
    }

    /**
     * Deletes the folders no container on the engine names any more (containers removed behind the
     * worker's back, or while it was down), unless younger than ten minutes.
     */
    @Scheduled(every = "10m", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweep() {
        ContainerFolders.sweep(docker, LABEL, root(), ID, this::discard);
    }

    private static String requireId(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("not an agent folder id: " + id);
        }
        return id;
    }

    private static void write(Path file, String text, String permissions) throws IOException {
        Files.writeString(file, text, StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
    }
}
