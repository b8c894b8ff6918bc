package dev.stacyvm.worker.provider.microvm;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.stacyvm.worker.error.RuntimeNotFoundException;
import dev.stacyvm.worker.provider.local.LocalSandbox;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Optional;

/**
 * What the worker keeps about one microVM sandbox, in its folder's {@code sandbox.json}: whose it
 * is, the host processes that hold it (QEMU, and the {@code vmlink} that links the guest's agent to
 * the sandbox's socket; both found again after a worker restart) and its limits as asked.
 *
 * @param qemuPid the host's pid of the sandbox's QEMU
 * @param linkPid the host's pid of its {@code stacyvm-agent vmlink}
 * @param diskLimitMb what the sandbox user may write to its disk (its quota), MiB; 0 when nothing
 *                    holds it but the disk's free space (a root sandbox)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
record MicrovmSandbox(String sandboxId, String workerId, String runtimeId, long qemuPid, long linkPid, int memoryMb, int vcpus,
                      int pidsLimit, int diskLimitMb, Instant createdAt) implements LocalSandbox {

    static final String STATE = "sandbox.json";

    @Override
    public boolean running(Path folder) {
        return qemu(folder).isPresent();
    }
    /** The guest's serial console: its kernel's and its agent's output, the sandbox's log. */
    static final String CONSOLE = "console.log";
    static final String DISK = "disk.qcow2";

    void write(Path folder, ObjectMapper mapper) throws IOException {
        Path temporary = folder.resolve(STATE + ".new");
        mapper.writeValue(temporary.toFile(), this);
        Files.move(temporary, folder.resolve(STATE), StandardCopyOption.ATOMIC_MOVE);
    }

    static MicrovmSandbox read(Path folder, ObjectMapper mapper) {
        try {
            return mapper.readValue(folder.resolve(STATE).toFile(), MicrovmSandbox.class);
        } catch (IOException e) {
            throw new RuntimeNotFoundException(folder.getFileName().toString());
        }
    }

    /**
     * The sandbox's QEMU while it runs (a reused pid is never taken for it: see {@link #owned}).
     *
     * @param folder the sandbox's folder, as the worker started QEMU in it
     */
    Optional<ProcessHandle> qemu(Path folder) {
        // as QemuCommand writes it inside an option, a comma doubled
        return owned(qemuPid, "file=" + folder.toString().replace(",", ",,") + "/" + DISK + ",");
    }

    /** The sandbox's {@code vmlink} while it runs. */
    Optional<ProcessHandle> link(Path folder) {
        return owned(linkPid, "\0" + folder + "/run/");
    }

    /** The process {@code pid} while alive and still this sandbox's: its command line holds {@code mark}, naming the folder. */
    private static Optional<ProcessHandle> owned(long pid, String mark) {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(handle -> {
            try {
                byte[] cmdline = Files.readAllBytes(Path.of("/proc", String.valueOf(pid), "cmdline"));
                return ("\0" + new String(cmdline, StandardCharsets.UTF_8)).contains(mark);
            } catch (IOException gone) {
                return false;
            }
        });
    }
}
