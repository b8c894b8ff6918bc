package dev.stacyvm.worker.files;

import dev.stacyvm.contract.api.FileInfo;
import dev.stacyvm.contract.api.WriteFileRequest;
import dev.stacyvm.worker.error.DirectoryNotEmptyInSandboxException;
import dev.stacyvm.worker.error.InvalidRequestException;
import dev.stacyvm.worker.error.NotPermittedInSandboxException;
import dev.stacyvm.worker.error.ProviderFailureException;
import dev.stacyvm.worker.error.SandboxDiskFullException;
import dev.stacyvm.worker.error.SandboxFileNotFoundException;
import dev.stacyvm.worker.error.SandboxOperationException;
import dev.stacyvm.worker.provider.CommandResult;
import dev.stacyvm.worker.provider.SandboxProviders;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The files API of one worker. Every operation is run by the sandbox's agent inside the sandbox,
 * as the sandbox's user (see {@link AgentFileOperation} for why that keeps the host out of reach
 * and needs nothing of the image); paths are checked and normalised here first, and the agent's
 * exit codes become typed errors.
 */
@ApplicationScoped
public class SandboxFiles {

    static final Duration QUICK = Duration.ofSeconds(60);
    static final Duration TRANSFER = Duration.ofMinutes(30);
    static final int MAX_GLOB_RESULTS = 10_000;

    @Inject
    SandboxProviders providers;

    public void write(String sandboxId, WriteFileRequest request) {
        if (request == null) {
            throw new InvalidRequestException("a body with path and content is required");
        }
        String path = SandboxPaths.normalize("path", request.path());
        String mode = SandboxPaths.mode(request.mode(), "644");
        byte[] content;
        if (WriteFileRequest.BASE64.equals(request.encoding())) {
            try {
                content = Base64.getDecoder().decode(request.content() == null ? "" : request.content());
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException("content is not valid base64");
            }
        } else if (request.encoding() == null || request.encoding().isBlank() || "utf-8".equalsIgnoreCase(request.encoding())) {
            content = request.content() == null ? new byte[0] : request.content().getBytes(StandardCharsets.UTF_8);
        } else {
            throw new InvalidRequestException("encoding must be \"base64\" or empty");
        }
        run(sandboxId, path, AgentFileOperation.WRITE, List.of(path, mode), new ByteArrayInputStream(content), null, QUICK);
    }

    /** Checks that {@code path} can be read; the bytes then come from {@link #read}. */
    public String checkReadable(String sandboxId, String rawPath) {
        String path = SandboxPaths.normalize("path", rawPath);
        run(sandboxId, path, AgentFileOperation.READ_CHECK, List.of(path), null, null, QUICK);
        return path;
    }

    public void read(String sandboxId, String path, OutputStream output) {
        run(sandboxId, path, AgentFileOperation.READ, List.of(path), null, output, TRANSFER);
    }

    public void delete(String sandboxId, String rawPath, boolean recursive) {
        String path = SandboxPaths.normalize("path", rawPath);
        run(sandboxId, path, AgentFileOperation.DELETE, List.of(path, String.valueOf(recursive)), null, null, QUICK);
    }

    public FileInfo stat(String sandboxId, String rawPath) {
        String path = SandboxPaths.normalize("path", rawPath);
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        run(sandboxId, path, AgentFileOperation.STAT, List.of(path), null, output, QUICK);
        String name = path.equals("/") ? "/" : path.substring(path.lastIndexOf('/') + 1);
        return info(output.toString(StandardCharsets.UTF_8).strip(), name, path);
    }

    public List<FileInfo> list(String sandboxId, String rawPath) {
        // without a path StacyVM lists the root
        String path = SandboxPaths.normalize("path", rawPath == null || rawPath.isEmpty() ? "/" : rawPath);
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        run(sandboxId, path, AgentFileOperation.LIST, List.of(path), null, output, QUICK);
        List<FileInfo> entries = new ArrayList<>();
        for (String record : output.toString(StandardCharsets.UTF_8).split("\0")) {
            String line = record.endsWith("\n") ? record.substring(0, record.length() - 1) : record;
            if (line.isEmpty()) {
                continue;
            }
            String[] fields = line.split("\\|", 5);
            if (fields.length == 5) {
                String entryPath = (path.equals("/") ? "" : path) + "/" + fields[4];
                entries.add(info(String.join("|", fields[0], fields[1], fields[2], fields[3]), fields[4], entryPath));
            }
        }
        return entries;
    }

    public void move(String sandboxId, String rawOld, String rawNew) {
        String oldPath = SandboxPaths.normalize("old_path", rawOld);
        String newPath = SandboxPaths.normalize("new_path", rawNew);
        run(sandboxId, oldPath, AgentFileOperation.MOVE, List.of(oldPath, newPath), null, null, QUICK);
    }

    public void chmod(String sandboxId, String rawPath, String rawMode) {
        String path = SandboxPaths.normalize("path", rawPath);
        if (rawMode == null || rawMode.isBlank()) {
            throw new InvalidRequestException("mode is required");
        }
        String mode = SandboxPaths.mode(rawMode, null);
        run(sandboxId, path, AgentFileOperation.CHMOD, List.of(path, mode), null, null, QUICK);
    }

