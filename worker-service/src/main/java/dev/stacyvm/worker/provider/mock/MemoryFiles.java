package dev.stacyvm.worker.provider.mock;

import dev.stacyvm.worker.provider.CommandResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;

/**
 * A mock sandbox's file tree, held in the worker's memory, answering the agent's {@code files}
 * operations (agent/README.md) with the agent's exit codes and output formats, so that the worker's
 * files API works on it unchanged. Paths arrive normalised (absolute, no {@code .} or {@code ..});
 * there are no links, owners or permission checks.
 *
 * <p>Everything it holds counts against {@code maxBytes}: each file's bytes and, for every file and
 * directory, its path and a fixed overhead ({@link #NODE_COST}), so that empty files and deep
 * directories are not free. A write past it is refused whole with 47 (disk full), as the agent's is
 * on a full disk; so is a tree of more than {@link #MAX_NODES} entries, and a path longer than
 * {@link #MAX_PATH} characters is refused with 44.
 *
 * <p>Thread-safe. The tree changes under its lock, but no operation reads its input or writes its
 * output while holding it: a slow reader of one file never holds up another call, and
 * {@link #usedBytes()} takes no lock.
 */
final class MemoryFiles {

    static final int OK = 0;
    static final int NOT_FOUND = 41;
    static final int NOT_REGULAR = 42;
    static final int IS_DIRECTORY = 43;
    static final int DENIED = 44;
    static final int NOT_EMPTY = 45;
    static final int NOT_DIRECTORY = 46;
    static final int DISK_FULL = 47;

    /** What an entry costs besides its content: its path (two bytes a character) and this, in bytes. */
    static final int NODE_COST = 96;
    /** The most entries one tree holds. */
    static final int MAX_NODES = 10_000;
    /** The longest path, in characters (Linux's PATH_MAX). */
    static final int MAX_PATH = 4096;

    private static final int S_IFDIR = 0x4000;
    private static final int S_IFREG = 0x8000;
    private static final int MAX_LISTED = 10_000;

    /** A file or a directory: its bytes (null for a directory; never changed once set), permissions, mtime (s). */
    private static final class Node {
        final byte[] content;
        int permissions;
        final long mtime;

        Node(byte[] content, int permissions) {
            this.content = content;
            this.permissions = permissions;
            this.mtime = System.currentTimeMillis() / 1000;
        }

        boolean isDirectory() {
            return content == null;
        }
    }

    private final long maxBytes;
    /** Every node by its absolute path; sorted, so a directory's descendants follow it. */
    private final TreeMap<String, Node> nodes = new TreeMap<>();
    /** Written under the lock, read without it. */
    private volatile long usedBytes;
    /** Bytes promised to output still being gathered (a redirection's), counted as taken; under the lock. */
    private volatile long reserved;

    /** @param maxBytes the most the tree may hold, contents and entries together, in bytes */
    MemoryFiles(long maxBytes, List<String> directories) {
        this.maxBytes = maxBytes;
        nodes.put("/", new Node(null, 0755));
        long initial = 0;
        for (String directory : directories) {
            nodes.put(directory, new Node(null, 0755));
            initial += entryCost(directory);
        }
        usedBytes = initial;
    }

    /** What the tree holds now, in bytes (contents and entries); read without a lock. */
    long usedBytes() {
        return usedBytes;
    }

    /** How many more bytes the tree may take now, what is reserved left out. */
    long room() {
        return Math.max(0, maxBytes - usedBytes - reserved);
    }

    /**
     * Takes {@code bytes} of the room for output still being gathered, with {@code allowance} more
     * (what the file it will replace frees); false, taking nothing, when they do not fit.
     */
    synchronized boolean reserve(long bytes, long allowance) {
        if (usedBytes + reserved + bytes > maxBytes + allowance) {
            return false;
        }
        reserved += bytes;
        return true;
    }

    /** Gives back bytes {@link #reserve} took. */
    synchronized void release(long bytes) {
        reserved -= bytes;
    }

