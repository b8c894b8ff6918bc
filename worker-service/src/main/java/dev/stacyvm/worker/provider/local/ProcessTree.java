package dev.stacyvm.worker.provider.proot;

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
 * A PRoot sandbox's processes as the host's {@code /proc} shows them (proc(5)): every descendant of
 * its {@code unshare}, their CPU time and resident memory. Without a cgroup this is how its stats
 * are counted.
 */
final class ProcessTree {

    /** Clock ticks per second of {@code /proc/[pid]/stat}'s times (USER_HZ, 100 on Linux). */
    private static final long TICKS = 100;
    private static final long PAGE = 4096;

    /** One reading: the processes below the root, CPU ticks they used in all, resident bytes, and when. */
    record Sample(long processes, long ticks, long rssBytes, long at) {
    }

    private ProcessTree() {
    }

    /** The processes below {@code rootPid} (it and PRoot itself left out of the count, not of CPU and memory). */
    static Sample sample(long rootPid) {
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
        // unshare and PRoot (the namespace's first process) are the sandbox's machinery, not its processes
        return new Sample(Math.max(0, tree.size() - 2), ticks, rss, System.nanoTime());
    }

    /** CPU between two samples, in percent of one core. */
    static double cpuPercent(Sample first, Sample second) {
        double seconds = (second.at() - first.at()) / 1e9;
        if (seconds <= 0) {
            return 0;
        }
        return Math.max(0, (second.ticks() - first.ticks()) / (double) TICKS / seconds * 100);
    }

    /** Whether {@code argv} runs and exits 0 within 10 seconds. */
    static boolean runs(List<String> argv) {
        try {
            Process process = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
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

    /** PRoot's version as {@code proot --version} prints it ({@code v5.1.0}). */
    static Optional<String> prootVersion() {
        try {
            Process process = new ProcessBuilder("proot", "--version").redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readNBytes(4096), StandardCharsets.UTF_8);
            process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            java.util.regex.Matcher version = java.util.regex.Pattern.compile("v(\\d+\\.\\d+(\\.\\d+)?)").matcher(output);
            return version.find() ? Optional.of("proot " + version.group(1)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
