package dev.stacyvm.worker.provider.local;

import dev.stacyvm.worker.error.RuntimeNotFoundException;
import io.quarkus.logging.Log;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

/**
 * The folders a local provider keeps its sandboxes in (PRoot's, a microVM's): one private folder
 * per sandbox under {@code root}, named by its sandbox id, holding its state file, its agent's
 * socket and token, its files. A removal first renames the folder out of the sandboxes' way (a
 * removal that fails part way never leaves half a sandbox behind), then deletes it; what a stopped
 * worker left is swept at the next one. One lock per sandbox orders a create and a destroy of it.
 */
public final class SandboxFolders {

    /** Owner-only folders: a sandbox's files, token and socket are the worker's alone. */
    public static final FileAttribute<?> PRIVATE_FOLDER = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
    private static final java.util.regex.Pattern SANDBOX_ID = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final String TRASH = ".removing-";

    private final Path root;
    private final String state;
    /** Striped: a sandbox's lock is never dropped while a create or destroy of it may still hold or want it. */
    private final Object[] locks = new Object[64];

    /**
     * @param root  the folder of the provider's sandboxes (made private when first needed)
     * @param state the file name that marks a folder as a sandbox's ({@code sandbox.json})
     */
    public SandboxFolders(Path root, String state) {
        this.root = root.toAbsolutePath();
        this.state = state;
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new Object();
        }
    }

    public Path root() {
        return root;
    }

    /**
     * The folder of sandbox {@code sandboxId}.
     *
     * @throws RuntimeNotFoundException when the id is not one a sandbox can have (it would name a path)
     */
    public Path folder(String sandboxId) {
        if (sandboxId == null || !SANDBOX_ID.matcher(sandboxId).matches()) {
            throw new RuntimeNotFoundException(String.valueOf(sandboxId));
        }
        return root.resolve(sandboxId);
    }

    /** Whether the sandbox's folder holds its state file (a well-formed id only). */
    public boolean holds(String sandboxId) {
        return sandboxId != null && SANDBOX_ID.matcher(sandboxId).matches() && Files.exists(folder(sandboxId).resolve(state));
    }

    /** A new private folder for the sandbox (the root made first). */
    public Path create(String sandboxId) throws IOException {
        Files.createDirectories(root, PRIVATE_FOLDER);
        return Files.createDirectory(folder(sandboxId), PRIVATE_FOLDER);
    }

    /** The sandboxes' folders with a state file, those being removed left out. */
    public List<Path> sandboxes() throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> folders = Files.list(root)) {
            return folders.filter(folder -> !folder.getFileName().toString().startsWith(".") && Files.exists(folder.resolve(state)))
                    .toList();
        }
    }

    /**
     * The lock of one sandbox: a create and a destroy of it wait for each other (and, rarely, for
     * those of a sandbox whose id falls on the same stripe).
     */
    public Object lockOf(String sandboxId) {
        return locks[Math.floorMod(String.valueOf(sandboxId).hashCode(), locks.length)];
    }

    /** Writes {@code text} into a new owner-only file. */
    public static void writePrivate(Path file, String text) throws IOException {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, text);
    }

    /** Whether something accepts connections on the Unix socket (its file exists from bind, before listen). */
    public static boolean listens(Path socket) {
        try (SocketChannel channel = SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            channel.connect(java.net.UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    /** The last three lines of a log, joined, for the worker's own log. */
    public static String lastLines(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join(" / ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
        } catch (IOException | java.io.UncheckedIOException e) {
            return "no log";
        }
    }

    /** Removes a sandbox's folder, after what earlier removals left. */
    public void remove(Path folder) {
        sweepTrash();
        if (!Files.exists(folder, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Path trash = root.resolve(TRASH + folder.getFileName() + "-" + System.nanoTime());
        try {
            Files.move(folder, trash, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            Log.warnf("could not move sandbox folder %s out of the way: %s", folder, e.getMessage());
            trash = folder;
        }
        deleteTree(trash);
    }

    /** Deletes what earlier removals left (a worker stopped during one). */
    private void sweepTrash() {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (Stream<Path> folders = Files.list(root)) {
            folders.filter(path -> path.getFileName().toString().startsWith(TRASH)).forEach(SandboxFolders::deleteTree);
        } catch (IOException e) {
            Log.debugf("could not list %s: %s", root, e.getMessage());
        }
    }

    /**
     * Deletes a tree, each folder opened to its owner before it is entered (a sandbox may have
     * closed some); links in it are deleted, never followed. What cannot be deleted is logged.
     */
    public static void deleteTree(Path tree) {
        try {
            Files.walkFileTree(tree, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) throws IOException {
                    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException failed) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException failed) throws IOException {
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException | RuntimeException e) {
            Log.warnf("could not delete %s (retried at the next destroy): %s", tree, e.getMessage());
        }
    }
}