    /** The size of the file at {@code path}, 0 when there is none. */
    synchronized long sizeOf(String path) {
        Node node = nodes.get(path);
        return node == null || node.isDirectory() ? 0 : node.content.length;
    }

    /** Appends to the file at {@code path} (made when missing) under one lock, so no concurrent append is lost. */
    synchronized int append(String path, byte[] more) {
        Node existing = nodes.get(path);
        if (existing == null || existing.isDirectory()) {
            return put(path, more, 0644);
        }
        byte[] joined = java.util.Arrays.copyOf(existing.content, existing.content.length + more.length);
        System.arraycopy(more, 0, joined, existing.content.length, more.length);
        return put(path, joined, existing.permissions);
    }

    /** Whether {@code path} is a directory. */
    synchronized boolean isDirectory(String path) {
        Node node = nodes.get(path);
        return node != null && node.isDirectory();
    }

    /** The file's bytes (never to be changed), or null when it is missing or a directory. */
    synchronized byte[] content(String path) {
        Node node = nodes.get(path);
        return node == null || node.isDirectory() ? null : node.content;
    }

    /** The names of a directory's entries, sorted; null when it is not a directory. */
    synchronized List<String> names(String directory) {
        Node node = nodes.get(directory);
        if (node == null || !node.isDirectory()) {
            return null;
        }
        return children(directory).stream().map(MemoryFiles::nameOf).toList();
    }

    /**
     * Runs one operation, {@code operation} being the agent's name for it and {@code arguments} its
     * arguments, reading {@code input} and writing {@code output} as the agent would.
     */
    CommandResult run(String operation, List<String> arguments, InputStream input, OutputStream output) {
        String path = arguments.get(0);
        for (String argument : operation.equals("move") ? arguments : List.of(path)) {
            if (argument.length() > MAX_PATH) {
                return new CommandResult(DENIED, "file name too long\n");
            }
        }
        try {
            Answer answer = switch (operation) {
                case "read-check" -> new Answer(readCheck(path), null);
                case "read" -> read(path);
                case "write" -> new Answer(write(path, Integer.parseInt(arguments.get(1), 8), input), null);
                case "delete" -> new Answer(delete(path, Boolean.parseBoolean(arguments.get(1))), null);
                case "stat" -> stat(path);
                case "list" -> list(path);
                case "move" -> new Answer(move(path, arguments.get(1)), null);
                case "chmod" -> new Answer(chmod(path, Integer.parseInt(arguments.get(1), 8)), null);
                case "find" -> find(path);
                default -> throw new IllegalArgumentException("unknown operation " + operation);
            };
            if (answer.output() != null && output != null) {
                output.write(answer.output()); // outside the lock: the reader may be slow
            }
            return new CommandResult(answer.code(), answer.code() == OK ? "" : path + "\n");
        } catch (IOException failed) {
            throw new UncheckedIOException(failed);
        }
    }

    /** An operation's exit code and what it writes on success. */
    private record Answer(int code, byte[] output) {
    }

    private synchronized int readCheck(String path) {
        Node node = nodes.get(path);
        return node == null ? NOT_FOUND : node.isDirectory() ? IS_DIRECTORY : OK;
    }

    private synchronized Answer read(String path) {
        int check = readCheck(path);
        return new Answer(check, check == OK ? nodes.get(path).content : null);
    }

    private int write(String path, int permissions, InputStream input) throws IOException {
        // read outside the lock, never more than could fit: a larger body is refused as a full disk
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        long room = room() + sizeOf(path);
        if (input != null) {
            byte[] buffer = new byte[64 * 1024];
            for (int read; (read = input.read(buffer)) > 0; ) {
                if (content.size() + (long) read > room) {
                    return DISK_FULL;
                }
                content.write(buffer, 0, read);
            }
        }
        return put(path, content.toByteArray(), permissions & 07777);
    }

