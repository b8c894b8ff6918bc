package dev.stacyvm.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The CPU time (user plus system) the suite and the container engine spend between two readings,
 * from proc(5): fields 14-17 of {@code /proc/[pid]/stat} (utime, stime, cutime, cstime, in clock
 * ticks of {@code getconf CLK_TCK}). The benchmark reads it before and after each measured phase.
 *
 * <p>What it counts:
 * <ul>
 * <li>services: the five JVMs of the pid files in the run directory, and any child of theirs;
 * <li>postgres: the postmaster (first line of {@code postmaster.pid} in its data directory) and all
 * its descendants, the backends among them;
 * <li>kafka: the broker's JVM ({@code kafka.pid} in the run directory);
 * <li>engine: {@code dockerd} and {@code containerd} with their descendants (docker-proxy, the
 * engine's helpers), and every {@code containerd-shim*} process, the shim's own time only.
 * </ul>
 * A process alive at both readings counts the difference, a new one all its time. The time of a
 * process that exits in between is added by the kernel to its parent's cutime/cstime when the
 * parent reaps it (a backend's to the postmaster's): for a process counted with its children that
 * difference is counted too, and the exited process's time at the first reading is taken off. The
 * shims' cutime/cstime is never counted: the kernel puts there the containers' own processes
 * (which are not the engine's) together with runc, so runc's CPU is not counted either. A process
 * that vanishes while it is read is skipped.
 */
public final class CpuMeter {

    /** Who a process's CPU is put down to. */
    public enum Group {
        SERVICES, POSTGRES, KAFKA, ENGINE
    }

    /**
     * The fields of one {@code /proc/[pid]/stat} line this meter uses (proc(5) field numbers):
     * pid (1), comm (2), ppid (4), utime (14), stime (15), cutime (16), cstime (17), all times in
     * clock ticks, and starttime (22), which tells a process from a later one with the same pid.
     */
    public record Stat(long pid, String comm, long ppid, long utime, long stime, long cutime, long cstime,
                       long startTime) {

        /**
         * Parses one line of {@code /proc/[pid]/stat}. The comm field (2) is in parentheses and may
         * itself hold spaces and parentheses: the fields after it are read after the line's last
         * {@code ')'}.
         *
         * @throws IllegalArgumentException when the line is not one
         */
        public static Stat parse(String line) {
            int open = line.indexOf('(');
            int close = line.lastIndexOf(')');
            if (open < 1 || close < open) {
                throw new IllegalArgumentException("not a /proc/[pid]/stat line: " + line);
            }
            // rest[0] is field 3 (state): field n is rest[n - 3]
            String[] rest = line.substring(close + 1).trim().split(" +");
            if (rest.length < 20) {
                throw new IllegalArgumentException("too few fields in /proc/[pid]/stat: " + line);
            }
            try {
                return new Stat(Long.parseLong(line.substring(0, open).trim()), line.substring(open + 1, close),
                        Long.parseLong(rest[1]), Long.parseLong(rest[11]), Long.parseLong(rest[12]),
                        Long.parseLong(rest[13]), Long.parseLong(rest[14]), Long.parseLong(rest[19]));
            } catch (NumberFormatException notANumber) {
                throw new IllegalArgumentException("not a /proc/[pid]/stat line: " + line, notANumber);
            }
        }

        /** Its own user and system time, in clock ticks (fields 14 and 15). */
        public long own() {
            return utime + stime;
        }

        /** That and its waited-for children's (fields 16 and 17), in clock ticks. */
        public long withChildren() {
            return utime + stime + cutime + cstime;
        }
    }

    /**
     * CPU time in seconds (user plus system), by group; {@link #suite()} is services, postgres and
     * kafka together. Per operation once divided by the operation count ({@link #per(double)}).
     */
    public record Usage(double services, double postgres, double kafka, double engine) {

        /** The suite's part in seconds: its services' JVMs, PostgreSQL and Kafka. */
        public double suite() {
            return services + postgres + kafka;
        }

        /** Each figure divided by {@code count}: seconds per operation when given the operation count. */
        public Usage per(double count) {
            return new Usage(services / count, postgres / count, kafka / count, engine / count);
        }
    }

    /** A process as counted at one reading: its group, and whether its children's time counts. */
    record Counted(Stat stat, Group group, boolean children) {

        long ticks() {
            return children ? stat.withChildren() : stat.own();
        }
    }

    /** Identity of a process across readings: a pid may be reused, its start time tells them apart. */
    record Key(long pid, long startTime) {

        static Key of(Stat stat) {
            return new Key(stat.pid(), stat.startTime());
        }
    }

    /** The counted processes at one moment. */
    public static final class Snapshot {

        final Map<Key, Counted> counted;
        final Map<Long, Counted> byPid;

        Snapshot(Map<Key, Counted> counted) {
            this.counted = counted;
            this.byPid = new HashMap<>();
            counted.values().forEach(process -> byPid.put(process.stat().pid(), process));
        }

        /** How many processes of each group it found, as "services 5, postgres 12, ...". */
        public String describe() {
            Map<Group, Integer> processes = new EnumMap<>(Group.class);
            for (Group group : Group.values()) {
                processes.put(group, 0);
            }
            counted.values().forEach(process -> processes.merge(process.group(), 1, Integer::sum));
            long shims = counted.values().stream().filter(process -> isShim(process.stat())).count();
            return String.format("services %d, postgres %d, kafka %d, engine %d (of which %d containerd-shim)",
                    processes.get(Group.SERVICES), processes.get(Group.POSTGRES), processes.get(Group.KAFKA),
                    processes.get(Group.ENGINE), shims);
        }
    }

    private final Path proc;
    private final double ticksPerSecond;
    private final List<Path> servicePidFiles;
    private final Path kafkaPidFile;
    private final Path postgresPidFile;

    /**
     * @param proc            the proc file system, {@code /proc}
     * @param ticksPerSecond  clock ticks per second of the stat times, {@code getconf CLK_TCK} (100)
     * @param servicePidFiles the services' pid files, one pid each
     * @param kafkaPidFile    Kafka's pid file
     * @param postgresPidFile PostgreSQL's {@code postmaster.pid} (the pid on its first line), or null
     */
    public CpuMeter(Path proc, double ticksPerSecond, List<Path> servicePidFiles, Path kafkaPidFile,
                    Path postgresPidFile) {
        this.proc = proc;
        this.ticksPerSecond = ticksPerSecond;
        this.servicePidFiles = List.copyOf(servicePidFiles);
        this.kafkaPidFile = kafkaPidFile;
        this.postgresPidFile = postgresPidFile;
    }

    /**
     * The meter of a suite the launcher started: pid files in {@code runDir}, PostgreSQL's data
     * directory {@code postgresData} (null: PostgreSQL is not counted), {@code /proc}, and the
     * ticks per second of {@code -Dbench.clk-tck} (the launcher passes {@code getconf CLK_TCK};
     * 100 without it, Linux's USER_HZ on x86-64 and arm64).
     */
    public static CpuMeter forSuite(Path runDir, List<String> services, Path postgresData) {
        return new CpuMeter(Path.of("/proc"), Integer.getInteger("bench.clk-tck", 100),
                services.stream().map(service -> runDir.resolve(service + ".pid")).toList(),
                runDir.resolve("kafka.pid"), postgresData == null ? null : postgresData.resolve("postmaster.pid"));
    }

    /** Reads every process now and keeps the counted ones; a process that vanishes meanwhile is left out. */
    public Snapshot snapshot() {
        Map<Long, Stat> all = new HashMap<>();
        try (Stream<Path> entries = Files.list(proc)) {
            entries.filter(entry -> entry.getFileName().toString().chars().allMatch(Character::isDigit))
                    .forEach(entry -> {
                        Stat stat = read(entry.resolve("stat"));
                        if (stat != null) {
                            all.put(stat.pid(), stat);
                        }
                    });
        } catch (IOException unreadable) {
            return new Snapshot(Map.of());
        }
        Map<Long, List<Stat>> children = new HashMap<>();
        all.values().forEach(stat -> children.computeIfAbsent(stat.ppid(), ppid -> new ArrayList<>()).add(stat));
        Map<Key, Counted> counted = new HashMap<>();
        for (Path file : servicePidFiles) {
            claim(pid(file), Group.SERVICES, all, children, counted);
        }
        claim(pid(kafkaPidFile), Group.KAFKA, all, children, counted);
        claim(pid(postgresPidFile), Group.POSTGRES, all, children, counted);
        for (Stat stat : all.values()) {
            if (stat.comm().equals("dockerd") || stat.comm().equals("containerd")) {
                claim(stat.pid(), Group.ENGINE, all, children, counted);
            }
        }
        for (Stat stat : all.values()) {
            if (isShim(stat)) {
                counted.putIfAbsent(Key.of(stat), new Counted(stat, Group.ENGINE, false));
            }
        }
        return new Snapshot(counted);
    }

    /** The CPU seconds each group spent from {@code before} until now. */
    public Usage since(Snapshot before) {
        return between(before, snapshot());
    }

    /** The CPU seconds each group spent from {@code before} until {@code after}. */
    public Usage between(Snapshot before, Snapshot after) {
        Map<Group, Long> ticks = new EnumMap<>(Group.class);
        for (Group group : Group.values()) {
            ticks.put(group, 0L);
        }
        for (Map.Entry<Key, Counted> entry : after.counted.entrySet()) {
            Counted now = entry.getValue();
            Counted then = before.counted.get(entry.getKey());
            // read both with the same rule (own, or with children) for the difference to mean anything
            long earlier = then == null ? 0 : new Counted(then.stat(), now.group(), now.children()).ticks();
            ticks.merge(now.group(), now.ticks() - earlier, Long::sum);
        }
        for (Map.Entry<Key, Counted> entry : before.counted.entrySet()) {
            if (after.counted.containsKey(entry.getKey())) {
                continue;
            }
            // exited: if a counted parent reaped it, its whole time is in the parent's cutime/cstime
            // now, and what it had spent at the first reading was not in this phase
            Stat gone = entry.getValue().stat();
            Counted parentThen = before.byPid.get(gone.ppid());
            Counted parentNow = parentThen == null ? null : after.counted.get(Key.of(parentThen.stat()));
            if (parentNow != null && parentNow.children()) {
                ticks.merge(parentNow.group(), -gone.withChildren(), Long::sum);
            }
        }
        // a child that exited but was not reaped yet at the second reading can take a group a few
        // ticks below zero: no phase spends less than nothing
        return new Usage(seconds(ticks.get(Group.SERVICES)), seconds(ticks.get(Group.POSTGRES)),
                seconds(ticks.get(Group.KAFKA)), seconds(ticks.get(Group.ENGINE)));
    }

    private double seconds(long ticks) {
        return Math.max(0, ticks) / ticksPerSecond;
    }

    /** Counts {@code root} and its descendants in {@code group}; a shim, with its own time only, and not below it. */
    private static void claim(long root, Group group, Map<Long, Stat> all, Map<Long, List<Stat>> children,
                              Map<Key, Counted> counted) {
        List<Stat> pending = new ArrayList<>();
        if (all.containsKey(root)) {
            pending.add(all.get(root));
        }
        while (!pending.isEmpty()) {
            Stat stat = pending.removeLast();
            if (counted.containsKey(Key.of(stat))) {
                continue;
            }
            if (isShim(stat)) {
                // below a shim run the containers' processes: not the engine's, not counted
                counted.put(Key.of(stat), new Counted(stat, Group.ENGINE, false));
                continue;
            }
            counted.put(Key.of(stat), new Counted(stat, group, true));
            pending.addAll(children.getOrDefault(stat.pid(), List.of()));
        }
    }

    /** containerd-shim, containerd-shim-runc-v2 (comm holds its first 15 characters). */
    static boolean isShim(Stat stat) {
        return stat.comm().startsWith("containerd-shim");
    }

    /** The parsed stat file, or null when the process is gone or the file is not readable. */
    static Stat read(Path statFile) {
        try {
            return Stat.parse(Files.readString(statFile, StandardCharsets.ISO_8859_1));
        } catch (IOException | IllegalArgumentException vanished) {
            return null;
        }
    }

    /** The pid on the first line of a pid file, or -1 when there is none. */
    static long pid(Path pidFile) {
        if (pidFile == null) {
            return -1;
        }
        try (Stream<String> lines = Files.lines(pidFile)) {
            return lines.findFirst().map(String::trim).map(Long::parseLong).orElse(-1L);
        } catch (IOException | RuntimeException unreadable) {
            return -1;
        }
    }
}
