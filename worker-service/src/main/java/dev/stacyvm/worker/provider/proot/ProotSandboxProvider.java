package dev.stacyvm.worker.provider.proot;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stacyvm.contract.api.SandboxStats;
import dev.stacyvm.contract.certification.HostFingerprint;
import dev.stacyvm.contract.internal.RuntimeHandle;
import dev.stacyvm.contract.internal.RuntimeSpec;
import dev.stacyvm.contract.internal.SandboxSpec;
import dev.stacyvm.worker.config.WorkerConfig;
import dev.stacyvm.worker.error.ImageNotFoundException;
import dev.stacyvm.worker.error.InvalidRequestException;
import dev.stacyvm.worker.error.ProviderFailureException;
import dev.stacyvm.worker.error.RuntimeNotFoundException;
import dev.stacyvm.worker.provider.agent.AgentClient;
import dev.stacyvm.worker.provider.local.LocalAgentSandboxProvider;
import dev.stacyvm.worker.provider.local.ProcessTree;
import dev.stacyvm.worker.provider.local.RootfsImages;
import dev.stacyvm.worker.provider.local.SandboxFolders;
import io.quarkus.logging.Log;
import io.smallrye.common.annotation.Identifier;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code proot} provider, for hosts without a container engine (docs/providers.md "proot"):
 * each sandbox is a copy of its image's root filesystem run under PRoot, rootless, with the
 * sandbox's agent serving on a socket in a folder of the worker's. Its processes run as the
 * worker's own user (root inside a user namespace of their own) in network, PID and mount
 * namespaces of their own ({@code unshare}): no
 * network, no view of the host's processes. PRoot is not a security boundary (a process can get
 * out from under {@code ptrace}), memory and process limits are not enforced, and the sandbox's
 * files are the worker's user's: for trusted code and development machines, never untrusted code.
 */
@Singleton
@Identifier(ProotSandboxProvider.NAME)
public class ProotSandboxProvider extends LocalAgentSandboxProvider {

    public static final String NAME = "proot";
    static final String RUN_DIR = "/.stacyvm/run";
    private static final String TOKEN_FILE = "agent.token";
    private static final Duration AGENT_READY = Duration.ofSeconds(20);
    private static final Duration HANDSHAKE = Duration.ofSeconds(5);
    private static final Duration EXTRACT_TIMEOUT = Duration.ofMinutes(5);
    private static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private final ObjectMapper mapper;
    private volatile Boolean usable;
    private volatile long usableAt;
    /** The host's tools, by absolute path from the worker's own PATH: never looked up on a sandbox's. */
    private static final HostTools HOST_TOOLS = HostTools.find();
    private static final Duration HEALTH_RECHECK = Duration.ofMinutes(1);
    /** A sandbox's {@code unshare} and PRoot (the namespace's first process): its machinery, not its processes. */
    private static final int PROOT_MACHINERY = 2;

    @Inject
    ProotSandboxProvider(WorkerConfig config, ObjectMapper mapper) {
        super(config, new SandboxFolders(Path.of(config.stateDir()).resolve("proot"), ProotSandbox.STATE), HANDSHAKE);
        this.mapper = mapper;
    }

    @Override
    protected ProotSandbox readSandbox(Path folder) {
        return ProotSandbox.read(folder, mapper);
    }

    @Override
    protected Path logFile(Path folder) {
        return folder.resolve(ProotSandbox.LOG);
    }

    @Override
    public String name() {
        return NAME;
    }

    private Path folder(String sandboxId) {
        return folders.folder(sandboxId);
    }

    @Override
    public RuntimeHandle create(RuntimeSpec spec, String workerId) {
        synchronized (folders.lockOf(spec.sandboxId())) {
            return createLocked(spec, workerId);
        }
    }