    /** Puts a file at {@code path}, making its missing parents, if it all fits; the agent's codes otherwise. */
    synchronized int put(String path, byte[] content, int permissions) {
        Node existing = nodes.get(path);
        if (existing != null && existing.isDirectory()) {
            return IS_DIRECTORY;
        }
        List<String> missing = missingParents(path);
        if (missing == null) {
            return NOT_DIRECTORY;
        }
        long cost = content.length + (existing == null ? entryCost(path) : -existing.content.length) + costOf(missing);
        if (usedBytes + reserved + cost > maxBytes || nodes.size() + missing.size() + 1 > MAX_NODES) {
            return DISK_FULL;
        }
        makeAll(missing);
        nodes.put(path, new Node(content, permissions));
        usedBytes += cost;
        return OK;
    }

    /** Makes the directory and its missing parents, if it all fits; the agent's codes otherwise. */
    synchronized int makeDirectory(String path) {
        Node existing = nodes.get(path);
        if (existing != null) {
            return existing.isDirectory() ? OK : NOT_DIRECTORY;
        }
        List<String> missing = missingParents(path);
        if (missing == null) {
            return NOT_DIRECTORY;
        }
        missing.add(path);
        long cost = costOf(missing);
        if (usedBytes + reserved + cost > maxBytes || nodes.size() + missing.size() > MAX_NODES) {
            return DISK_FULL;
        }
        makeAll(missing);
        usedBytes += cost;
        return OK;
    }

    private synchronized int delete(String path, boolean recursive) {
        Node node = nodes.get(path);
        if (node == null) {
            return NOT_FOUND;
        }
        if (path.equals("/")) {
            return NOT_REGULAR; // the agent refuses the root as it refuses a non-regular target
        }
        List<String> below = descendants(path);
        if (!below.isEmpty() && !recursive) {
            return NOT_EMPTY;
        }
        for (String descendant : below) {
            forget(descendant);
        }
        forget(path);
        return OK;
    }

