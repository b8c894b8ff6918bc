package dev.stacyvm.worker.provider.proot;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stacyvm.contract.api.NetworkPolicy;
import dev.stacyvm.contract.api.SandboxStats;
import dev.stacyvm.contract.certification.HostFingerprint;
import dev.stacyvm.contract.internal.ImageCommit;
import dev.stacyvm.contract.internal.RuntimeHandle;
import dev.stacyvm.contract.internal.RuntimeSpec;
import dev.stacyvm.contract.internal.RuntimeStatus;
import dev.stacyvm.contract.internal.SandboxSpec;
import dev.stacyvm.worker.config.WorkerConfig;
import dev.stacyvm.worker.error.ImageNotFoundException;
import dev.stacyvm.worker.error.InvalidRequestException;
import dev.stacyvm.worker.error.ProviderFailureException;
import dev.stacyvm.worker.error.RuntimeNotFoundException;
import dev.stacyvm.worker.error.RuntimeNotRunningException;
import dev.stacyvm.worker.provider.CommandResult;
import dev.stacyvm.worker.provider.ExecCommand;
import dev.stacyvm.worker.provider.ExecOutcome;
import dev.stacyvm.worker.provider.ExecOutputSink;
import dev.stacyvm.worker.provider.InteractiveExec;
import dev.stacyvm.worker.provider.LogTail;
import dev.stacyvm.worker.provider.ProviderCapabilities;
import dev.stacyvm.worker.provider.SandboxProvider;
import dev.stacyvm.worker.provider.TerminalSize;
import dev.stacyvm.worker.provider.agent.AgentClient;
import dev.stacyvm.worker.provider.agent.AgentCommands;
import dev.stacyvm.worker.provider.agent.AgentSpawn;
import io.quarkus.logging.Log;
import io.smallrye.common.annotation.Identifier;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The {@code proot} provider, for hosts without a container engine (docs/providers.md "proot"):
 * each sandbox is a copy of its image's root filesystem run under PRoot, rootless, with the
 * sandbox's agent serving on a socket in a folder of the worker's. Its processes run as the
 * worker's own user in user, network, PID and mount namespaces of their own ({@code unshare}): no
 * network, no view of the host's processes. PRoot is not a security boundary (a process can get
 * out from under {@code ptrace}), memory and process limits are not enforced, and the sandbox's
 * files are the worker's user's: for trusted code and development machines, never untrusted code.
 */
@Singleton
@Identifier(ProotSandboxProvider.NAME)
public class ProotSandboxProvider implements SandboxProvider {

    public static final String NAME = "proot";
    /** Where the agent is inside a sandbox, as in a Docker sandbox. */
    static final String AGENT_PATH = "/.stacyvm/bin/stacyvm-agent";
    static final String RUN_DIR = "/.stacyvm/run";
    private static final String SOCKET = "agent.sock";
    private static final String TOKEN_FILE = "agent.token";
    private static final Pattern SANDBOX_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Duration AGENT_READY = Duration.ofSeconds(20);
    private static final Duration HANDSHAKE = Duration.ofSeconds(5);
    private static final Duration EXTRACT_TIMEOUT = Duration.ofMinutes(5);
    private static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private final WorkerConfig config;
    private final ObjectMapper mapper;
    private final AgentCommands commands;
    private volatile Boolean usable;

