package dev.stacyvm.certification;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stacyvm.contract.certification.CertificationReport;
import dev.stacyvm.contract.certification.HostFingerprint;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The matrix shows each pair's newest report per host configuration, and every offered pair without one. */
class SupportMatrixTest {

    private static final HostFingerprint HOST = new HostFingerprint("h1", "Debian GNU/Linux 12 (bookworm)",
            "6.18.44", "x86_64", "28.2.2", true);

    private static CertificationReport report(String provider, String runtime, String result, String finished,
                                              HostFingerprint host, List<String> notes) {
        CertificationReport.Check check = new CertificationReport.Check("contract", "T.a",
                result.equals("passed") ? "passed" : "failed", 1, null);
        return new CertificationReport(1, provider, runtime, result, Instant.parse(finished).minusSeconds(300),
                Instant.parse(finished), host, Map.of(),
                List.of(new CertificationReport.Suite("contract", result, null, 1, List.of(check)),
                        new CertificationReport.Suite("containment", result, null, 1, List.of(check))), notes);
    }

    @Test
    void theNewestReportOfAPairAndHostIsItsRowAndUncoveredPairsSaySo() {
        String matrix = SupportMatrix.render(Map.of(
                "docker-runsc-20261201T100000Z.json", report("docker", "runsc", "failed", "2026-12-01T10:00:00Z", HOST,
                        List.of()),
                "docker-runsc-20261203T100000Z.json", report("docker", "runsc", "passed", "2026-12-03T10:00:00Z", HOST,
                        List.of("gVisor here runs on ptrace with no network")),
                "docker-runc-20261203T090000Z.json", report("docker", "runc", "passed", "2026-12-03T09:00:00Z", HOST,
                        List.of())));
        List<String> rows = matrix.lines().filter(line -> line.startsWith("| docker") || line.startsWith("| mock")).toList();
        assertEquals(3, rows.size(), matrix);
        assertTrue(rows.get(0).startsWith("| docker | runc | **certified** | Debian GNU/Linux 12 (bookworm) | 6.18.44 |"),
                rows.get(0));
        assertTrue(rows.get(1).contains("| docker | runsc | **certified** |")
                && rows.get(1).contains("[docker-runsc-20261203T100000Z](certifications/docker-runsc-20261203T100000Z.md)"),
                rows.get(1));
        assertFalse(matrix.contains("20261201T100000Z"), "an older report of the same host is not shown");
        assertEquals("| mock | runc | not certified: no report | | | | | | | | |", rows.get(2));
        assertTrue(matrix.contains("- docker/runsc: gVisor here runs on ptrace with no network"), matrix);
    }

    @Test
    void anotherHostConfigurationIsARowOfItsOwn() {
        HostFingerprint older = new HostFingerprint("h2", HOST.os(), "6.1.0", "x86_64", "28.2.2", false);
        String matrix = SupportMatrix.render(Map.of(
                "a.json", report("docker", "runc", "passed", "2026-12-03T09:00:00Z", HOST, List.of()),
                "b.json", report("docker", "runc", "failed", "2026-12-02T09:00:00Z", older, List.of())));
        assertEquals(2, matrix.lines().filter(line -> line.startsWith("| docker | runc |")).count(), matrix);
        assertTrue(matrix.contains("| docker | runc | failed | Debian GNU/Linux 12 (bookworm) | 6.1.0 |"), matrix);
    }
}
