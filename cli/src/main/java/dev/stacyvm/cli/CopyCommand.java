package dev.stacyvm.cli;

import dev.stacyvm.client.RemoteSandbox;
import dev.stacyvm.client.StacyVMClient;
import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.contract.api.FileInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code cp SRC DST}, one side {@code ID:/path}: a file as it is, a folder as a tar stream. A
 * download never writes outside its target folder and never recreates links or devices.
 */
@Command(name = "cp", mixinStandardHelpOptions = true,
        description = {"Copy between this machine and a sandbox; one side is ID:/path.", "Folders go as tar."})
final class CopyCommand extends ApiCommand {

    private static final Pattern REMOTE = Pattern.compile("(sb-[a-z0-9]+):(/.*)");

    @Parameters(index = "0", paramLabel = "SRC", description = "a local path, or ID:/path")
    String source;
    @Parameters(index = "1", paramLabel = "DST", description = "a local path, or ID:/path")
    String target;

    CopyCommand(CliContext context) {
        super(context);
    }

    @Override
    public Integer call() {
        StacyVMClient client = client();
        Output output = output();
        Matcher from = REMOTE.matcher(source);
        Matcher to = REMOTE.matcher(target);
        try {
            if (to.matches() && !from.matches()) {
                upload(Path.of(source), client.get(to.group(1)), to.group(2));
            } else if (from.matches() && !to.matches()) {
                download(client.get(from.group(1)), from.group(2), Path.of(target));
            } else {
                throw new UsageException("cp copies between this machine and a sandbox: one side is ID:/path");
            }
        } catch (IOException e) {
            throw new UsageException("cp: " + e.getMessage());
        }
        output.value(Map.of("source", source, "target", target, "status", "copied"), done -> null);
        return 0;
    }

    private static void upload(Path local, RemoteSandbox sandbox, String remote) throws IOException {
        if (!Files.exists(local)) {
            throw new UsageException("cp: " + local + " does not exist");
        }
        Path archive = Files.createTempFile("stacyvm-cp-", ".tar");
        try {
            String directory;
            try (TarArchiveOutputStream tar = new TarArchiveOutputStream(Files.newOutputStream(archive))) {
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                if (Files.isDirectory(local)) {
                    // the folder's contents land in the remote folder
                    directory = remote;
                    try (Stream<Path> walk = Files.walk(local)) {
                        for (Path path : walk.sorted().toList()) {
                            if (!path.equals(local)) {
                                add(tar, path, local.relativize(path).toString().replace('\\', '/'));
                            }
                        }
                    }
                } else {
                    // into an existing folder under its own name, otherwise under the name given
                    boolean intoFolder = isDirectory(sandbox, remote);
                    String name = intoFolder ? local.getFileName().toString() : Path.of(remote).getFileName().toString();
                    directory = intoFolder ? remote : parentOf(remote);
                    add(tar, local, name);
                }
            }
            try (InputStream in = Files.newInputStream(archive)) {
                sandbox.putArchive(directory, in);
            }
        } finally {
            Files.deleteIfExists(archive);
        }
    }

    private static void add(TarArchiveOutputStream tar, Path path, String name) throws IOException {
        if (Files.isSymbolicLink(path) || !(Files.isDirectory(path) || Files.isRegularFile(path))) {
            return;
        }
        TarArchiveEntry entry = new TarArchiveEntry(path.toFile(), Files.isDirectory(path) ? name + "/" : name);
        tar.putArchiveEntry(entry);
        if (Files.isRegularFile(path)) {
            Files.copy(path, tar);
        }
        tar.closeArchiveEntry();
    }

    private static void download(RemoteSandbox sandbox, String remote, Path local) throws IOException {
        if (isDirectory(sandbox, remote)) {
            Files.createDirectories(local);
            Path root = local.toRealPath();
            try (TarArchiveInputStream tar = new TarArchiveInputStream(sandbox.getArchive(remote))) {
                TarArchiveEntry entry;
                while ((entry = tar.getNextEntry()) != null) {
                    Path target = root.resolve(entry.getName()).normalize();
                    if (!target.startsWith(root)) {
                        throw new UsageException("cp: archive entry " + entry.getName() + " would land outside " + local);
                    }
                    if (entry.isDirectory()) {
                        Files.createDirectories(target);
                    } else if (entry.isFile()) {
                        Files.createDirectories(target.getParent());
                        Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            return;
        }
        Path target = Files.isDirectory(local) ? local.resolve(Path.of(remote).getFileName().toString()) : local;
        try (InputStream in = sandbox.readFile(remote); OutputStream out = Files.newOutputStream(target)) {
            in.transferTo(out);
        }
    }

    private static boolean isDirectory(RemoteSandbox sandbox, String remote) {
        try {
            FileInfo info = sandbox.stat(remote);
            return info.isDir();
        } catch (ApiException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                return false;
            }
            throw e;
        }
    }

    private static String parentOf(String remote) {
        Path parent = Path.of(remote).getParent();
        return parent == null ? "/" : parent.toString();
    }
}
