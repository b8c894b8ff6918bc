package dev.stacyvm.worker.service;

import com.github.dockerjava.api.DockerClient;
import dev.stacyvm.contract.api.HostCapacity;
import dev.stacyvm.worker.config.WorkerConfig;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * What this worker's host can hold, as the worker advertises it to the scheduler: memory from
 * /proc/meminfo less the host's reserve, vCPUs as cores times the overcommit ratio, and a pids
 * budget from the kernel's process and thread limits less a reserve, the cores (the most vCPUs
 * one sandbox may have: the engine refuses more) and the per-sandbox pids_limit ceiling; each
 * can be set instead. Disk comes from the filesystem holding the engine's data root
 * ({@code DockerRootDir} of the engine's info, read with statvfs, which needs no access to the
 * folder itself): its size less a reserve is the largest disk_mb one sandbox may have, that times
 * the disk overcommit ratio the sum sandboxes may declare, and its free space less the reserve,
 * measured again on every heartbeat because sandboxes fill it, what a new sandbox may count on.
 */
@ApplicationScoped
public class HostCapacityProbe {

    private static final Path MEMINFO = Path.of("/proc/meminfo");
    private static final Path PID_MAX = Path.of("/proc/sys/kernel/pid_max");
    private static final Path THREADS_MAX = Path.of("/proc/sys/kernel/threads-max");

    @Inject
    WorkerConfig config;

    @Inject
    DockerClient docker;

    private volatile HostCapacity measured;
    private volatile Path dataRoot;
    private volatile boolean dataRootWarned;

    /**
     * The host's capacity: memory, vCPUs and pids measured once (they do not change under a
     * running worker), the free disk measured now.
     */
    public HostCapacity capacity() {
        HostCapacity capacity = measured;
        if (capacity == null) {
            capacity = measure(config.host(), memTotalMb(readLines(MEMINFO)), Runtime.getRuntime().availableProcessors(),
                    readLong(PID_MAX), readLong(THREADS_MAX));
            Log.infof("this host holds %d MiB, %d vCPUs and %d pids of sandboxes (at most %d vCPUs and %d pids each)",
                    capacity.memoryMb(), capacity.vcpus(), capacity.pids(), capacity.cores(), capacity.maxPidsLimit());
            measured = capacity;
        }
        FileStore store = dataRootStore();
        return withDisk(capacity, config.host(), sizeMb(store, false), sizeMb(store, true));
    }

    /**
     * {@code capacity} with its disk figures: the largest disk_mb one sandbox may have (the setting,
     * else the data root's size less the reserve), the sum they may declare (that times the
     * overcommit ratio) and the MiB free now less the reserve (never more than the first). A figure
     * that cannot be read is 0: a host whose disk cannot be measured is given nothing.
     */
    static HostCapacity withDisk(HostCapacity capacity, WorkerConfig.Host host, OptionalLong sizeMb, OptionalLong freeMb) {
        long largest = host.diskMb().orElseGet(() -> sizeMb.orElse(0) - host.diskReserveMb());
        largest = Math.max(0, largest);
        long budget = (long) Math.floor(largest * host.diskOvercommit());
        long free = Math.max(0, Math.min(largest, freeMb.orElse(0) - host.diskReserveMb()));
        return capacity.withDisk(budget, largest, free);
    }

    /** The size, or the MiB free for unprivileged writers, of {@code store}; empty when unreadable. */
    private static OptionalLong sizeMb(FileStore store, boolean free) {
        if (store == null) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of((free ? store.getUsableSpace() : store.getTotalSpace()) / (1024 * 1024));
        } catch (IOException unreadable) {
            Log.warnf("cannot measure the engine's disk: %s", unreadable.toString());
            return OptionalLong.empty();
        }
    }

    /** The filesystem of the engine's data root, or null when it cannot be found. */
    private FileStore dataRootStore() {
        try {
            Path root = dataRoot;
            if (root == null) {
                String reported = docker.infoCmd().exec().getDockerRootDir();
                if (reported == null || reported.isBlank()) {
                    return null;
                }
                root = Path.of(reported);
                dataRoot = root;
            }
            return Files.getFileStore(root);
        } catch (IOException | RuntimeException unreadable) {
            if (!dataRootWarned) {
                dataRootWarned = true;
                Log.warnf("cannot measure the disk of the engine's data root (%s): this host advertises no disk, so "
                        + "it gets no sandboxes; the worker's user needs search permission on its parent folders",
                        unreadable.toString());
            }
            return null;
        }
    }

    /**
     * The capacity from the settings and what the host reports ({@code memTotalMb},
     * {@code pidMax}, {@code threadsMax} empty when unreadable: then that budget is 0 unless set,
     * so a host we cannot read is given nothing rather than everything).
     */
    static HostCapacity measure(WorkerConfig.Host host, OptionalLong memTotalMb, int processors, OptionalLong pidMax,
            OptionalLong threadsMax) {
        long memory = host.memoryMb().map(OptionalLong::of).orElse(memTotalMb).orElse(0);
        long memoryMb = Math.max(0, memory - host.memoryReserveMb());
        int cpus = host.cpus().orElse(processors);
        long vcpus = Math.max(0, (long) Math.floor(cpus * host.vcpuOvercommit()));
        long pids;
        if (host.pids().isPresent()) {
            pids = host.pids().get();
        } else if (pidMax.isPresent() && threadsMax.isPresent()) {
            pids = Math.max(0, Math.min(pidMax.getAsLong(), threadsMax.getAsLong()) - host.pidsReserve());
        } else {
            pids = 0;
        }
        long maxPidsLimit = Math.max(0, Math.min(host.maxPidsLimit(), pids));
        return new HostCapacity(memoryMb, vcpus, pids, Math.max(0, cpus), maxPidsLimit, 0, 0, 0);
    }

    /** MemTotal of /proc/meminfo in MiB. */
    static OptionalLong memTotalMb(List<String> meminfo) {
        for (String line : meminfo) {
            if (line.startsWith("MemTotal:")) {
                String[] parts = line.substring("MemTotal:".length()).trim().split("\\s+");
                try {
                    return OptionalLong.of(Long.parseLong(parts[0]) / 1024);
                } catch (NumberFormatException e) {
                    return OptionalLong.empty();
                }
            }
        }
        return OptionalLong.empty();
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            Log.warnf("cannot read %s: %s", file, e.toString());
            return List.of();
        }
    }

    private static OptionalLong readLong(Path file) {
        try {
            // line by line: Files.readString of a /proc/sys file (size 0) answered "3" for pid_max 32768
            List<String> lines = Files.readAllLines(file);
            return lines.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(lines.get(0).trim()));
        } catch (IOException | NumberFormatException e) {
            Log.warnf("cannot read %s: %s", file, e.toString());
            return OptionalLong.empty();
        }
    }
}