    @Inject
    ProotSandboxProvider(WorkerConfig config, ObjectMapper mapper) {
        this.config = config;
        this.mapper = mapper;
        this.commands = new AgentCommands(this::spawn, AGENT_PATH, config.execTimeoutGrace());
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The folder of the worker's PRoot sandboxes. */
    private Path root() {
        return Path.of(config.stateDir()).toAbsolutePath().resolve("proot");
    }

    private Path folder(String sandboxId) {
        if (sandboxId == null || !SANDBOX_ID.matcher(sandboxId).matches()) {
            throw new RuntimeNotFoundException(String.valueOf(sandboxId));
        }
        return root().resolve(sandboxId);
    }

    @Override
    public synchronized RuntimeHandle create(RuntimeSpec spec, String workerId) {
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
        ProotImages.Image image = ProotImages.find(imagesDir(), spec.image())
                .orElseThrow(() -> new ImageNotFoundException("no root filesystem for image " + spec.image() + " in "
                        + imagesDir() + " (provider proot: docs/providers.md)"));
        try {
            Files.createDirectories(root());
            Files.createDirectory(folder);
            Path rootfs = Files.createDirectory(folder.resolve("rootfs"));
            extract(image.archive(), rootfs);
            Files.createDirectories(rootfs.resolve("workspace"));
            Files.createDirectories(rootfs.resolve(".stacyvm/bin"));
            Files.createDirectories(rootfs.resolve(".stacyvm/run"));
            Files.createDirectories(rootfs.resolve("proc"));
            Files.createDirectories(rootfs.resolve("dev"));
            long imageBytes = ProotSandbox.bytesUnder(rootfs);
            String token = AgentClient.newToken();
            Path run = Files.createDirectory(folder.resolve("run"));
            Files.writeString(folder.resolve("token"), token + "\n");
            Files.writeString(run.resolve(TOKEN_FILE), token + "\n");
            Process process = start(folder, rootfs, run, environment(image, spec));
            ProotSandbox sandbox = new ProotSandbox(spec.sandboxId(), workerId, "proot-" + process.pid(), process.pid(),
                    spec.memoryMb(), spec.vcpus(), spec.pidsLimit(), imageBytes, Instant.now());
            sandbox.write(folder, mapper);
            awaitAgent(spec.sandboxId(), run, process);
            return new RuntimeHandle(spec.sandboxId(), sandbox.runtimeId(), workerId, Map.of(), null, null);
        } catch (IOException e) {
            remove(folder);
            throw new ProviderFailureException("could not make proot sandbox " + spec.sandboxId() + ": " + e.getMessage());
        } catch (RuntimeException e) {
            destroy(spec.sandboxId());
            throw e;
        }
    }

    private Path imagesDir() {
        return config.proot().imagesDir().orElse(Path.of(config.stateDir()).toAbsolutePath().resolve("proot-images"));
    }

    /** Unpacks the image's archive; its device nodes are left out (the sandbox gets the host's {@code /dev}, read as its user). */
    private static void extract(Path archive, Path rootfs) throws IOException {
        Process tar = new ProcessBuilder("tar", "-x", "-f", archive.toString(), "-C", rootfs.toString(), "--no-same-owner",
                "--exclude=./dev/*", "--exclude=dev/*").redirectErrorStream(true).start();
        String output;
        try (InputStream in = tar.getInputStream()) {
            output = new String(in.readNBytes(4096), StandardCharsets.UTF_8);
        }
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
            throw new IOException("tar: " + output.strip());
        }
    }