    private synchronized Answer stat(String path) {
        Node node = nodes.get(path);
        if (node == null) {
            return new Answer(NOT_FOUND, null);
        }
        return new Answer(OK, (statLine(node) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private synchronized Answer list(String path) {
        Node node = nodes.get(path);
        if (node == null) {
            return new Answer(NOT_FOUND, null);
        }
        if (!node.isDirectory()) {
            return new Answer(NOT_DIRECTORY, null);
        }
        List<String> entries = new ArrayList<>(children(path));
        // the agent's order: names without a leading dot, then with one, then with two; each by bytes
        entries.sort(Comparator.comparingInt((String child) -> dotGroup(nameOf(child))).thenComparing(MemoryFiles::nameOf));
        StringBuilder records = new StringBuilder();
        for (String child : entries.subList(0, Math.min(entries.size(), MAX_LISTED))) {
            records.append(statLine(nodes.get(child))).append('|').append(nameOf(child)).append("\n\0");
        }
        return new Answer(OK, records.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * As the agent's {@code mv -f}: a directory moves into an existing directory; a file replaces a
     * file; anything else onto what exists, and a move onto itself or into itself, is refused (44).
     */
    private synchronized int move(String from, String to) {
        Node source = nodes.get(from);
        if (source == null) {
            return NOT_FOUND;
        }
        if (from.equals("/")) {
            return NOT_REGULAR;
        }
        Node target = nodes.get(to);
        String destination = to;
        if (target != null && target.isDirectory()) {
            if (!source.isDirectory()) {
                return IS_DIRECTORY;
            }
            destination = (to.equals("/") ? "" : to) + "/" + nameOf(from);
            if (nodes.containsKey(destination)) {
                return DENIED;
            }
        } else if (target != null && source.isDirectory()) {
            return DENIED;
        }
        if (destination.equals(from) || destination.startsWith(from + "/")) {
            return DENIED; // onto itself or into itself, as mv refuses
        }
        if (destination.length() > MAX_PATH) {
            return DENIED;
        }
        List<String> below = descendants(from);
        List<String> missing = missingParents(destination);
        if (missing == null) {
            return NOT_DIRECTORY;
        }
        // the paths change length: what the entries cost is taken again
        long cost = entryCost(destination) - entryCost(from) + below.size() * 2L * (destination.length() - from.length())
                + costOf(missing);
        Node replaced = target != null && !target.isDirectory() ? target : null;
        if (replaced != null) {
            cost -= entryCost(to) + replaced.content.length;
        }
        int longest = below.stream().mapToInt(String::length).max().orElse(from.length());
        if (usedBytes + reserved + cost > maxBytes || nodes.size() + missing.size() > MAX_NODES
                || destination.length() + longest - from.length() > MAX_PATH) {
            return DISK_FULL;
        }
        makeAll(missing);
        if (replaced != null) {
            nodes.remove(to);
        }
        nodes.put(destination, nodes.remove(from));
        for (String descendant : below) {
            nodes.put(destination + descendant.substring(from.length()), nodes.remove(descendant));
        }
        usedBytes += cost;
        return OK;
    }

    private synchronized int chmod(String path, int permissions) {
        Node node = nodes.get(path);
        if (node == null) {
            return NOT_FOUND;
        }
        node.permissions = permissions & 07777;
        return OK;
    }

    private synchronized Answer find(String path) {
        Node node = nodes.get(path);
        if (node == null || !node.isDirectory()) {
            return new Answer(OK, new byte[0]); // the agent finds nothing below what is not a directory
        }
        StringBuilder found = new StringBuilder();
        for (String descendant : descendants(path)) {
            found.append(descendant).append('\0');
        }
        return new Answer(OK, found.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The parents of {@code path} that do not exist yet, nearest first; null when one of them is a file. */
    private List<String> missingParents(String path) {
        List<String> missing = new ArrayList<>();
        for (String parent = parentOf(path); parent != null; parent = parentOf(parent)) {
            Node node = nodes.get(parent);
            if (node == null) {
                missing.add(parent);
            } else if (!node.isDirectory()) {
                return null;
            }
        }
        return missing;
    }

    private static long costOf(List<String> entries) {
        long cost = 0;
        for (String entry : entries) {
            cost += entryCost(entry);
        }
        return cost;
    }

    private void makeAll(List<String> directories) {
        for (String directory : directories) {
            nodes.put(directory, new Node(null, 0755));
        }
    }

    private void forget(String path) {
        Node removed = nodes.remove(path);
        if (removed != null) {
            usedBytes -= entryCost(path) + (removed.isDirectory() ? 0 : removed.content.length);
        }
    }

    private static long entryCost(String path) {
        return NODE_COST + 2L * path.length();
    }

    /** Every path below {@code directory}, in order: those from "dir/" up to, not including, "dir0" ('0' follows '/'). */
    private List<String> descendants(String directory) {
        String base = directory.equals("/") ? "" : directory;
        return new ArrayList<>(nodes.subMap(base + "/", true, base + "0", false).keySet()).stream()
                .filter(path -> !path.equals("/")).toList();
    }

    private List<String> children(String directory) {
        String prefix = directory.equals("/") ? "/" : directory + "/";
        return descendants(directory).stream().filter(path -> path.indexOf('/', prefix.length()) < 0).toList();
    }

    static String parentOf(String path) {
        if (path.equals("/")) {
            return null;
        }
        int slash = path.lastIndexOf('/');
        return slash == 0 ? "/" : path.substring(0, slash);
    }

    private static String nameOf(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static int dotGroup(String name) {
        return !name.startsWith(".") ? 0 : !name.startsWith("..") ? 1 : 2;
    }

    /** "size|raw mode (hex)|mtime (s)|permissions (octal)", as the agent's statLine. */
    private static String statLine(Node node) {
        int type = node.isDirectory() ? S_IFDIR : S_IFREG;
        long size = node.isDirectory() ? 4096 : node.content.length;
        return size + "|" + Integer.toHexString(type | node.permissions) + "|" + node.mtime + "|"
                + Integer.toOctalString(node.permissions);
    }
}
