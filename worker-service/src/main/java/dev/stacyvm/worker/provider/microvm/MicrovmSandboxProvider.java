package dev.stacyvm.worker.provider.microvm;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.stacyvm.contract.api.SandboxDefaults;
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
import dev.stacyvm.worker.provider.CommandResult;
import dev.stacyvm.worker.provider.agent.AgentClient;
import dev.stacyvm.worker.provider.agent.CappedOutput;
import dev.stacyvm.worker.provider.local.LocalAgentSandboxProvider;
import dev.stacyvm.worker.provider.local.ProcessTree;
import dev.stacyvm.worker.provider.local.RootfsImages;
import dev.stacyvm.worker.provider.local.SandboxFolders;
import io.quarkus.logging.Log;
import io.smallrye.common.annotation.Identifier;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code microvm} provider (docs/providers.md "microvm"), the Firecracker-class row: each
 * sandbox is a virtual machine of its own under QEMU's {@code microvm} machine, booting Debian's
 * cloud kernel with the sandbox's agent as its init, on a copy-on-write overlay of its image's
 * disk, with no network device at all. The worker reaches the agent over one virtio-serial port,
 * which a {@code stacyvm-agent vmlink} beside QEMU turns back into the Unix socket every agent
 * provider speaks to ({@code run/agent.sock}); the sandbox's token, environment, user, clock and
 * entropy reach the guest over that link (never its disk or command line). Under software
 * emulation ({@code accel=tcg}, all that works on a host without hardware virtualisation) this is
 * functional but not a security boundary, and its certification says so; under {@code kvm} the
 * guest's kernel is the boundary.
 */
@Singleton
@Identifier(MicrovmSandboxProvider.NAME)
public class MicrovmSandboxProvider extends LocalAgentSandboxProvider {

    public static final String NAME = "microvm";
    /** The least memory a guest boots its kernel and agent in, MiB. */
    static final int MIN_MEMORY_MB = 128;
    /** A cold boot under software emulation on a loaded host. */
    private static final Duration BOOT = Duration.ofSeconds(90);
    private static final Duration HANDSHAKE = Duration.ofSeconds(15);
    private static final Duration HEALTH_RECHECK = Duration.ofMinutes(1);
    private static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private static final String QEMU = ProcessTree.locate("qemu-system-x86_64");
    private static final String QEMU_IMG = ProcessTree.locate("qemu-img");
    private static final SecureRandom RANDOM = new SecureRandom();
    /** The link carries the identity in one frame of at most 32 KiB (agent/vmlink.go). */
    static final int MAX_IDENTITY_BYTES = 30 * 1024;
    /** The most of the guest's console kept on the host: this, and as much again in {@code console.log.1}. */
    static final long CONSOLE_MAX_BYTES = 1024 * 1024;
    private static final Duration RELINK = Duration.ofSeconds(20);
    /** From a snapshot's last byte sent to its guest running: well under a second, unless something is wrong. */
    private static final Duration RESTORE = Duration.ofSeconds(30);

    private final ObjectMapper mapper;
    private final MicrovmTemplates templates;
    private volatile Boolean usable;
    /** QEMU's version and accelerator, read once (a QEMU upgrade restarts the worker with it). */
    private volatile String engine;
    private volatile long usableAt;