    /** Paths matching an absolute glob (see {@link GlobPattern}), sorted; at most 10,000. */
    public List<String> glob(String sandboxId, String pattern) {
        if (pattern == null || pattern.isBlank()) {
            throw new InvalidRequestException("pattern is required");
        }
        String base = globBase(pattern);
        java.util.regex.Pattern matcher = GlobPattern.compile(pattern);
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        run(sandboxId, base, AgentFileOperation.FIND, List.of(base), null, output, QUICK);
        List<String> matches = new ArrayList<>();
        for (String candidate : output.toString(StandardCharsets.UTF_8).split("\0")) {
            if (!candidate.isEmpty() && matcher.matcher(candidate).matches()) {
                matches.add(candidate);
                if (matches.size() >= MAX_GLOB_RESULTS) {
                    break;
                }
            }
        }
        matches.sort(null);
        return matches;
    }

    /** The directory a glob starts from: its part before the first wildcard, as a checked path. */
    static String globBase(String pattern) {
        if (pattern.indexOf('\0') >= 0) {
            throw new InvalidRequestException("pattern may not contain NUL bytes");
        }
        if (!pattern.startsWith("/")) {
            throw new InvalidRequestException("pattern must be an absolute path inside the sandbox");
        }
        int wildcard = pattern.length();
        for (String meta : List.of("*", "?", "[", "{")) {
            int at = pattern.indexOf(meta);
            if (at >= 0 && at < wildcard) {
                wildcard = at;
            }
        }
        for (String part : pattern.split("/")) {
            if (part.equals("..")) {
                throw new InvalidRequestException("pattern may not contain '..'");
            }
        }
        String literal = pattern.substring(0, wildcard);
        String base = literal.substring(0, literal.lastIndexOf('/') + 1);
        return SandboxPaths.normalize("pattern", base.isEmpty() ? "/" : base);
    }

    public String checkArchivable(String sandboxId, String rawPath) {
        String path = SandboxPaths.normalize("path", rawPath);
        run(sandboxId, path, AgentFileOperation.ARCHIVE_CHECK, List.of(path), null, null, QUICK);
        return path;
    }

    public void readArchive(String sandboxId, String path, OutputStream output) {
        run(sandboxId, path, AgentFileOperation.ARCHIVE_READ, List.of(path), null, output, TRANSFER);
    }

    /** Unpacks a tar stream into a directory; an archive with a dangerous entry is refused whole. */
    public void writeArchive(String sandboxId, String rawPath, InputStream archive) {
        String path = SandboxPaths.normalize("path", rawPath);
        TarEntryGuard guarded = new TarEntryGuard(archive);
        try {
            run(sandboxId, path, AgentFileOperation.ARCHIVE_WRITE, List.of(path), guarded, null, TRANSFER);
        } catch (SandboxOperationException failed) {
            if (guarded.refusal() != null) {
                throw new InvalidRequestException("archive refused: " + guarded.refusal());
            }
            throw failed;
        }
        if (guarded.refusal() != null) {
            throw new InvalidRequestException("archive refused: " + guarded.refusal());
        }
    }

    private void run(String sandboxId, String path, AgentFileOperation operation, List<String> args, InputStream input,
                     OutputStream output, Duration timeout) {
        CommandResult result = providers.forSandbox(sandboxId).run(sandboxId, operation.argv(args), input, output, timeout);
        switch (result.exitCode()) {
            case 0 -> {
            }
            case AgentFileOperation.THROUGH_SYMLINK -> throw new InvalidRequestException(
                    "path goes through a symbolic link: " + firstLine(result.stderr()));
            case AgentFileOperation.NOT_FOUND -> throw new SandboxFileNotFoundException(path);
            case AgentFileOperation.NOT_REGULAR -> throw new InvalidRequestException("not a regular file: " + path);
            case AgentFileOperation.IS_DIRECTORY -> throw new InvalidRequestException("is a directory: " + firstLine(result.stderr()));
            case AgentFileOperation.PERMISSION_DENIED -> throw new NotPermittedInSandboxException("permission denied: " + firstLine(result.stderr()));
            case AgentFileOperation.NOT_EMPTY -> throw new DirectoryNotEmptyInSandboxException(path);
            case AgentFileOperation.NOT_DIRECTORY -> throw new InvalidRequestException("not a directory: " + firstLine(result.stderr()));
            case AgentFileOperation.BAD_ARCHIVE -> throw new InvalidRequestException("the archive could not be unpacked");
            case AgentFileOperation.DISK_FULL -> throw new SandboxDiskFullException("the sandbox's disk is full (disk_mb); nothing was written to " + path);
            default -> throw new ProviderFailureException("the file operation failed in the sandbox");
        }
    }

    private static FileInfo info(String record, String name, String path) {
        String[] fields = record.split("\\|");
        if (fields.length < 4) {
            throw new ProviderFailureException("the sandbox answered a malformed file status");
        }
        long size = Long.parseLong(fields[0]);
        int rawMode = Integer.parseInt(fields[1], 16);
        boolean isDir = (rawMode & 0xF000) == 0x4000;
        Instant modified = Instant.ofEpochSecond(Long.parseLong(fields[2]));
        String permissions = String.format("%04o", Integer.parseInt(fields[3], 8));
        return new FileInfo(name, path, size, isDir, modified, permissions);
    }

    private static String firstLine(String text) {
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }
}
