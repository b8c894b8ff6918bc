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
import java.util.Map;
import java.util.TreeMap;

/**
 * A mock sandbox's file tree, held in memory, answering the agent's {@code files} operations
 * (agent/README.md) with the agent's exit codes and output formats, so that the worker's files API
 * works on it unchanged. Paths arrive normalised (absolute, no {@code .} or {@code ..}); there are no
 * links, owners or permission checks. Every file's bytes count against {@code maxBytes}: a write
 * past it is refused whole with 47 (disk full), as the agent's is on a full disk.
 *
 * <p>Thread-safe: each operation runs under the tree's lock.
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

    private static final int S_IFDIR = 0x4000;
    private static final int S_IFREG = 0x8000;
    private static final int MAX_LISTED = 10_000;

    /** A file or a directory: its bytes (null for a directory), permissions and modification time (s). */
    private static final class Node {
        byte[] content;
        int permissions;
        long mtime;

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
    private long usedBytes;

    /** @param maxBytes the most all files together may hold, in bytes */
    MemoryFiles(long maxBytes, List<String> directories) {
        this.maxBytes = maxBytes;
        nodes.put("/", new Node(null, 0755));
        for (String directory : directories) {
            nodes.put(directory, new Node(null, 0755));
        }
    }

    /** The bytes all files hold now. */
    synchronized long usedBytes() {
        return usedBytes;
    }

    /** Whether {@code path} is a directory. */
    synchronized boolean isDirectory(String path) {
        Node node = nodes.get(path);
        return node != null && node.isDirectory();
    }

    /** The file's bytes, or null when it is missing or a directory. */
    synchronized byte[] content(String path) {
        Node node = nodes.get(path);
        return node == null || node.isDirectory() ? null : node.content.clone();
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
    synchronized CommandResult run(String operation, List<String> arguments, InputStream input, OutputStream output) {
        String path = arguments.get(0);
        try {
            int code = switch (operation) {
                case "read-check" -> readCheck(path);
                case "read" -> read(path, output);
                case "write" -> write(path, Integer.parseInt(arguments.get(1), 8), input);
                case "delete" -> delete(path, Boolean.parseBoolean(arguments.get(1)));
                case "stat" -> stat(path, output);
                case "list" -> list(path, output);
                case "move" -> move(path, arguments.get(1));
                case "chmod" -> chmod(path, Integer.parseInt(arguments.get(1), 8));
                case "find" -> find(path, output);
                default -> throw new IllegalArgumentException("unknown operation " + operation);
            };
            return new CommandResult(code, code == OK ? "" : path + "\n");
        } catch (IOException failed) {
            throw new UncheckedIOException(failed);
        }
    }

    private int readCheck(String path) {
        Node node = nodes.get(path);
        return node == null ? NOT_FOUND : node.isDirectory() ? IS_DIRECTORY : OK;
    }

    private int read(String path, OutputStream output) throws IOException {
        int check = readCheck(path);
        if (check == OK && output != null) {
            output.write(nodes.get(path).content);
        }
        return check;
    }

    private int write(String path, int permissions, InputStream input) throws IOException {
        Node existing = nodes.get(path);
        if (existing != null && existing.isDirectory()) {
            return IS_DIRECTORY;
        }
        int parents = parentsFor(path);
        if (parents != OK) {
            return parents;
        }
        long room = maxBytes - usedBytes + (existing == null ? 0 : existing.content.length);
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        if (input != null) {
            byte[] buffer = new byte[64 * 1024];
            for (int read; (read = input.read(buffer)) > 0; ) {
                if (content.size() + (long) read > room) {
                    input.transferTo(OutputStream.nullOutputStream());
                    return DISK_FULL;
                }
                content.write(buffer, 0, read);
            }
        }
        makeParents(path);
        usedBytes += content.size() - (existing == null ? 0 : existing.content.length);
        nodes.put(path, new Node(content.toByteArray(), permissions & 07777));
        return OK;
    }

    private int delete(String path, boolean recursive) {
        Node node = nodes.get(path);
        if (node == null) {
            return NOT_FOUND;
        }
        if (path.equals("/")) {
            return DENIED;
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

    private int stat(String path, OutputStream output) throws IOException {
        Node node = nodes.get(path);
        if (node == null) {
            return NOT_FOUND;
        }
        if (output != null) {
            output.write((statLine(node) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return OK;
    }

    private int list(String path, OutputStream output) throws IOException {
        Node node = nodes.get(path);
        if (node == null) {
            return NOT_FOUND;
        }
        if (!node.isDirectory()) {
            return NOT_DIRECTORY;
        }
        List<String> entries = new ArrayList<>(children(path));
        // the agent's order: names without a leading dot, then with one, then with two; each by bytes
        entries.sort(Comparator.comparingInt((String child) -> dotGroup(nameOf(child))).thenComparing(MemoryFiles::nameOf));
        StringBuilder records = new StringBuilder();
        for (String child : entries.subList(0, Math.min(entries.size(), MAX_LISTED))) {
            records.append(statLine(nodes.get(child))).append('|').append(nameOf(child)).append("\n\0");
        }
        if (output != null) {
            output.write(records.toString().getBytes(StandardCharsets.UTF_8));
        }
        return OK;
    }

    private int move(String from, String to) {
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
                return NOT_EMPTY;
            }
        } else if (target != null && source.isDirectory()) {
            return NOT_DIRECTORY;
        }
        if (destination.equals(from)) {
            return OK;
        }
        if (destination.startsWith(from + "/")) {
            return DENIED; // into itself, as mv refuses
        }
        int parents = parentsFor(destination);
        if (parents != OK) {
            return parents;
        }
        makeParents(destination);
        if (target != null && !target.isDirectory()) {
            forget(to);
        }
        List<String> below = descendants(from);
        nodes.put(destination, nodes.remove(from));
        for (String descendant : below) {
            nodes.put(destination + descendant.substring(from.length()), nodes.remove(descendant));
        }
        return OK;
    }

    private int chmod(String path, int permissions) {
        Node node = nodes.get(path);
        if (node == null) {
            return NOT_FOUND;
        }
        node.permissions = permissions & 07777;
        return OK;
    }

    private int find(String path, OutputStream output) throws IOException {
        Node node = nodes.get(path);
        if (node == null || !node.isDirectory()) {
            return OK; // the agent finds nothing below what is not a directory
        }
        StringBuilder found = new StringBuilder();
        for (String descendant : descendants(path)) {
            found.append(descendant).append('\0');
        }
        if (output != null) {
            output.write(found.toString().getBytes(StandardCharsets.UTF_8));
        }
        return OK;
    }

    /** OK when every parent of {@code path} is a directory or missing; 46 when one is a file. */
    private int parentsFor(String path) {
        for (String parent = parentOf(path); parent != null; parent = parentOf(parent)) {
            Node node = nodes.get(parent);
            if (node != null && !node.isDirectory()) {
                return NOT_DIRECTORY;
            }
        }
        return OK;
    }

    private void makeParents(String path) {
        for (String parent = parentOf(path); parent != null; parent = parentOf(parent)) {
            nodes.putIfAbsent(parent, new Node(null, 0755));
        }
    }

    private void forget(String path) {
        Node removed = nodes.remove(path);
        if (removed != null && !removed.isDirectory()) {
            usedBytes -= removed.content.length;
        }
    }

    /** Every path below {@code directory}, in order. */
    private List<String> descendants(String directory) {
        String prefix = directory.equals("/") ? "/" : directory + "/";
        Map<String, Node> below = nodes.subMap(prefix, true, prefix + Character.MAX_VALUE, true);
        return below.keySet().stream().filter(path -> !path.equals("/")).toList();
    }

    private List<String> children(String directory) {
        String prefix = directory.equals("/") ? "/" : directory + "/";
        return descendants(directory).stream().filter(path -> path.indexOf('/', prefix.length()) < 0).toList();
    }

    private static String parentOf(String path) {
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