    /** The sandbox's environment: the image's, then the spec's, and its id. */
    private static List<String> environment(ProotImages.Image image, RuntimeSpec spec) {
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
     * worker's user to itself, no network, its own PIDs with its own {@code /proc}; killing the
     * {@code unshare} kills them all ({@code --kill-child}, and a PID namespace ends with its first process).
     */
    private Process start(Path folder, Path rootfs, Path run, List<String> env) throws IOException {
        ProcessBuilder builder = new ProcessBuilder("unshare", "--user", "--map-current-user", "--net", "--pid", "--fork",
                "--kill-child", "--mount-proc", "proot", "-r", rootfs.toString(), "-b", "/dev", "-b", "/proc",
                "-b", config.agentPath() + ":" + AGENT_PATH, "-b", run + ":" + RUN_DIR, "-w", "/workspace",
                AGENT_PATH, "serve", "--socket", RUN_DIR + "/" + SOCKET, "--token-file", RUN_DIR + "/" + TOKEN_FILE);
        builder.environment().clear();
        for (String entry : env) {
            int equals = entry.indexOf('=');
            if (equals > 0) {
                builder.environment().put(entry.substring(0, equals), entry.substring(equals + 1));
            }
        }
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
            while (!(Files.exists(run.resolve(SOCKET)) && !Files.exists(run.resolve(TOKEN_FILE)) && listens(run.resolve(SOCKET)))) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new ProviderFailureException("the agent of proot sandbox " + sandboxId + " did not start: "
                            + lastLines(folder(sandboxId)));
                }
                Thread.sleep(5);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderFailureException("interrupted while starting proot sandbox " + sandboxId);
        }
    }

    private static boolean listens(Path socket) {
        try (java.nio.channels.SocketChannel channel = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            channel.connect(java.net.UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    private static String lastLines(Path folder) {
        try {
            List<String> lines = Files.readAllLines(folder.resolve(ProotSandbox.LOG));
            return String.join(" / ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
        } catch (IOException e) {
            return "no log";
        }
    }

    private dev.stacyvm.worker.provider.agent.AgentProcess spawn(String sandboxId, AgentSpawn spawn)
            throws dev.stacyvm.worker.provider.agent.AgentUnavailableException {
        requireRunning(sandboxId);
        Path folder = folder(sandboxId);
        String token;
        try {
            token = Files.readString(folder.resolve("token")).strip();
        } catch (IOException e) {
            throw new RuntimeNotFoundException(sandboxId);
        }
        return AgentClient.spawn(folder.resolve("run").resolve(SOCKET), token, spawn, HANDSHAKE);
    }

    @Override
    public boolean holds(String sandboxId) {
        return SANDBOX_ID.matcher(String.valueOf(sandboxId)).matches() && Files.exists(folder(sandboxId).resolve(ProotSandbox.STATE));
    }

    @Override
    public synchronized void destroy(String sandboxId) {
        Path folder = folder(sandboxId);
        if (!Files.exists(folder)) {
            return;
        }
        if (Files.exists(folder.resolve(ProotSandbox.STATE))) {
            ProotSandbox sandbox = ProotSandbox.read(folder, mapper);
            sandbox.process().ifPresent(process -> {
                process.destroyForcibly();
                try {
                    process.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
                } catch (Exception stillThere) {
                    Log.warnf("proot sandbox %s did not end within 10 s of its kill", sandboxId);
                }
            });
        }
        remove(folder);
    }

    private static void remove(Path folder) {
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(folder)) {
            // children first; a folder the sandbox made unwritable is opened again first
            for (Path path : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                try {
                    if (Files.isDirectory(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        path.toFile().setWritable(true, true);
                    }
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    Log.debugf("could not remove %s: %s", path, e.getMessage());
                }
            }
        } catch (IOException e) {
            Log.warnf("could not remove proot sandbox folder %s: %s", folder, e.getMessage());
        }
    }

    @Override
    public ExecOutcome exec(String sandboxId, ExecCommand command, ExecOutputSink sink) {
        return commands.exec(sandboxId, timed(command), env(command), sink);
    }

    @Override
    public InteractiveExec openInteractive(String sandboxId, ExecCommand command, TerminalSize terminal) {
        requireRunning(sandboxId);
        List<String> env = new ArrayList<>(env(command));
        if (terminal != null && !command.env().containsKey("TERM")) {
            env.add("TERM=xterm-256color");
        }
        return commands.openInteractive(sandboxId, timed(command), env, terminal);
    }

    private ExecCommand timed(ExecCommand command) {
        return command.timeout() != null ? command
                : new ExecCommand(command.argv(), command.env(), command.workdir(), config.execDefaultTimeout());
    }

    private static List<String> env(ExecCommand command) {
        List<String> env = new ArrayList<>();
        if (command.env() != null) {
            command.env().forEach((name, value) -> env.add(name + "=" + value));
        }
        return env;
    }

    @Override
    public CommandResult run(String sandboxId, List<String> argv, InputStream input, OutputStream output, Duration timeout) {
        return commands.run(sandboxId, argv, input, output, timeout);
    }

    @Override
    public void requireRunning(String sandboxId) {
        if (!holds(sandboxId)) {
            throw new RuntimeNotFoundException(sandboxId);
        }
        if (ProotSandbox.read(folder(sandboxId), mapper).process().isEmpty()) {
            throw new RuntimeNotRunningException(sandboxId);
        }
    }

    @Override
    public void requireWorkdir(String sandboxId, String workdir) {
        CommandResult checked = run(sandboxId, List.of(AGENT_PATH, "workdir", workdir), null, OutputStream.nullOutputStream(),
                Duration.ofSeconds(10));
        if (checked.exitCode() != 0) {
            throw new InvalidRequestException(checked.stderr().isBlank() ? "workdir " + workdir + " cannot be entered"
                    : checked.stderr().replaceFirst("^stacyvm-agent workdir: ", ""));
        }
    }

    @Override
    public LogTail.Result logs(String sandboxId, int lines, int maxBytes) {
        if (!holds(sandboxId)) {
            throw new RuntimeNotFoundException(sandboxId);
        }
        return ProotSandbox.tail(folder(sandboxId).resolve(ProotSandbox.LOG), lines, maxBytes);
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
        ProcessTree.Sample first = ProcessTree.sample(sandbox.pid());
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ProcessTree.Sample second = ProcessTree.sample(sandbox.pid());
        double cpuPct = ProcessTree.cpuPercent(first, second);
        return new SandboxStats(sandboxId, Instant.now(), cpuPct, sandbox.vcpus(), second.rssBytes(),
                sandbox.memoryMb() * 1024L * 1024L, 0, null, second.processes(), sandbox.pidsLimit(), 0, 0);
    }

    @Override
    public void applyNetworkPolicy(String sandboxId, NetworkPolicy policy) {
        throw new InvalidRequestException("provider proot has no network");
    }

    @Override
    public String processes(String sandboxId) {
        ByteArrayOutputStream listing = new ByteArrayOutputStream();
        CommandResult result = run(sandboxId, List.of(AGENT_PATH, "ps"), null, listing, Duration.ofSeconds(10));
        if (result.exitCode() != 0) {
            throw new ProviderFailureException("could not list the processes of sandbox " + sandboxId);
        }
        return listing.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void signal(String sandboxId, int pid, String signal) {
        CommandResult result = run(sandboxId, List.of(AGENT_PATH, "signal", String.valueOf(pid), signal), null, null,
                Duration.ofSeconds(10));
        switch (result.exitCode()) {
            case 0 -> { }
            case 2 -> throw new InvalidRequestException("signal must be one of HUP, INT, QUIT, KILL, USR1, USR2, TERM, CONT, STOP");
            case 3 -> throw new dev.stacyvm.worker.error.NoSuchProcessException(pid, sandboxId);
            case 4 -> throw new dev.stacyvm.worker.error.ProtectedProcessException("process " + pid
                    + " is the sandbox's init or its agent; end the sandbox instead");
            case 5 -> throw new dev.stacyvm.worker.error.NotPermittedInSandboxException("the sandbox's user may not signal process " + pid);
            default -> throw new ProviderFailureException("could not signal a process in sandbox " + sandboxId);
        }
    }

    @Override
    public ImageCommit.Result commit(String sandboxId, ImageCommit commit) {
        throw new InvalidRequestException("builds run on docker: provider proot makes no images");
    }

    @Override
    public ImageCommit.Base imageConfig(String sandboxId) {
        throw new InvalidRequestException("builds run on docker: provider proot makes no images");
    }

    @Override
    public List<RuntimeStatus> runtimes(String workerId) {
        if (!Files.isDirectory(root())) {
            return List.of();
        }
        List<RuntimeStatus> found = new ArrayList<>();
        try (Stream<Path> folders = Files.list(root())) {
            for (Path folder : folders.toList()) {
                if (!Files.exists(folder.resolve(ProotSandbox.STATE))) {
                    continue;
                }
                ProotSandbox sandbox = ProotSandbox.read(folder, mapper);
                if (workerId.equals(sandbox.workerId())) {
                    boolean running = sandbox.process().isPresent();
                    found.add(new RuntimeStatus(sandbox.sandboxId(), sandbox.runtimeId(), running, running ? "running" : "exited"));
                }
            }
        } catch (IOException e) {
            throw new ProviderFailureException("could not list the proot sandboxes: " + e.getMessage());
        }
        return found;
    }

    @Override
    public boolean healthy() {
        Boolean known = usable;
        if (known == null) {
            known = ProcessTree.runs(List.of("unshare", "--user", "--map-current-user", "--net", "--pid", "--fork",
                    "--mount-proc", "proot", "-r", "/", "-b", "/proc", "/bin/true"));
            if (!known) {
                Log.warnf("provider proot cannot run here: it needs proot (apt-get install proot) and unprivileged user namespaces");
            }
            usable = known;
        }
        return known;
    }

    @Override
    public List<String> capabilities() {
        return List.of(ProviderCapabilities.EXEC, ProviderCapabilities.EXEC_TIMEOUT, ProviderCapabilities.PROCESSES,
                ProviderCapabilities.FILES, ProviderCapabilities.ARCHIVES, ProviderCapabilities.TERMINAL,
                ProviderCapabilities.LOGS);
    }

    /** None: PRoot runs no OCI runtime; its sandboxes take the default name, as mock's do. */
    @Override
    public List<String> ociRuntimes() {
        return List.of();
    }

    /** PRoot's version, the engine a certification of it holds for. */
    @Override
    public String engineVersion() {
        return healthy() ? ProcessTree.prootVersion().orElse(HostFingerprint.NO_ENGINE) : null;
    }
}
