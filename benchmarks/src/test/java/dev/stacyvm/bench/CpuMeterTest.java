package dev.stacyvm.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpuMeterTest {

    @TempDir
    Path dir;

    /** A /proc/[pid]/stat line as the kernel writes it: 52 fields, the ones CpuMeter reads set. */
    static String statLine(long pid, String comm, long ppid, long utime, long stime, long cutime, long cstime,
                           long startTime) {
        return String.format("%d (%s) S %d %d %d 34817 %d 4194560 1520 0 0 0 %d %d %d %d 20 0 1 0 %d 9400320 520"
                + " 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0%n", pid, comm, ppid,
                pid, pid, pid, utime, stime, cutime, cstime, startTime);
    }

    @Test
    void parsesTheFieldsItReads() {
        CpuMeter.Stat stat = CpuMeter.Stat.parse(statLine(6121, "postgres", 1, 1234, 567, 89, 10, 424242));
        assertEquals(new CpuMeter.Stat(6121, "postgres", 1, 1234, 567, 89, 10, 424242), stat);
        assertEquals(1801, stat.own());
        assertEquals(1900, stat.withChildren());
    }

    @Test
    void readsTheFieldsAfterTheLastParenthesisWhatEverTheCommHolds() {
        // comm is the executable's name as the process set it: spaces, parentheses, even ") S 1 2 "
        for (String comm : List.of("my (odd) name", "a) R 99 (b", ")", "(", "x y z", "postgres: walwriter ")) {
            CpuMeter.Stat stat = CpuMeter.Stat.parse(statLine(42, comm, 7, 11, 22, 33, 44, 55));
            assertEquals(new CpuMeter.Stat(42, comm, 7, 11, 22, 33, 44, 55), stat, comm);
        }
    }

    @Test
    void refusesWhatIsNotAStatLine() {
        assertThrows(IllegalArgumentException.class, () -> CpuMeter.Stat.parse(""));
        assertThrows(IllegalArgumentException.class, () -> CpuMeter.Stat.parse("12 (java) S 1 2 3"));
        assertThrows(IllegalArgumentException.class, () -> CpuMeter.Stat.parse("12 java S 1 2 3"));
        assertThrows(IllegalArgumentException.class,
                () -> CpuMeter.Stat.parse(statLine(12, "java", 1, 1, 1, 1, 1, 1).replace("S 1 12", "S one 12")));
    }

    @Test
    void parsesThisProcessesOwnStat() throws IOException {
        Path self = Path.of("/proc/self/stat");
        assumeTrue(Files.isReadable(self), "Linux only");
        CpuMeter.Stat stat = CpuMeter.Stat.parse(Files.readString(self));
        assertEquals(ProcessHandle.current().pid(), stat.pid());
        assertTrue(stat.startTime() > 0);
    }

    @Test
    void aVanishedProcessIsSkipped() throws IOException {
        Files.createDirectories(dir.resolve("123"));
        assertNull(CpuMeter.read(dir.resolve("123/stat")));
        Files.writeString(dir.resolve("123/stat"), "");
        assertNull(CpuMeter.read(dir.resolve("123/stat")));
        assertEquals(-1, CpuMeter.pid(dir.resolve("nothing.pid")));
        assertEquals(-1, CpuMeter.pid(null));
    }

    @Test
    void countsEachGroupBetweenTwoReadings() throws IOException {
        Path proc = Files.createDirectories(dir.resolve("proc"));
        Path run = Files.createDirectories(dir.resolve("run"));
        Files.writeString(run.resolve("api-gateway.pid"), "100\n");
        Files.writeString(run.resolve("kafka.pid"), "200\n");
        Files.writeString(run.resolve("postmaster.pid"), "300\n/var/lib/postgres/data\n1700000000\n7432\n");
        CpuMeter meter = new CpuMeter(proc, 100, List.of(run.resolve("api-gateway.pid"), run.resolve("worker.pid")),
                run.resolve("kafka.pid"), run.resolve("postmaster.pid"));

        process(proc, 1, "init", 0, 0, 0, 9000, 9000, 1);
        process(proc, 100, "java", 1, 40, 10, 0, 0, 500);
        process(proc, 200, "java", 1, 100, 0, 0, 0, 510);
        process(proc, 300, "postgres", 1, 20, 0, 0, 0, 520);
        process(proc, 301, "postgres", 300, 20, 5, 0, 0, 530); // exits in between, 40 ticks in all
        process(proc, 302, "postgres", 300, 50, 0, 0, 0, 540);
        process(proc, 304, "postgres", 300, 10, 0, 0, 0, 550); // exits, 12 in all; its pid is reused
        process(proc, 400, "dockerd", 1, 300, 0, 7, 0, 600);
        process(proc, 401, "containerd", 400, 100, 0, 0, 0, 610);
        process(proc, 500, "containerd-shim", 1, 10, 0, 500, 0, 700);
        process(proc, 501, "sh", 500, 80, 0, 0, 0, 710);
        process(proc, 502, "containerd-shim", 1, 20, 0, 0, 0, 720); // exits in between: reaped by init
        process(proc, 600, "bash", 1, 1000, 0, 0, 0, 800);
        Files.createDirectories(proc.resolve("999")); // vanished while listed: no stat file
        CpuMeter.Snapshot before = meter.snapshot();
        assertEquals("services 1, postgres 4, kafka 1, engine 4 (of which 2 containerd-shim)", before.describe());

        process(proc, 100, "java", 1, 60, 20, 0, 0, 500); // +30
        process(proc, 200, "java", 1, 110, 0, 0, 0, 510); // +10
        process(proc, 300, "postgres", 1, 25, 0, 40 + 12, 0, 520); // +5, and 301's and old 304's times
        remove(proc, 301);
        process(proc, 302, "postgres", 300, 57, 0, 0, 0, 540); // +7
        process(proc, 303, "postgres", 300, 3, 1, 0, 0, 560); // new: +4
        process(proc, 304, "postgres", 300, 3, 0, 0, 0, 570); // a new process on the old pid: +3
        process(proc, 400, "dockerd", 1, 306, 0, 10, 0, 600); // +6, and +3 of a helper it reaped
        process(proc, 401, "containerd", 400, 102, 0, 0, 0, 610); // +2
        process(proc, 500, "containerd-shim", 1, 11, 0, 600, 0, 700); // +1; its children's +100 not counted
        process(proc, 501, "sh", 500, 130, 0, 0, 0, 710); // the container's: not counted
        remove(proc, 502);
        process(proc, 503, "containerd-shim", 1, 2, 0, 0, 0, 730); // new: +2
        process(proc, 600, "bash", 1, 2000, 0, 0, 0, 800); // not the suite's
        CpuMeter.Usage used = meter.between(before, meter.snapshot());

        assertEquals(0.30, used.services(), 1e-9);
        assertEquals(0.10, used.kafka(), 1e-9);
        // 5 own + 52 reaped - 40 and 12 less the 25 and 10 they had at the first reading + 7 + 4 + 3
        assertEquals(0.36, used.postgres(), 1e-9);
        assertEquals(0.76, used.suite(), 1e-9);
        assertEquals(0.14, used.engine(), 1e-9);
        CpuMeter.Usage perOp = used.per(4);
        assertEquals(0.09, perOp.postgres(), 1e-9);
        assertEquals(0.035, perOp.engine(), 1e-9);
    }

    @Test
    void nothingToReadIsNothingSpent() {
        CpuMeter meter = new CpuMeter(dir.resolve("no-proc"), 100, List.of(), dir.resolve("kafka.pid"), null);
        CpuMeter.Usage used = meter.since(meter.snapshot());
        assertEquals(new CpuMeter.Usage(0, 0, 0, 0), used);
    }

    @Test
    void theCpuTableHasARowPerMeasuredPhase() throws Exception {
        SuiteBenchmark.PhaseCpu cpu = new SuiteBenchmark.PhaseCpu(
                new CpuMeter(dir, 100, List.of(), dir.resolve("kafka.pid"), null));
        Samples ours = cpu.measure(() -> new Samples("exec true", "stacyvm", 4, new long[] {1, 2}, 1));
        cpu.used.put(ours, new CpuMeter.Usage(0.04, 0.02, 0.01, 0.006));
        Samples unmeasured = new Samples("exec true", "docker", 4, new long[] {1, 2}, 1);
        String table = SuiteBenchmark.cpuTable(List.of(ours, unmeasured), cpu);
        assertTrue(table.contains("| operation | path | n | suite | services | postgres | kafka | engine |\n"), table);
        assertTrue(table.contains("| exec true | stacyvm | 2 | 35.00 | 20.00 | 10.00 | 5.00 | 3.00 |"), table);
        assertTrue(!table.contains("| docker |"), table);
        assertEquals(0.035, SuiteBenchmark.cpuRows(List.of(ours), cpu).getFirst().get("suite_cpu_seconds_per_op"));
    }

    private static void process(Path proc, long pid, String comm, long ppid, long utime, long stime, long cutime,
                                long cstime, long startTime) throws IOException {
        Path stat = Files.createDirectories(proc.resolve(Long.toString(pid))).resolve("stat");
        Files.writeString(stat, statLine(pid, comm, ppid, utime, stime, cutime, cstime, startTime));
    }

    private static void remove(Path proc, long pid) throws IOException {
        Files.delete(proc.resolve(pid + "/stat"));
        Files.delete(proc.resolve(Long.toString(pid)));
    }
}
