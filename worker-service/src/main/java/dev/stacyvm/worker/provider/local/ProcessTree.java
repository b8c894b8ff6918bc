package dev.stacyvm.worker.provider.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A host process and its descendants as the host's {@code /proc} shows them (proc(5)): their CPU
 * time and resident memory. Without a cgroup this is how a local sandbox's stats are counted (a
 * PRoot sandbox's {@code unshare} and all under it, a microVM's QEMU).
 */
public final class ProcessTree {

    /** Clock ticks per second of {@code /proc/[pid]/stat}'s times (USER_HZ, 100 on Linux). */
    private static final long TICKS = 100;
    private static final long PAGE = 4096;

    /** One reading: the processes below the root, CPU ticks they used in all, resident bytes, and when. */
    public record Sample(long processes, long ticks, long rssBytes, long at) {
    }

    private ProcessTree() {
    }

    /**
     * {@code rootPid} and every process below it; the first {@code machinery} of them (a sandbox's
     * own machinery: PRoot's {@code unshare} and PRoot) are left out of the count, not of CPU and memory.
     */
    public static Sample sample(long rootPid, int machinery) {
        Map<Long, Long> parents = new HashMap<>();
        Map<Long, long[]> usage = new HashMap<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            for (Path entry : entries.toList()) {
                String name = entry.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String stat = Files.readString(entry.resolve("stat"), StandardCharsets.UTF_8);
                    // the command may hold spaces and parentheses: fields follow its last ')'
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long pid = Long.parseLong(name);
                    parents.put(pid, Long.parseLong(fields[1]));
                    // utime, stime, and cutime, cstime: what its children that ended used counts too
                    usage.put(pid, new long[] {Long.parseLong(fields[11]) + Long.parseLong(fields[12])
                            + Long.parseLong(fields[13]) + Long.parseLong(fields[14]), Long.parseLong(fields[21])});
                } catch (IOException | RuntimeException gone) {
                    // the process ended while it was read
                }
            }
        } catch (IOException e) {
            return new Sample(0, 0, 0, System.nanoTime());
        }
        Map<Long, List<Long>> children = new HashMap<>();
        parents.forEach((pid, parent) -> children.computeIfAbsent(parent, key -> new java.util.ArrayList<>()).add(pid));
        Set<Long> tree = new HashSet<>();
        ArrayDeque<Long> queue = new ArrayDeque<>(List.of(rootPid));
        while (!queue.isEmpty() && tree.size() < 100_000) {
            long pid = queue.poll();
            if (tree.add(pid)) {
                queue.addAll(children.getOrDefault(pid, List.of()));
            }
        }
        long ticks = 0;
        long rss = 0;
        for (long pid : tree) {
            long[] used = usage.get(pid);
            if (used != null) {
                ticks += used[0];
                rss += used[1] * PAGE;
            }
        }
        return new Sample(Math.max(0, tree.size() - machinery), ticks, rss, System.nanoTime());
    }

    /**
     * Kills a sandbox's host process and waits up to 10 s for it to end (logged when it does not:
     * the kill was sent, the sandbox's folder goes anyway).
     */
    public static void kill(ProcessHandle process, String what) {
        process.destroyForcibly();
        try {
            process.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception stillThere) {
            io.quarkus.logging.Log.warnf("%s did not end within 10 s of its kill", what);
        }
    }

    /** CPU between two samples, in percent of one core. */
    public static double cpuPercent(Sample first, Sample second) {
        double seconds = (second.at() - first.at()) / 1e9;
        if (seconds <= 0) {
            return 0;
        }
        return Math.max(0, (second.ticks() - first.ticks()) / (double) TICKS / seconds * 100);
    }

    /** Whether {@code argv} runs and exits 0 within 10 seconds. */
    public static boolean runs(List<String> argv) {
        return runs(argv, null);
    }

    /** Whether {@code argv} runs and exits 0 within 10 seconds, its output into {@code log} when not null. */
    public static boolean runs(List<String> argv, Path log) {
        try {
            Process process = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectOutput(log == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return false;
            }
            return process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * The first match of {@code pattern}'s group 1 in what {@code argv} prints within 10 seconds
     * (a tool's {@code --version}), or empty.
     */
    public static Optional<String> version(List<String> argv, String pattern) {
        try {
            Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readNBytes(4096), StandardCharsets.UTF_8);
            process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            java.util.regex.Matcher version = java.util.regex.Pattern.compile(pattern).matcher(output);
            return version.find() ? Optional.of(version.group(1)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /**
     * The absolute path of host program {@code name} on the worker's own {@code PATH} (with the
     * system folders after it), so that no sandbox's environment decides which program runs on the
     * host; the bare name when none is found (the provider's health check then fails saying so).
     */
    public static String locate(String name) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
        for (String folder : path.split(":")) {
            if (folder.startsWith("/")) {
                Path candidate = Path.of(folder, name);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return candidate.toString();
                }
            }
        }
        return name;
    }
}
