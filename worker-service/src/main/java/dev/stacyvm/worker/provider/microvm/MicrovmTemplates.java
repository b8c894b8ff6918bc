package dev.stacyvm.worker.provider.microvm;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stacyvm.worker.provider.local.SandboxFolders;
import io.quarkus.logging.Log;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Booted guests kept as snapshots, from which microVM sandboxes start instead of booting
 * (docs/providers.md "microvm", Snapshots): one per image disk, kernel, initramfs, QEMU, accelerator,
 * memory and vCPUs (a sandbox restores only into the machine its snapshot was taken of). A template
 * is booted until its init waits for an identity (nothing of a sandbox's, no token, nothing of the
 * image's programs has run), then stopped and migrated into a file ({@code memory}) beside its disk
 * ({@code disk.qcow2}, over the image's; each sandbox's disk is an overlay over it, so the guest's
 * view of its disk and memory agree). A sandbox restored from it gets its identity, entropy and
 * clock over the link like a cold-booted one. Clones share the template's kernel address layout
 * (KASLR) and boot id. A template a restore fails from is discarded (the next create takes a new
 * one); a shape whose snapshot cannot be taken is not tried again for {@link #RETRY_AFTER}; at most
 * {@link #KEPT} templates are kept, the least recently used removed first; what a worker that
 * stopped mid-build left (a folder, its QEMU) is removed before the next build.
 */
final class MicrovmTemplates {

    static final String DISK = "disk.qcow2";
    static final String MEMORY = "memory";
    private static final Duration BOOT = Duration.ofSeconds(90);
    private static final Duration MIGRATION = Duration.ofSeconds(120);
    /** How long a shape whose snapshot could not be taken boots cold before it is tried again. */
    static final Duration RETRY_AFTER = Duration.ofMinutes(10);
    /** The most templates kept (one per image, memory and vCPUs in use). */
    static final int KEPT = 8;
    private static final String BUILDING = ".b";
    private static final String DISCARDED = ".d";
    private static final String PID_FILE = "qemu.pid";

    private final Path root;
    private final ObjectMapper mapper;
    private final String agentPath;
    private final ConcurrentHashMap<String, Object> locks = new ConcurrentHashMap<>();
    /** When each shape's last build failed, {@link System#nanoTime()}. */
    private final ConcurrentHashMap<String, Long> failedAt = new ConcurrentHashMap<>();
    private volatile boolean swept;

    /** A snapshot: its folder holds {@link #DISK} and {@link #MEMORY}. */
    record Template(Path folder) {
        Path disk() {
            return folder.resolve(DISK);
        }

        Path memory() {
            return folder.resolve(MEMORY);
        }
    }

    /**
     * @param root      the folder of the templates ({@code <state-dir>/microvm-templates})
     * @param agentPath the host's agent binary, which runs the template's link
     */
    MicrovmTemplates(Path root, ObjectMapper mapper, String agentPath) {
        this.root = root.toAbsolutePath();
        this.mapper = mapper;
        this.agentPath = agentPath;
    }

    /**
     * The template for guests of {@code shape} on image disk {@code base}, built first when there is
     * none (once: concurrent creates of one shape wait for one build).
     *
     * @param shape      the guest's command for a folder (the template's own folder when it boots)
     * @param engine     what changes every snapshot when it changes: QEMU's version and accelerator
     * @return empty when it cannot be built (the reason logged): sandboxes then boot cold
     */
    Optional<Template> templateFor(Path base, Function<Path, QemuCommand> shape, String engine) {
        QemuCommand probe = shape.apply(root);
        String key = key(base, probe, engine);
        synchronized (locks.computeIfAbsent(key, k -> new Object())) {
            Path folder = root.resolve(key);
            if (Files.isRegularFile(folder.resolve(MEMORY))) {
                touch(folder);
                return Optional.of(new Template(folder));
            }
            Long failed = failedAt.get(key);
            if (failed != null && System.nanoTime() - failed < RETRY_AFTER.toNanos()) {
                return Optional.empty();
            }
            try {
                sweep();
                Template built = build(base, shape, folder);
                failedAt.remove(key);
                keepAtMost(KEPT, folder);
                return Optional.of(built);
            } catch (IOException | RuntimeException e) {
                failedAt.put(key, System.nanoTime());
                Log.warnf("could not take a microvm snapshot for %s (its sandboxes boot cold for %d minutes): %s", base.getFileName(),
                        RETRY_AFTER.toMinutes(), e.getMessage());
                return Optional.empty();
            }
        }
    }

    /**
     * Removes a template a restore failed from, so the next create of its shape takes a new one.
     * Sandboxes running from it keep its files open: their disks stay whole.
     */
    void discard(Template template) {
        Path aside = root.resolve(DISCARDED + Long.toString(System.nanoTime(), 36));
        try {
            Files.move(template.folder(), aside, StandardCopyOption.ATOMIC_MOVE);
            new SandboxFolders(root, "-").remove(aside);
            Log.warnf("microvm snapshot %s discarded", template.folder().getFileName());
        } catch (IOException e) {
            // gone already: another create discarded it first
        }
    }

    /** Marks a template used now: {@link #keepAtMost} removes the least recently used. */
    private static void touch(Path folder) {
        try {
            Files.setLastModifiedTime(folder, java.nio.file.attribute.FileTime.from(java.time.Instant.now()));
        } catch (IOException gone) {
            // discarded meanwhile: the restore finds out
        }
    }

    /** Removes the least recently used templates but {@code kept} until at most {@code most} remain. */
    private void keepAtMost(int most, Path kept) throws IOException {
        List<Path> templates;
        try (java.util.stream.Stream<Path> listing = Files.list(root)) {
            templates = listing.filter(folder -> !folder.getFileName().toString().startsWith(".") && !folder.equals(kept)
                    && Files.isDirectory(folder)).sorted(java.util.Comparator.comparing(MicrovmTemplates::lastUsed)).toList();
        }
        for (int i = 0; i < templates.size() + 1 - most; i++) {
            discard(new Template(templates.get(i)));
        }
    }

    private static java.nio.file.attribute.FileTime lastUsed(Path folder) {
        try {
            return Files.getLastModifiedTime(folder);
        } catch (IOException gone) {
            return java.nio.file.attribute.FileTime.fromMillis(0);
        }
    }

    /**
     * Once per worker, before its first build: removes what a worker that stopped mid-build or
     * mid-discard left, ending a build's QEMU still running there (its pid file names it, and only a
     * QEMU whose command line names that folder is ended).
     */
    private void sweep() throws IOException {
        if (swept || !Files.isDirectory(root)) {
            swept = true;
            return;
        }
        try (java.util.stream.Stream<Path> listing = Files.list(root)) {
            for (Path left : listing.filter(folder -> folder.getFileName().toString().startsWith(BUILDING)
                    || folder.getFileName().toString().startsWith(DISCARDED)).toList()) {
                endBuildQemu(left);
                new SandboxFolders(root, "-").remove(left);
            }
        }
        swept = true;
    }

    private static void endBuildQemu(Path folder) {
        try {
            long pid = Long.parseLong(Files.readString(folder.resolve(PID_FILE)).strip());
            ProcessHandle.of(pid).filter(process -> process.info().arguments()
                    .map(arguments -> String.join(" ", arguments).contains(folder.toString())).orElse(false))
                    .ifPresent(process -> process.destroyForcibly());
        } catch (IOException | NumberFormatException none) {
            // no QEMU was started there, or it is gone
        }
    }

    /**
     * Names a template after everything its snapshot depends on: QEMU's version and accelerator, its
     * whole command line, and the image's disk, kernel and initramfs by path, size and time.
     */
    private static String key(Path base, QemuCommand shape, String engine) {
        StringBuilder parts = new StringBuilder(engine).append('\n').append(String.join(" ", shape.argv()));
        for (Path file : List.of(base, shape.kernel(), shape.initramfs())) {
            parts.append('\n').append(file.toAbsolutePath());
            try {
                parts.append('|').append(Files.size(file)).append('|').append(Files.getLastModifiedTime(file).toMillis());
            } catch (IOException missing) {
                parts.append("|missing");
            }
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(parts.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Boots a guest until it awaits its identity, snapshots it, and moves the result into place. */
    private Template build(Path base, Function<Path, QemuCommand> shape, Path folder) throws IOException {
        Files.createDirectories(root, SandboxFolders.PRIVATE_FOLDER);
        // short: QEMU's and the link's Unix sockets live below it, and a socket's path has at most 107 bytes
        Path building = Files.createDirectory(root.resolve(BUILDING + Long.toString(System.nanoTime(), 36)), SandboxFolders.PRIVATE_FOLDER);
        Path run = Files.createDirectory(building.resolve("run"), SandboxFolders.PRIVATE_FOLDER);
        Process qemu = null;
        long started = System.nanoTime();
        try {
            MicrovmSandboxProvider.overlay(base, "raw", building.resolve(DISK));
            Path qmpSocket = run.resolve("qmp.sock");
            qemu = MicrovmSandboxProvider.hostProcess(shape.apply(building).argv(List.of("-qmp", "unix:" + qmpSocket + ",server=on,wait=off",
                    "-pidfile", building.resolve(PID_FILE).toString())), building.resolve("qemu.log")).start();
            Process link = MicrovmSandboxProvider.hostProcess(List.of(agentPath, "vmlink", "--serial",
                    run.resolve(QemuCommand.SERIAL_SOCKET).toString(), "--listen", "-", "--ready-timeout", String.valueOf(BOOT.toSeconds())),
                    building.resolve("link.log")).start();
            if (!link.waitFor(BOOT.toSeconds() + 10, TimeUnit.SECONDS) || link.exitValue() != 0) {
                link.destroyForcibly();
                throw new IOException("the template's guest did not come up: " + SandboxFolders.lastLines(building.resolve("link.log")));
            }
            try (Qmp qmp = Qmp.connect(qmpSocket, mapper, Duration.ofSeconds(10))) {
                snapshot(qmp, run.resolve("migrate.sock"), building.resolve(MEMORY));
                try {
                    qmp.execute("quit", Map.of());
                } catch (IOException closedAsItQuit) {
                    // QEMU may close before it answers
                }
            }
            if (!qemu.waitFor(10, TimeUnit.SECONDS)) {
                qemu.destroyForcibly();
            }
            Files.deleteIfExists(qmpSocket);
            Files.move(building, folder, StandardCopyOption.ATOMIC_MOVE);
            Log.infof("microvm snapshot %s taken in %d ms", folder.getFileName(), (System.nanoTime() - started) / 1_000_000);
            return new Template(folder);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        } finally {
            if (qemu != null) {
                qemu.destroyForcibly();
            }
            if (Files.exists(building)) {
                new SandboxFolders(root, "-").remove(building);
            }
        }
    }

    /**
     * Migrates the guest into {@code memory}: QEMU connects to a socket the worker listens on and
     * streams its state, written to the file as it comes. The guest runs while its memory is
     * copied (it is idle: the copy converges at once) and QEMU stops it for the last pass, flushing
     * the disk, so the template's disk and memory agree. Not stopped first: a guest migrated
     * stopped stays stopped where it is restored.
     */
    private static void snapshot(Qmp qmp, Path socket, Path memory) throws IOException {
        // QEMU's default migration bandwidth (32 MiB/s) is for networks; this is a local file
        qmp.execute("migrate-set-parameters", Map.of("max-bandwidth", 8L * 1024 * 1024 * 1024));
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            CompletableFuture<Long> copied = CompletableFuture.supplyAsync(() -> {
                try (SocketChannel stream = server.accept();
                        FileChannel file = FileChannel.open(memory, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    long written = file.transferFrom(stream, 0, Long.MAX_VALUE);
                    file.force(true); // whole on the disk before the template is moved into place
                    return written;
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            qmp.execute("migrate", Map.of("uri", "unix:" + socket));
            long deadline = System.nanoTime() + MIGRATION.toNanos();
            String status = "";
            while (!status.equals("completed")) {
                status = qmp.execute("query-migrate", Map.of()).path("status").asText();
                if (status.equals("failed") || status.equals("cancelled") || System.nanoTime() > deadline) {
                    throw new IOException("the snapshot's migration ended " + (status.isEmpty() ? "late" : status));
                }
                Qmp.sleep(20);
            }
            try {
                copied.get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IOException("the snapshot was not written: " + e.getMessage());
            }
        } finally {
            Files.deleteIfExists(socket);
        }
    }

    /**
     * Streams a template's memory into a restoring QEMU ({@code -incoming unix:SOCKET}), which
     * listens once it has started.
     */
    static void restore(Template template, Path socket, Process qemu) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                channel.connect(UnixDomainSocketAddress.of(socket));
                try (FileChannel file = FileChannel.open(template.memory(), StandardOpenOption.READ)) {
                    long size = file.size();
                    long sent = 0;
                    while (sent < size) {
                        sent += file.transferTo(sent, size - sent, channel);
                    }
                }
                return;
            } catch (IOException notYet) {
                if (!qemu.isAlive() || System.nanoTime() > deadline) {
                    throw new IOException("QEMU did not take the snapshot: " + notYet.getMessage());
                }
                Qmp.sleep(5);
            }
        }
    }
}