    private RuntimeHandle createLocked(RuntimeSpec spec, String workerId) {
        Path folder = folder(spec.sandboxId());
        if (Files.exists(folder.resolve(ProotSandbox.STATE))) {
            ProotSandbox existing = ProotSandbox.read(folder, mapper);
            return new RuntimeHandle(spec.sandboxId(), existing.runtimeId(), workerId, Map.of(), null, null);
        }
        if (spec.runtime() != null && !spec.runtime().equals(SandboxSpec.DEFAULT_RUNTIME)) {
            throw new InvalidRequestException("provider proot runs no OCI runtime: ask for none");
        }
        if (!"none".equals(spec.network()) || (spec.ports() != null && !spec.ports().isEmpty())) {
            throw new InvalidRequestException("provider proot has no network: use network \"none\" and no ports");
        }
        RootfsImages.Image image = RootfsImages.find(imagesDir(), spec.image(), ".tar")
                .orElseThrow(() -> new ImageNotFoundException("no root filesystem for image " + spec.image() + " in "
                        + imagesDir() + " (provider proot: docs/providers.md)"));
        Process process = null;
        try {
            folders.create(spec.sandboxId());
            Path rootfs = Files.createDirectory(folder.resolve("rootfs"));
            extract(image.file(), rootfs, folder.resolve("extract.log"));
            // the mount points the sandbox needs, made only where the image holds no link: a link
            // there would be followed on the host
            for (String point : List.of(".stacyvm", ".stacyvm/bin", ".stacyvm/run", "proc", "dev", "workspace")) {
                Path path = rootfs.resolve(point);
                if (Files.isSymbolicLink(path)) {
                    throw new InvalidRequestException("image " + spec.image() + " has a link at /" + point
                            + ", where a proot sandbox mounts its own");
                }
                if (!Files.isDirectory(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectory(path);
                }
            }
            long imageBytes = ProotSandbox.bytesUnder(rootfs);
            String token = AgentClient.newToken();
            Path run = Files.createDirectory(folder.resolve("run"), SandboxFolders.PRIVATE_FOLDER);
            Files.createDirectory(folder.resolve("shm"), SandboxFolders.PRIVATE_FOLDER);
            SandboxFolders.writePrivate(folder.resolve("token"), token + "\n");
            SandboxFolders.writePrivate(run.resolve(TOKEN_FILE), token + "\n");
            process = start(folder, rootfs, run, environment(image, spec));
            ProotSandbox sandbox = new ProotSandbox(spec.sandboxId(), workerId, "proot-" + process.pid(), process.pid(),
                    spec.memoryMb(), spec.vcpus(), spec.pidsLimit(), imageBytes, Instant.now());
            sandbox.write(folder, mapper);
            loopbackUp(process);
            awaitAgent(spec.sandboxId(), run, process);
            return new RuntimeHandle(spec.sandboxId(), sandbox.runtimeId(), workerId, Map.of(), null, null);
        } catch (IOException e) {
            end(process);
            folders.remove(folder);
            throw new ProviderFailureException("could not make proot sandbox " + spec.sandboxId() + ": " + e.getMessage());
        } catch (RuntimeException e) {
            end(process);
            folders.remove(folder);
            throw e;
        }
    }

    private Path imagesDir() {
        return config.proot().imagesDir().orElse(Path.of(config.stateDir()).toAbsolutePath().resolve("proot-images"));
    }

    /**
     * Unpacks the image's archive (GNU tar keeps it under {@code rootfs}: leading {@code /} and
     * {@code ..} are stripped); the image's own {@code /dev} is left out, the sandbox gets the host's.
     */
    private static void extract(Path archive, Path rootfs, Path log) throws IOException {
        Process tar = new ProcessBuilder(HOST_TOOLS.tar(), "-x", "-f", archive.toString(), "-C", rootfs.toString(), "--no-same-owner",
                "--anchored", "--exclude=./dev/*", "--exclude=dev/*").redirectErrorStream(true)
                .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        tar.getOutputStream().close();
        try {
            if (!tar.waitFor(EXTRACT_TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)) {
                tar.destroyForcibly();
                throw new IOException("unpacking " + archive + " took over " + EXTRACT_TIMEOUT.toMinutes() + " minutes");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            tar.destroyForcibly();
            throw new IOException("interrupted");
        }
        if (tar.exitValue() != 0) {
            String output = Files.readString(log).strip();
            throw new IOException("tar: " + output.substring(0, Math.min(output.length(), 1000)));
        }
        Files.deleteIfExists(log);
    }

    /** Kills a sandbox's {@code unshare} a create started and gave up on (all under it ends with it). */
    private static void end(Process process) {
        if (process != null) {
            process.destroyForcibly();
        }
    }

    /**
     * Brings up loopback in the sandbox's network namespace (a new one has it down), from the host:
     * the worker's user owns the sandbox's user namespace, so it may enter it.
     */
    private static void loopbackUp(Process process) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        Optional<ProcessHandle> first = Optional.empty();
        try {
            while (first.isEmpty() && process.isAlive() && System.nanoTime() < deadline) {
                first = process.toHandle().children().findFirst();
                if (first.isEmpty()) {
                    Thread.sleep(2);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        if (first.isEmpty() || !ProcessTree.runs(List.of(HOST_TOOLS.nsenter(), "--target", String.valueOf(first.get().pid()),
                "--user", "--net", "--preserve-credentials", HOST_TOOLS.ip(), "link", "set", "lo", "up"))) {
            throw new IOException("could not bring up the sandbox's loopback");
        }
    }

    /** The sandbox's environment: the image's, then the spec's, and its id. */
    private static List<String> environment(RootfsImages.Image image, RuntimeSpec spec) {
        List<String> env = new ArrayList<>(image.env());
        if (env.stream().noneMatch(entry -> entry.startsWith("PATH="))) {
            env.add(DEFAULT_PATH);
        }
        if (spec.env() != null) {
            spec.env().forEach((name, value) -> env.add(name + "=" + value));
        }
        env.add("HOME=/workspace");
        env.add("STACYVM_SANDBOX_ID=" + spec.sandboxId());
        return env;
    }

    /**
     * Starts the sandbox's agent under PRoot in namespaces of its own: a user namespace mapping the
     * worker's user to root in it (PRoot needs the namespace's {@code CAP_SYS_PTRACE} to trace the
     * agent, which makes itself non-dumpable; it is nothing on the host), no network, its own PIDs with its own {@code /proc}; killing the
     * {@code unshare} kills them all ({@code --kill-child}, and a PID namespace ends with its first process).
     */
    private Process start(Path folder, Path rootfs, Path run, List<String> env) throws IOException {
        List<String> argv = new ArrayList<>(List.of(HOST_TOOLS.unshare(), "--user", "--map-root-user", "--net", "--pid",
                "--fork", "--kill-child", "--mount-proc", HOST_TOOLS.proot(), "-r", rootfs.toString(), "-b", "/dev",
                "-b", folder.resolve("shm") + ":/dev/shm", "-b", "/proc", "-b", config.agentPath() + ":" + AGENT_PATH,
                "-b", run + ":" + RUN_DIR, "-w", "/workspace",
                // the sandbox's environment is set inside it, by the image's env: the host's tools
                // (unshare, PRoot) run with the worker's own, so nothing a caller sets (LD_PRELOAD, PATH)
                // changes what they load or run
                "/usr/bin/env", "-i"));
        argv.addAll(env);
        argv.addAll(List.of(AGENT_PATH, "serve", "--socket", RUN_DIR + "/" + SOCKET, "--token-file", RUN_DIR + "/" + TOKEN_FILE));
        ProcessBuilder builder = new ProcessBuilder(argv);
        builder.environment().clear();
        builder.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        // PRoot's own temporary files stay in the sandbox's folder
        builder.environment().put("PROOT_TMP_DIR", folder.toString());
        builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(folder.resolve(ProotSandbox.LOG).toFile()));
        builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        return builder.start();
    }

    /**
     * Waits until the agent has taken its token and listens on its socket: the socket's file exists
     * from its {@code bind}, a moment before its {@code listen} (longer under PRoot's {@code ptrace}),
     * so it is connected to.
     */
    private void awaitAgent(String sandboxId, Path run, Process process) {
        long deadline = System.nanoTime() + AGENT_READY.toNanos();
        try {
            while (!(Files.exists(run.resolve(SOCKET)) && !Files.exists(run.resolve(TOKEN_FILE)) && SandboxFolders.listens(run.resolve(SOCKET)))) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    // its log is the worker's to read: it may name the host's paths
                    Log.warnf("the agent of proot sandbox %s did not start: %s", sandboxId, SandboxFolders.lastLines(folder(sandboxId).resolve(ProotSandbox.LOG)));
                    throw new ProviderFailureException("the agent of proot sandbox " + sandboxId + " did not start");
                }
                Thread.sleep(5);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderFailureException("interrupted while starting proot sandbox " + sandboxId);
        }
    }

    @Override
    public void destroy(String sandboxId) {
        Path folder = folder(sandboxId);
        synchronized (folders.lockOf(sandboxId)) {
            destroyLocked(sandboxId, folder);
        }
    }

    private void destroyLocked(String sandboxId, Path folder) {
        if (Files.exists(folder.resolve(ProotSandbox.STATE))) {
            ProotSandbox sandbox = ProotSandbox.read(folder, mapper);
            sandbox.process().ifPresent(process -> ProcessTree.kill(process, "proot sandbox " + sandboxId));
        }
        folders.remove(folder);
    }

    @Override
    public long diskUsedBytes(String sandboxId) {
        if (!holds(sandboxId)) {
            throw new RuntimeNotFoundException(sandboxId);
        }
        ProotSandbox sandbox = ProotSandbox.read(folder(sandboxId), mapper);
        return Math.max(0, ProotSandbox.bytesUnder(folder(sandboxId).resolve("rootfs")) - sandbox.imageBytes());
    }

    @Override
    public SandboxStats stats(String sandboxId) {
        requireRunning(sandboxId);
        ProotSandbox sandbox = ProotSandbox.read(folder(sandboxId), mapper);
        ProcessTree.Sample first = ProcessTree.sample(sandbox.pid(), PROOT_MACHINERY);
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ProcessTree.Sample second = ProcessTree.sample(sandbox.pid(), PROOT_MACHINERY);
        double cpuPct = ProcessTree.cpuPercent(first, second);
        return new SandboxStats(sandboxId, Instant.now(), cpuPct, sandbox.vcpus(), second.rssBytes(),
                sandbox.memoryMb() * 1024L * 1024L, 0, null, second.processes(), sandbox.pidsLimit(), 0, 0);
    }

    @Override
    public boolean healthy() {
        Boolean known = usable;
        if (known == null || (!known && System.nanoTime() - usableAt > HEALTH_RECHECK.toNanos())) {
            usableAt = System.nanoTime();
            known = ProcessTree.runs(List.of(HOST_TOOLS.unshare(), "--user", "--map-root-user", "--net", "--pid", "--fork",
                    "--mount-proc", HOST_TOOLS.proot(), "-r", "/", "-b", "/proc", "/bin/true"));
            if (!known) {
                Log.warnf("provider proot cannot run here: it needs proot (apt-get install proot) and unprivileged user namespaces");
            }
            usable = known;
        }
        return known;
    }

    /** PRoot's version, the engine a certification of it holds for. */
    @Override
    public String engineVersion() {
        return healthy() ? ProcessTree.version(List.of(HOST_TOOLS.proot(), "--version"), "v(\\d+\\.\\d+(\\.\\d+)?)")
                .map(version -> "proot " + version).orElse(HostFingerprint.NO_ENGINE) : null;
    }
}
