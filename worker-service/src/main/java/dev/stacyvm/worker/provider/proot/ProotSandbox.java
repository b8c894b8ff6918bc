package dev.stacyvm.worker.provider.proot;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.stacyvm.worker.error.RuntimeNotFoundException;
import dev.stacyvm.worker.provider.local.LocalSandbox;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.Optional;

/**
 * What the worker keeps about one PRoot sandbox, in its folder's {@code sandbox.json}: whose it is,
 * the {@code unshare} process that holds it (found again after a worker restart), its limits as
 * asked and the bytes its image took, from which what it wrote is counted.
 *
 * @param pid        the host's pid of the sandbox's {@code unshare}
 * @param imageBytes bytes under its root filesystem when it was made
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
record ProotSandbox(String sandboxId, String workerId, String runtimeId, long pid, int memoryMb, int vcpus, int pidsLimit,
                    long imageBytes, Instant createdAt) implements LocalSandbox {

    static final String STATE = "sandbox.json";

    @Override
    public boolean running(Path folder) {
        return process().isPresent();
    }
    static final String LOG = "main.log";

    void write(Path folder, ObjectMapper mapper) throws IOException {
        Path temporary = folder.resolve(STATE + ".new");
        mapper.writeValue(temporary.toFile(), this);
        Files.move(temporary, folder.resolve(STATE), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    static ProotSandbox read(Path folder, ObjectMapper mapper) {
        try {
            return mapper.readValue(folder.resolve(STATE).toFile(), ProotSandbox.class);
        } catch (IOException e) {
            throw new RuntimeNotFoundException(folder.getFileName().toString());
        }
    }

    /**
     * The sandbox's {@code unshare} while it runs: the pid alive, and still this sandbox's (its
     * command line names the sandbox's folder), so a reused pid is never taken for it.
     */
    Optional<ProcessHandle> process() {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(handle -> {
            try {
                byte[] cmdline = Files.readAllBytes(Path.of("/proc", String.valueOf(pid), "cmdline"));
                return new String(cmdline, StandardCharsets.UTF_8).contains("/" + sandboxId + "/rootfs");
            } catch (IOException gone) {
                return false;
            }
        });
    }

    /** Bytes of the regular files under {@code root}, links not followed; what cannot be read is left out. */
    static long bytesUnder(Path root) {
        long[] total = {0};
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                    if (attributes.isRegularFile()) {
                        total[0] += attributes.size();
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException failed) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // what was counted stands
        }
        return total[0];
    }

}