    @Inject
    MicrovmSandboxProvider(WorkerConfig config, ObjectMapper mapper) {
        super(config, new SandboxFolders(Path.of(config.stateDir()).resolve("microvm"), MicrovmSandbox.STATE), HANDSHAKE);
        this.mapper = mapper;
        this.templates = new MicrovmTemplates(Path.of(config.stateDir()).resolve("microvm-templates"), mapper, config.agentPath());
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * What the guest's init takes once (the agent's IDENTITY message, agent/vminit.go): the agent's
     * token, the sandbox's environment and user, its hostname (its id), the host's clock and 64
     * fresh random bytes for the guest's pool, its process limit.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record GuestIdentity(String token, List<String> env, int uid, int gid, String hostname, long timeUnixNano, byte[] seed,
                         int pidsMax, int diskMb) {
    }

    private Path imagesDir() {
        return config.microvm().imagesDir().orElse(Path.of(config.stateDir()).toAbsolutePath().resolve("microvm-images"));
    }

    private Path guestDir() {
        return config.microvm().guestDir().orElse(Path.of(config.stateDir()).toAbsolutePath().resolve("microvm-guest"));
    }

    @Override
    public RuntimeHandle create(RuntimeSpec spec, String workerId) {
        synchronized (folders.lockOf(spec.sandboxId())) {
            return createLocked(spec, workerId);
        }
    }

    private RuntimeHandle createLocked(RuntimeSpec spec, String workerId) {
        Path folder = folders.folder(spec.sandboxId());
        if (Files.exists(folder.resolve(MicrovmSandbox.STATE))) {
            MicrovmSandbox existing = MicrovmSandbox.read(folder, mapper);
            return new RuntimeHandle(spec.sandboxId(), existing.runtimeId(), workerId, Map.of(), null, null);
        }
        refuseWhatItCannotRun(spec);
        RootfsImages.Image image = RootfsImages.find(imagesDir(), spec.image(), ".ext4")
                .orElseThrow(() -> new ImageNotFoundException("no root disk for image " + spec.image() + " in " + imagesDir()
                        + " (provider microvm: docs/providers.md)"));
        Process qemu = null;
        Process link = null;
        try {
            folders.create(spec.sandboxId());
            Path run = Files.createDirectory(folder.resolve("run"), SandboxFolders.PRIVATE_FOLDER);
            String token = AgentClient.newToken();
            GuestIdentity identity = identity(token, image, spec);
            identityBytes(identity);
            SandboxFolders.writePrivate(folder.resolve("token"), token + "\n");
            Guest guest = startGuest(image.file(), folder, spec, true);
            qemu = guest.qemu();
            link = startLink(folder, run, identity);
            MicrovmSandbox sandbox = record(spec, workerId, qemu, link, folder);
            try {
                awaitAgent(spec.sandboxId(), folder, run, qemu, link);
            } catch (ProviderFailureException notUp) {
                if (guest.from().isEmpty()) {
                    throw notUp;
                }
                // QEMU took the snapshot, but the guest it restored never answered (a snapshot taken
                // at a bad moment under TCG panics on resume): discarded, and this one boots cold
                Log.warnf("microvm sandbox %s restored from its snapshot never answered (booting it cold, the snapshot discarded)",
                        spec.sandboxId());
                templates.discard(guest.from().get());
                end(link);
                end(qemu);
                clearRun(folder, run);
                qemu = startGuest(image.file(), folder, spec, false).qemu();
                link = startLink(folder, run, identity);
                sandbox = record(spec, workerId, qemu, link, folder);
                awaitAgent(spec.sandboxId(), folder, run, qemu, link);
            }
            return new RuntimeHandle(spec.sandboxId(), sandbox.runtimeId(), workerId, Map.of(), null, null);
        } catch (IOException e) {
            end(link);
            end(qemu);
            folders.remove(folder);
            throw new ProviderFailureException("could not make microvm sandbox " + spec.sandboxId() + ": " + e.getMessage());
        } catch (RuntimeException e) {
            end(link);
            end(qemu);
            folders.remove(folder);
            throw e;
        }
    }

    /** What a microVM does not offer: an OCI runtime, a network, ports, less memory than a guest boots in, builds. */
    private static void refuseWhatItCannotRun(RuntimeSpec spec) {
        if (spec.runtime() != null && !spec.runtime().equals(SandboxSpec.DEFAULT_RUNTIME)) {
            throw new InvalidRequestException("provider microvm runs no OCI runtime: ask for none");
        }
        if (!"none".equals(spec.network()) || (spec.ports() != null && !spec.ports().isEmpty())) {
            throw new InvalidRequestException("provider microvm has no network: use network \"none\" and no ports");
        }
        if (spec.memoryMb() < MIN_MEMORY_MB) {
            throw new InvalidRequestException("provider microvm needs at least " + MIN_MEMORY_MB + " MiB of memory for a guest");
        }
        if (spec.builder()) {
            throw new InvalidRequestException("builds run on docker: provider microvm makes no images");
        }
        if (spec.readOnlyRoot()) {
            throw new InvalidRequestException("provider microvm has no read-only root: ask for read_only_root false");
        }
    }

    /**
     * A copy-on-write overlay {@code disk} over {@code base} (an image's raw disk, or a template's
     * qcow2), which no sandbox ever writes.
     */
    static void overlay(Path base, String format, Path disk) throws IOException {
        Path log = disk.resolveSibling("qemu-img.log");
        if (!ProcessTree.runs(List.of(QEMU_IMG, "create", "-q", "-f", "qcow2", "-F", format, "-b", base.toString(), disk.toString()), log)) {
            throw new IOException("qemu-img could not make the sandbox's disk: " + SandboxFolders.lastLines(log));
        }
        Files.deleteIfExists(log);
    }

    /** A started guest's QEMU, and the snapshot it was restored from (empty: booted cold). */
    private record Guest(Process qemu, Optional<MicrovmTemplates.Template> from) {
    }

    /** Writes the sandbox's record with its QEMU's and link's pids, and answers it. */
    private MicrovmSandbox record(RuntimeSpec spec, String workerId, Process qemu, Process link, Path folder) throws IOException {
        MicrovmSandbox sandbox = new MicrovmSandbox(spec.sandboxId(), workerId, "microvm-" + qemu.pid(), qemu.pid(), link.pid(),
                spec.memoryMb(), spec.vcpus(), spec.pidsLimit(), spec.runAsRoot() ? 0 : diskMb(spec), Instant.now());
        sandbox.write(folder, mapper);
        return sandbox;
    }

    /** Removes what a guest that never came up left: its disk and its sockets, for a cold boot in the same folder. */
    private static void clearRun(Path folder, Path run) throws IOException {
        Files.deleteIfExists(folder.resolve(MicrovmSandbox.DISK));
        try (var sockets = Files.list(run)) {
            for (Path socket : sockets.toList()) {
                Files.deleteIfExists(socket);
            }
        }
    }

    /**
     * Starts the sandbox's QEMU: restored from its shape's snapshot when snapshots are on and
     * {@code restore} (taken first if there is none), booted cold when they are off or the restore
     * fails; a snapshot a restore failed from is discarded, so one bad snapshot costs one slow
     * create, not all of them (and one whose guest never answers, the same: {@link #create}).
     */
    private Guest startGuest(Path base, Path folder, RuntimeSpec spec, boolean restore) throws IOException {
        java.util.function.Function<Path, QemuCommand> shape = at -> new QemuCommand(QEMU, config.microvm().accel(),
                guestDir().resolve("vmlinuz"), guestDir().resolve("initramfs.cpio"), at, spec.memoryMb(), spec.vcpus());
        Path disk = folder.resolve(MicrovmSandbox.DISK);
        String qemuEngine = engineVersion();
        Optional<MicrovmTemplates.Template> template = restore && config.microvm().snapshots() && qemuEngine != null
                ? templates.templateFor(base, shape, qemuEngine) : Optional.empty();
        if (template.isPresent()) {
            Path run = folder.resolve("run");
            Path incoming = run.resolve("incoming.sock");
            Path qmpSocket = run.resolve("qmp.sock");
            Process qemu = null;
            try {
                overlay(template.get().disk(), "qcow2", disk);
                qemu = hostProcess(shape.apply(folder).argv(List.of("-incoming", "unix:" + incoming,
                        "-qmp", "unix:" + qmpSocket + ",server=on,wait=off")), folder.resolve("qemu.log")).start();
                MicrovmTemplates.restore(template.get(), incoming, qemu);
                awaitRestored(qmpSocket, qemu);
                return new Guest(qemu, template);
            } catch (IOException e) {
                Log.warnf("microvm sandbox %s could not be restored from its snapshot (booting it cold, the snapshot discarded): %s",
                        spec.sandboxId(), e.getMessage());
                templates.discard(template.get());
                if (qemu != null) {
                    ProcessTree.kill(qemu.toHandle(), "microvm sandbox " + spec.sandboxId() + "'s restoring QEMU");
                }
                Files.deleteIfExists(disk);
                Files.deleteIfExists(incoming);
                Files.deleteIfExists(qmpSocket);
            }
        }
        overlay(base, "raw", disk);
        return new Guest(hostProcess(shape.apply(folder).argv(), folder.resolve("qemu.log")).start(), Optional.empty());
    }

    /**
     * Waits until a restoring QEMU runs the guest it was sent (QMP's {@code query-status} moves from
     * {@code inmigrate} to {@code running}); a QEMU that refused the snapshot exits or stays stopped.
     *
     * @throws IOException when it does not run within {@link #RESTORE}
     */
    private void awaitRestored(Path qmpSocket, Process qemu) throws IOException {
        long deadline = System.nanoTime() + RESTORE.toNanos();
        try (Qmp qmp = Qmp.connect(qmpSocket, mapper, Duration.ofSeconds(10))) {
            String status = "";
            while (!status.equals("running")) {
                status = qmp.execute("query-status", Map.of()).path("status").asText();
                if (!qemu.isAlive() || (!status.equals("inmigrate") && !status.equals("running")) || System.nanoTime() > deadline) {
                    throw new IOException("the restored guest is " + (qemu.isAlive() ? status : "gone: " + lastQemuLine(qmpSocket)));
                }
                Qmp.sleep(10);
            }
        }
    }

    private static String lastQemuLine(Path qmpSocket) {
        return SandboxFolders.lastLines(qmpSocket.getParent().resolveSibling("qemu.log"));
    }

    /**
     * Starts the sandbox's {@code vmlink} and hands it the guest's identity on its standard input,
     * which it sends once the guest's init answers; it listens on {@code run/agent.sock} only after
     * the guest took it.
     */
    private Process startLink(Path folder, Path run, GuestIdentity identity) throws IOException {
        List<String> argv = new ArrayList<>(linkArgv(folder, BOOT));
        argv.add("--identity-stdin");
        ProcessBuilder builder = hostProcess(argv, folder.resolve("link.log"));
        builder.redirectInput(ProcessBuilder.Redirect.PIPE);
        Process link = builder.start();
        try (OutputStream stdin = link.getOutputStream()) {
            stdin.write(identityBytes(identity));
            stdin.write('\n');
        }
        return link;
    }

    /**
     * The identity as the link sends it: one message of at most {@link #MAX_IDENTITY_BYTES}.
     *
     * @throws InvalidRequestException when the sandbox's environment makes it larger
     */
    private byte[] identityBytes(GuestIdentity identity) throws IOException {
        byte[] bytes = mapper.writeValueAsBytes(identity);
        if (bytes.length > MAX_IDENTITY_BYTES) {
            throw new InvalidRequestException("provider microvm takes at most " + MAX_IDENTITY_BYTES / 1024
                    + " KiB of environment for a sandbox (its token, user and entropy included)");
        }
        return bytes;
    }

    /**
     * The sandbox's {@code vmlink}: the guest's port, the sandbox's agent socket, and the guest's
     * console kept in {@code console.log} (rotated: a guest printing forever never fills the host's disk).
     */
    private List<String> linkArgv(Path folder, Duration readyTimeout) {
        Path run = folder.resolve("run");
        return List.of(config.agentPath(), "vmlink", "--serial", run.resolve(QemuCommand.SERIAL_SOCKET).toString(), "--listen",
                run.resolve(SOCKET).toString(), "--ready-timeout", String.valueOf(readyTimeout.toSeconds()), "--console",
                run.resolve(QemuCommand.CONSOLE_SOCKET).toString(), "--console-log", folder.resolve(MicrovmSandbox.CONSOLE).toString(),
                "--console-max-bytes", String.valueOf(CONSOLE_MAX_BYTES));
    }

    /** The guest's console: its kernel's few lines and its agent's output. */
    @Override
    protected MicrovmSandbox readSandbox(Path folder) {
        return MicrovmSandbox.read(folder, mapper);
    }

    @Override
    protected Path logFile(Path folder) {
        return folder.resolve(MicrovmSandbox.CONSOLE);
    }

    /** A guest whose link ended gets a new one before the worker connects. */
    @Override
    protected void beforeConnect(String sandboxId, Path folder) {
        if (MicrovmSandbox.read(folder, mapper).link(folder).isEmpty()) {
            relink(sandboxId, folder);
        }
    }

    /**
     * Starts a new {@code vmlink} for a running guest whose link ended (a protocol error, a kill):
     * the guest, already identified, answers it at once and keeps its agent.
     */
    private void relink(String sandboxId, Path folder) {
        synchronized (folders.lockOf(sandboxId)) {
            MicrovmSandbox sandbox = MicrovmSandbox.read(folder, mapper);
            if (sandbox.link(folder).isPresent() || sandbox.qemu(folder).isEmpty()) {
                return;
            }
            Log.warnf("the link of microvm sandbox %s ended: starting it again", sandboxId);
            try {
                Process link = hostProcess(linkArgv(folder, RELINK), folder.resolve("link.log")).start();
                new MicrovmSandbox(sandbox.sandboxId(), sandbox.workerId(), sandbox.runtimeId(), sandbox.qemuPid(), link.pid(),
                        sandbox.memoryMb(), sandbox.vcpus(), sandbox.pidsLimit(), sandbox.diskLimitMb(), sandbox.createdAt())
                        .write(folder, mapper);
                long deadline = System.nanoTime() + RELINK.toNanos();
                while (!SandboxFolders.listens(folder.resolve("run").resolve(SOCKET)) && link.isAlive() && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
            } catch (IOException e) {
                throw new ProviderFailureException("could not link microvm sandbox " + sandboxId + " again: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A host process with the worker's own environment reduced to a PATH, its output appended to {@code log}. */
    static ProcessBuilder hostProcess(List<String> argv, Path log) {
        ProcessBuilder builder = new ProcessBuilder(argv);
        builder.environment().clear();
        builder.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        return builder;
    }

    /** The guest's identity: a fresh token and seed, the image's environment then the spec's, its user. */
    private GuestIdentity identity(String token, RootfsImages.Image image, RuntimeSpec spec) {
        List<String> env = new ArrayList<>(image.env());
        if (env.stream().noneMatch(entry -> entry.startsWith("PATH="))) {
            env.add(DEFAULT_PATH);
        }
        if (spec.env() != null) {
            spec.env().forEach((name, value) -> env.add(name + "=" + value));
        }
        env.add("HOME=/workspace");
        env.add("STACYVM_SANDBOX_ID=" + spec.sandboxId());
        int uid = 0;
        int gid = 0;
        if (!spec.runAsRoot()) {
            String[] user = config.sandboxUser().trim().split(":");
            uid = Integer.parseInt(user[0]);
            gid = Integer.parseInt(user[1]);
        }
        byte[] seed = new byte[64];
        RANDOM.nextBytes(seed);
        Instant now = Instant.now();
        return new GuestIdentity(token, env, uid, gid, spec.sandboxId(), now.getEpochSecond() * 1_000_000_000L + now.getNano(), seed,
                spec.pidsLimit(), diskMb(spec));
    }

    /** The disk the sandbox user may write, MiB: the spec's, or the default a spec without one gets. */
    static int diskMb(RuntimeSpec spec) {
        return spec.diskMb() > 0 ? spec.diskMb() : Integer.parseInt(SandboxDefaults.DISK_MB);
    }

    /** Waits until the guest booted, took its identity, and its agent answers on the sandbox's socket. */
    private void awaitAgent(String sandboxId, Path folder, Path run, Process qemu, Process link) {
        long deadline = System.nanoTime() + BOOT.toNanos();
        try {
            while (!SandboxFolders.listens(run.resolve(SOCKET))) {
                if (!qemu.isAlive() || !link.isAlive() || System.nanoTime() > deadline) {
                    // the logs are the worker's to read: they may name the host's paths
                    Log.warnf("microvm sandbox %s did not start: qemu %s, link %s, console %s", sandboxId,
                            SandboxFolders.lastLines(folder.resolve("qemu.log")), SandboxFolders.lastLines(folder.resolve("link.log")),
                            SandboxFolders.lastLines(folder.resolve(MicrovmSandbox.CONSOLE)));
                    throw new ProviderFailureException("microvm sandbox " + sandboxId + " did not start");
                }
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderFailureException("interrupted while starting microvm sandbox " + sandboxId);
        }
    }

    private static void end(Process process) {
        if (process != null) {
            process.destroyForcibly();
        }
    }

    @Override
    public void destroy(String sandboxId) {
        Path folder = folders.folder(sandboxId);
        synchronized (folders.lockOf(sandboxId)) {
            if (Files.exists(folder.resolve(MicrovmSandbox.STATE))) {
                MicrovmSandbox sandbox = MicrovmSandbox.read(folder, mapper);
                sandbox.link(folder).ifPresent(ProcessHandle::destroyForcibly);
                sandbox.qemu(folder).ifPresent(process -> ProcessTree.kill(process, "microvm sandbox " + sandboxId + "'s QEMU"));
            }
            folders.remove(folder);
        }
    }

    /** The overlay's size on the host: what the sandbox wrote to its disk, and the overlay's own tables. */
    @Override
    public long diskUsedBytes(String sandboxId) {
        if (!holds(sandboxId)) {
            throw new RuntimeNotFoundException(sandboxId);
        }
        try {
            return Files.size(folders.folder(sandboxId).resolve(MicrovmSandbox.DISK));
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * CPU from the host (QEMU's own time over one second: the guest cannot misreport it); memory
     * from the guest's sandbox cgroup ({@code memory.current}: the agent and everything it starts,
     * not the guest's kernel or init), processes from the agent's process list (the guest's kernel
     * threads and init left out).
     */
    @Override
    public SandboxStats stats(String sandboxId) {
        requireRunning(sandboxId);
        MicrovmSandbox sandbox = MicrovmSandbox.read(folders.folder(sandboxId), mapper);
        // read from the guest before the CPU is sampled: under software emulation the reads' own
        // processes would count as the sandbox's load
        long memory = guestMemory(sandboxId, sandbox.memoryMb() * 1024L * 1024L);
        long processes = guestProcesses(sandboxId);
        ProcessTree.Sample first = ProcessTree.sample(sandbox.qemuPid(), 0);
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ProcessTree.Sample second = ProcessTree.sample(sandbox.qemuPid(), 0);
        return new SandboxStats(sandboxId, Instant.now(), ProcessTree.cpuPercent(first, second), sandbox.vcpus(), memory,
                sandbox.memoryMb() * 1024L * 1024L, 0, sandbox.diskLimitMb() > 0 ? sandbox.diskLimitMb() * 1024L * 1024L : null,
                processes, sandbox.pidsLimit(), 0, 0);
    }

    /**
     * The guest's sandbox cgroup's memory, read through the agent, within what the guest has (a
     * sandbox can make the read answer anything: at most a line is read, and the number is bounded);
     * 0 when it cannot be read.
     */
    private long guestMemory(String sandboxId, long limitBytes) {
        CappedOutput out = new CappedOutput(32);
        CommandResult result = run(sandboxId, List.of(AGENT_PATH, "files", "read", "/sys/fs/cgroup/sandbox/memory.current"),
                InputStream.nullInputStream(), out, Duration.ofSeconds(10));
        try {
            return result.exitCode() == 0 && !out.overflowed() ? Math.max(0, Math.min(limitBytes, Long.parseLong(out.text().strip()))) : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The guest's processes but its kernel's threads (kthreadd, pid 2, and its children) and its init. */
    private long guestProcesses(String sandboxId) {
        try {
            com.fasterxml.jackson.databind.JsonNode list = mapper.readTree(processes(sandboxId)).path("processes");
            long count = 0;
            for (com.fasterxml.jackson.databind.JsonNode process : list) {
                long pid = process.path("pid").asLong();
                if (pid > 2 && process.path("ppid").asLong() != 2) {
                    count++;
                }
            }
            return count;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** QEMU and qemu-img run, and the guest's kernel and initramfs are there. */
    @Override
    public boolean healthy() {
        Boolean known = usable;
        if (known == null || (!known && System.nanoTime() - usableAt > HEALTH_RECHECK.toNanos())) {
            usableAt = System.nanoTime();
            known = Files.isReadable(guestDir().resolve("vmlinuz")) && Files.isReadable(guestDir().resolve("initramfs.cpio"))
                    && ProcessTree.runs(List.of(QEMU, "--version")) && ProcessTree.runs(List.of(QEMU_IMG, "--version"));
            if (!known) {
                Log.warnf("provider microvm cannot run here: it needs qemu-system-x86 and qemu-utils, and the guest's kernel and "
                        + "initramfs in %s (./stacyvm builds them)", guestDir());
            }
            usable = known;
        }
        return known;
    }

    /**
     * QEMU's version and the accelerator ({@code qemu 7.2.22 tcg}): a certification made under
     * software emulation never stands for a host that runs guests under KVM, or the reverse.
     */
    @Override
    public String engineVersion() {
        if (!healthy()) {
            return null;
        }
        String known = engine;
        if (known == null) {
            Optional<String> version = ProcessTree.version(List.of(QEMU, "--version"), "version (\\d+\\.\\d+(\\.\\d+)?)");
            known = version.map(found -> "qemu " + found + " " + config.microvm().accel()).orElse(HostFingerprint.NO_ENGINE);
            engine = known;
        }
        return known;
    }
}
