package dev.stacyvm.gateway.build;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A build's context: the tar a Dockerfile build was sent with, kept in a file while the build runs.
 * {@link #dockerfile} reads the Dockerfile from it; {@link #select} makes the tar one {@code COPY}
 * step puts into the build sandbox, following Docker's rules: a directory source copies its
 * contents, a file goes into a destination ending in {@code /} under its own name (or becomes the
 * destination otherwise), and several sources (or a pattern) need a destination directory. Only
 * regular files, directories and symbolic links are taken; a source may not leave the context.
 */
public final class BuildContext implements AutoCloseable {

    /** The longest COPY source path or pattern. */
    static final int MAX_SOURCE_LENGTH = 1024;

    /** The most a Dockerfile may hold, in bytes. */
    public static final int MAX_DOCKERFILE_BYTES = 1 << 20;

    private final Path file;

    /** Takes ownership of {@code file} (a tar), deleted on {@link #close}. */
    public BuildContext(Path file) {
        this.file = file;
    }

    /**
     * Copies the upload into a temporary file, refusing it past {@code maxBytes}.
     *
     * @throws ContextException when it is larger than {@code maxBytes}
     */
    public static BuildContext receive(InputStream upload, long maxBytes) throws IOException {
        Path file = Files.createTempFile("stacyvm-build-context", ".tar");
        try (OutputStream out = Files.newOutputStream(file)) {
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            for (int read; (read = upload.read(buffer)) > 0; ) {
                total += read;
                if (total > maxBytes) {
                    throw new ContextException("the build context is larger than " + maxBytes / (1024 * 1024) + " MiB");
                }
                out.write(buffer, 0, read);
            }
        } catch (IOException | RuntimeException failed) {
            Files.deleteIfExists(file);
            throw failed;
        }
        return new BuildContext(file);
    }

    /**
     * The text of the Dockerfile at {@code path} in the context.
     *
     * @throws ContextException when there is none, it is not a regular file or it is too large
     */
    public String dockerfile(String path) throws IOException {
        String wanted = clean(path);
        try (TarArchiveInputStream tar = open()) {
            for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
                if (!clean(entry.getName()).equals(wanted)) {
                    continue;
                }
                if (!entry.isFile()) {
                    throw new ContextException("the context's " + wanted + " is not a regular file");
                }
                if (entry.getSize() > MAX_DOCKERFILE_BYTES) {
                    throw new ContextException("the context's " + wanted + " is larger than 1 MiB");
                }
                return new String(tar.readNBytes((int) entry.getSize()), StandardCharsets.UTF_8);
            }
        } catch (IllegalArgumentException malformed) {
            throw new ContextException("the build context is not a tar archive: " + malformed.getMessage());
        }
        throw new ContextException("the build context has no " + wanted + " (send the Dockerfile at the tar's top)");
    }

    /**
     * Where a {@code COPY} step's files go and the tar that puts them there: {@code directory} is
     * the absolute directory to extract {@code tar} into.
     */
    public record Selection(String directory, Path tar, int entries) {
    }

    /**
     * The tar for one {@code COPY} of {@code sources} to {@code destination} (absolute; a trailing
     * {@code /} makes it a directory), entries owned by {@code uid}:{@code gid}.
     *
     * @throws ContextException when a source matches nothing or leaves the context, or several
     *     files go to a destination that is not a directory
     */
    public Selection select(List<String> sources, String destination, int uid, int gid) throws IOException {
        return select(sources, destination, uid, gid, () -> false);
    }

    /**
     * As {@link #select(List, String, int, int)}, giving up when {@code stop} says so (asked every
     * 256 entries): a cancel or the build's deadline ends even a long walk of the context.
     */
    public Selection select(List<String> sources, String destination, int uid, int gid,
            java.util.function.BooleanSupplier stop) throws IOException {
        List<Glob> patterns = new ArrayList<>();
        List<String> cleaned = new ArrayList<>();
        for (String source : sources) {
            String path = clean(source);
            if (path.equals("..") || path.startsWith("../")) {
                throw new ContextException("COPY source " + source + " is outside the build context");
            }
            cleaned.add(path);
            if (path.length() > MAX_SOURCE_LENGTH) {
                throw new ContextException("COPY source " + source.substring(0, 64) + "... is longer than "
                        + MAX_SOURCE_LENGTH + " characters");
            }
            patterns.add(Glob.of(path));
        }
        boolean wildcard = sources.stream().anyMatch(s -> s.contains("*") || s.contains("?") || s.contains("["));
        boolean toDirectory = destination.endsWith("/") || sources.size() > 1 || wildcard;
        String target = destination.length() > 1 && destination.endsWith("/")
                ? destination.substring(0, destination.length() - 1) : destination;
        // a lone file to a destination without "/": the file is named by the destination
        String directory = toDirectory ? target : parent(target);
        String singleName = target.substring(target.lastIndexOf('/') + 1);

        Path out = Files.createTempFile("stacyvm-build-copy", ".tar");
        int count = 0;
        boolean[] matched = new boolean[cleaned.size()];
        try (TarArchiveInputStream in = open();
             TarArchiveOutputStream tar = new TarArchiveOutputStream(new BufferedOutputStream(Files.newOutputStream(out)))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            int walked = 0;
            for (TarArchiveEntry entry; (entry = in.getNextEntry()) != null; ) {
                if (++walked % 256 == 0 && stop.getAsBoolean()) {
                    throw new ContextException("the build stopped while it read its context");
                }
                if (!entry.isFile() && !entry.isDirectory() && !entry.isSymbolicLink()) {
                    continue;
                }
                String name = clean(entry.getName());
                String relative = null;
                for (int i = 0; i < cleaned.size() && relative == null; i++) {
                    relative = relativeTo(name, cleaned.get(i), patterns.get(i));
                    if (relative != null) {
                        matched[i] = true;
                    }
                }
                if (relative == null) {
                    continue;
                }
                if (relative.isEmpty()) {
                    if (entry.isDirectory()) {
                        // the source is a directory: its contents go into the destination, a directory then
                        directory = toDirectory ? directory : target;
                        toDirectory = true;
                        continue;
                    }
                    // the source is this file: named by the destination, or its own name in a directory
                    relative = toDirectory ? name.substring(name.lastIndexOf('/') + 1) : singleName;
                } else if (!toDirectory) {
                    directory = target; // inside a directory source (a tar may lack the directory's own entry)
                    toDirectory = true;
                }
                TarArchiveEntry copy = entry.isSymbolicLink()
                        ? new TarArchiveEntry(relative, TarArchiveEntry.LF_SYMLINK)
                        : new TarArchiveEntry(relative + (entry.isDirectory() ? "/" : ""));
                if (entry.isSymbolicLink()) {
                    copy.setLinkName(entry.getLinkName());
                }
                copy.setMode(entry.getMode());
                copy.setModTime(entry.getModTime());
                copy.setIds(uid, gid);
                if (entry.isFile()) {
                    copy.setSize(entry.getSize());
                }
                tar.putArchiveEntry(copy);
                if (entry.isFile()) {
                    in.transferTo(tar);
                }
                tar.closeArchiveEntry();
                count++;
            }
            tar.finish();
        } catch (IOException | RuntimeException failed) {
            Files.deleteIfExists(out);
            if (failed instanceof IllegalArgumentException malformed && !(failed instanceof ContextException)) {
                throw new ContextException("the build context is not a tar archive: " + malformed.getMessage());
            }
            throw failed;
        }
        for (int i = 0; i < matched.length; i++) {
            if (!matched[i]) {
                Files.deleteIfExists(out);
                throw new ContextException("COPY source " + sources.get(i) + " is not in the build context");
            }
        }
        return new Selection(directory.isEmpty() ? "/" : directory, out, count);
    }

    /**
     * The path of {@code name} under the copy of {@code source}: "" for the source itself, the
     * rest for what a directory source holds, null when it is not part of this source.
     */
    private static String relativeTo(String name, String source, Glob pattern) {
        if (source.equals(".")) {
            return name.equals(".") ? "" : name;
        }
        if (pattern.matches(name)) {
            // a pattern's matches keep their own names in the destination directory
            return source.contains("*") || source.contains("?") || source.contains("[")
                    ? name.substring(name.lastIndexOf('/') + 1) : "";
        }
        // inside a matched directory: the part below it
        return pattern.below(name);
    }

    /** A context path without {@code ./}, duplicate or trailing slashes; "." for the whole context. */
    static String clean(String path) {
        List<String> parts = new ArrayList<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (parts.isEmpty() || parts.get(parts.size() - 1).equals("..")) {
                    parts.add("..");
                } else {
                    parts.remove(parts.size() - 1);
                }
                continue;
            }
            parts.add(part);
        }
        return parts.isEmpty() ? "." : String.join("/", parts);
    }

    /**
     * A Go filepath.Match pattern ({@code *}, {@code ?}, {@code [...]}, {@code [!...]}), matched a
     * path segment at a time without regular expressions: a wildcard never crosses {@code /}, and
     * a segment costs at most its length times the pattern segment's, however many wildcards.
     */
    record Glob(List<String> segments) {

        static Glob of(String pattern) {
            return new Glob(List.of(pattern.split("/")));
        }

        /** Whether {@code path} is matched whole. */
        boolean matches(String path) {
            String[] parts = path.split("/");
            return parts.length == segments.size() && prefixMatches(parts);
        }

        /** The rest of {@code path} below a directory the pattern matches, or null. */
        String below(String path) {
            String[] parts = path.split("/");
            if (parts.length <= segments.size() || !prefixMatches(parts)) {
                return null;
            }
            return String.join("/", java.util.Arrays.asList(parts).subList(segments.size(), parts.length));
        }

        private boolean prefixMatches(String[] parts) {
            for (int i = 0; i < segments.size(); i++) {
                if (!segment(segments.get(i), parts[i])) {
                    return false;
                }
            }
            return true;
        }

        /** One segment against one name: the two-pointer wildcard match, back to the last star on a miss. */
        static boolean segment(String pattern, String name) {
            int p = 0;
            int n = 0;
            int star = -1;
            int resume = 0;
            while (n < name.length()) {
                if (p < pattern.length() && pattern.charAt(p) == '*') {
                    star = p++;
                    resume = n;
                    continue;
                }
                if (p < pattern.length()) {
                    int consumed = single(pattern, p, name.charAt(n));
                    if (consumed > 0) {
                        p += consumed;
                        n++;
                        continue;
                    }
                }
                if (star < 0) {
                    return false;
                }
                p = star + 1;
                n = ++resume;
            }
            while (p < pattern.length() && pattern.charAt(p) == '*') {
                p++;
            }
            return p == pattern.length();
        }

        /** How many pattern characters at {@code p} match {@code c} (0: no match). */
        private static int single(String pattern, int p, char c) {
            char first = pattern.charAt(p);
            if (first == '?') {
                return 1;
            }
            if (first == '[') {
                int close = pattern.indexOf(']', p + 2);
                if (close < 0) {
                    return c == '[' ? 1 : 0;
                }
                String set = pattern.substring(p + 1, close);
                boolean negated = set.startsWith("!") || set.startsWith("^");
                if (negated) {
                    set = set.substring(1);
                }
                boolean found = false;
                for (int i = 0; i < set.length() && !found; i++) {
                    if (i + 2 < set.length() && set.charAt(i + 1) == '-') {
                        found = c >= set.charAt(i) && c <= set.charAt(i + 2);
                        i += 2;
                    } else {
                        found = set.charAt(i) == c;
                    }
                }
                return found != negated ? close - p + 1 : 0;
            }
            if (first == '\\' && p + 1 < pattern.length()) {
                return pattern.charAt(p + 1) == c ? 2 : 0;
            }
            return first == c ? 1 : 0;
        }
    }

    private static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    private TarArchiveInputStream open() throws IOException {
        return new TarArchiveInputStream(new BufferedInputStream(Files.newInputStream(file)));
    }

    @Override
    public void close() throws IOException {
        Files.deleteIfExists(file);
    }

    /** A context the build cannot use: the message says why, for the caller. */
    public static final class ContextException extends IllegalArgumentException {

        public ContextException(String message) {
            super(message);
        }
    }
}
