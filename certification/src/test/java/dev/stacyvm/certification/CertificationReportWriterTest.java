package dev.stacyvm.certification;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stacyvm.contract.certification.CertificationReport;
import dev.stacyvm.contract.certification.HostFingerprint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run's report says exactly what its suites' JUnit reports say, and passes only when all of it did. */
class CertificationReportWriterTest {

    private static final HostFingerprint HOST = new HostFingerprint("h1", "Debian GNU/Linux 12 (bookworm)",
            "6.1.0-28-cloud-amd64", "x86_64", "28.2.2", false);

    @TempDir
    Path dir;

    private Path junit(String name, String... testCases) throws IOException {
        Path reports = Files.createDirectories(dir.resolve(name));
        Files.writeString(reports.resolve("TEST-dev.stacyvm." + name + ".xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <testsuite name="dev.stacyvm.%s" time="3.5" tests="%d">
                %s
                </testsuite>
                """.formatted(name, testCases.length, String.join("\n", testCases)));
        return reports;
    }

    private static String passed(String className, String method, String time) {
        return "<testcase name=\"" + method + "\" classname=\"dev.stacyvm.x." + className + "\" time=\"" + time + "\"/>";
    }

    private CertificationReport run(String... args) throws IOException {
        return CertificationReportWriter.report(CertificationReportWriter.Arguments.parse(args), HOST,
                Instant.parse("2026-12-03T20:10:00.123Z"));
    }

    @Test
    void aRunWhoseChecksAllPassedOrWereSkippedPassesAndListsEveryCheck() throws IOException {
        Path contract = junit("contract", passed("ContractTest", "execRuns", "0.412"),
                "<testcase name=\"terminal\" classname=\"dev.stacyvm.x.ContractTest\" time=\"0.001\">"
                        + "<skipped type=\"org.opentest4j.TestAbortedException\"><![CDATA[org.opentest4j."
                        + "TestAbortedException: Assumption failed: needs processes\n\tat X.y(X.java:1)]]></skipped></testcase>");
        Path containment = junit("containment", passed("FileEscapeTest", "noSymlinkLeaves", "1,204.5"));
        CertificationReport report = run("--provider", "docker", "--runtime", "runsc", "--engine", "28.2.2",
                "--started", "2026-12-03T20:00:00Z", "--out", dir.toString(), "--suite", "contract=" + contract,
                "--suite", "containment=" + containment, "--version", "stacyvm=abc1234", "--note", "gVisor on ptrace");
        assertTrue(report.passed());
        assertEquals(2, report.count(CertificationReport.PASSED));
        assertEquals(1, report.count(CertificationReport.SKIPPED));
        CertificationReport.Check skipped = report.suites().getFirst().checks().get(1);
        assertEquals("ContractTest.terminal", skipped.name());
        assertEquals("Assumption failed: needs processes", skipped.message());
        assertEquals(1204.5, report.suites().get(1).checks().getFirst().seconds());
        assertEquals(Instant.parse("2026-12-03T20:10:00Z"), report.finishedAt());
        assertEquals(Map.of("stacyvm", "abc1234"), report.versions());
        assertEquals(List.of("gVisor on ptrace"), report.notes());
    }

    @Test
    void oneFailedCheckOrASuiteThatRanNothingFailsTheRun() throws IOException {
        Path contract = junit("contract", passed("ContractTest", "execRuns", "0.4"),
                "<testcase name=\"destroy\" classname=\"dev.stacyvm.x.ContractTest\" time=\"2\">"
                        + "<failure message=\"expected: &lt;0&gt; but was: &lt;1&gt;\" type=\"AssertionFailedError\"/></testcase>");
        CertificationReport failed = run("--provider", "docker", "--runtime", "runc", "--engine", "28.2.2",
                "--started", "2026-12-03T20:00:00Z", "--out", dir.toString(), "--suite", "contract=" + contract);
        assertFalse(failed.passed());
        assertEquals("expected: <0> but was: <1>", failed.suites().getFirst().checks().get(1).message());

        Path allSkipped = junit("skipped", "<testcase name=\"a\" classname=\"X\" time=\"0\"><skipped/></testcase>");
        CertificationReport nothingRan = run("--provider", "docker", "--runtime", "runc", "--engine", "28.2.2",
                "--started", "2026-12-03T20:00:00Z", "--out", dir.toString(), "--suite", "contract=" + allSkipped);
        assertFalse(nothingRan.passed());
        assertEquals("no check ran", nothingRan.suites().getFirst().reason());
    }

    @Test
    void aSuiteThatDoesNotApplyIsSaidSoAndDoesNotFailTheRun() throws IOException {
        Path contract = junit("contract", passed("MockContractTest", "files", "0.01"));
        CertificationReport report = run("--provider", "mock", "--runtime", "runc", "--engine", "none",
                "--started", "2026-12-03T20:00:00Z", "--out", dir.toString(), "--suite", "contract=" + contract,
                "--not-applicable", "containment=mock runs no programs: nothing to contain");
        assertTrue(report.passed());
        CertificationReport.Suite containment = report.suites().get(1);
        assertEquals(CertificationReport.NOT_APPLICABLE, containment.result());
        assertEquals("mock runs no programs: nothing to contain", containment.reason());
    }

    @Test
    void aDockerRunWithoutItsContainmentSuiteOrWhoseRunFailedDoesNotPass() throws IOException {
        Path contract = junit("contract", passed("ContractTest", "execRuns", "0.4"));
        CertificationReport contractOnly = run("--provider", "docker", "--runtime", "runc", "--engine", "28.2.2",
                "--started", "2026-12-03T20:00:00Z", "--out", dir.toString(), "--suite", "contract=" + contract);
        assertFalse(contractOnly.passed());
        assertEquals("failed", contractOnly.result());
        Path containment = junit("containment", passed("FileEscapeTest", "noSymlinkLeaves", "1"));
        CertificationReport crashed = run("--provider", "docker", "--runtime", "runc", "--engine", "28.2.2",
                "--started", "2026-12-03T20:00:00Z", "--out", dir.toString(), "--suite", "contract=" + contract,
                "--suite", "containment=" + containment, "--run-failed", "containment=the run ended with status 1");
        assertFalse(crashed.passed(), "a suite whose run failed fails, though every report it left passed");
        assertEquals("the run ended with status 1", crashed.suites().get(1).reason());
    }

    @Test
    void theReportIsWrittenAsDatedJsonThatReadsBackAndMarkdownBesideIt() throws IOException {
        Path contract = junit("contract", passed("ContractTest", "execRuns", "0.4"));
        Path containment = junit("containment", passed("FileEscapeTest", "noSymlinkLeaves", "1"));
        CertificationReport report = run("--provider", "docker", "--runtime", "runc", "--engine", "28.2.2",
                "--started", "2026-12-03T20:00:00Z", "--out", dir.toString(), "--suite", "contract=" + contract,
                "--suite", "containment=" + containment);
        Path json = CertificationReportWriter.write(report, dir.resolve("out"));
        assertEquals("docker-runc-20261203T201000Z.json", json.getFileName().toString());
        assertEquals(report, CertificationReport.JSON.readValue(json.toFile(), CertificationReport.class));
        String markdown = Files.readString(dir.resolve("out/docker-runc-20261203T201000Z.md"));
        assertTrue(markdown.startsWith("# Certification: docker / runc: PASSED"), markdown);
        assertTrue(markdown.contains("| kernel | 6.1.0-28-cloud-amd64 |")
                && markdown.contains("| ContractTest.execRuns | passed | 0.40 |  |"), markdown);
    }

    @Test
    void aJUnitReportWithADoctypeIsRefusedNotExpanded() throws IOException {
        Path reports = Files.createDirectories(dir.resolve("evil"));
        Files.writeString(reports.resolve("TEST-evil.xml"), """
                <?xml version="1.0"?>
                <!DOCTYPE t [<!ENTITY x SYSTEM "file:///etc/passwd">]>
                <testsuite><testcase name="&x;" classname="X"/></testsuite>
                """);
        IOException refused = assertThrows(IOException.class, () -> JUnitReports.checks("evil", List.of(reports)));
        assertTrue(refused.getMessage().startsWith("not a JUnit report"), refused.getMessage());
        assertThrows(IOException.class, () -> JUnitReports.checks("missing", List.of(dir.resolve("missing"))));
    }

    @Test
    void badArgumentsAreRefusedNamingWhatIsWrong() {
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> CertificationReportWriter.Arguments.parse(new String[] {"--provider", "docker"}));
        assertEquals("--runtime is required", missing.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CertificationReportWriter.Arguments.parse(
                new String[] {"--provider", "docker", "--bogus", "x"}));
    }
}
