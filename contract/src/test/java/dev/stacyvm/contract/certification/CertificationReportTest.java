package dev.stacyvm.contract.certification;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stacyvm.contract.api.Certification;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A host is certified by the newest report made on a host configured as it is, and by nothing else. */
class CertificationReportTest {

    private static final HostFingerprint HOST = new HostFingerprint("h1", "Debian GNU/Linux 12 (bookworm)",
            "6.1.0-28-cloud-amd64", "x86_64", "28.2.2", false);

    private static CertificationReport report(String provider, String runtime, String result, String finishedAt,
                                              HostFingerprint host) {
        return new CertificationReport(CertificationReport.FORMAT, provider, runtime, result,
                Instant.parse(finishedAt).minusSeconds(60), Instant.parse(finishedAt), host, Map.of(), List.of(new CertificationReport.Suite("contract", result, null, 1, List.of(
                        new CertificationReport.Check("contract", "T.a", result, 1, null))),
                        new CertificationReport.Suite("containment", result, null, 1, List.of(
                        new CertificationReport.Check("containment", "C.a", result, 1, null)))), List.of());
    }

    @Test
    void aPassingReportOfTheSameHostConfigurationCertifiesAnotherHostOfIt() {
        HostFingerprint sameConfigurationOtherName = new HostFingerprint("h2", HOST.os(), HOST.kernel(), HOST.arch(),
                HOST.engine(), true);
        Certification state = CertificationReport.stateOf("w1", "docker", "runsc", sameConfigurationOtherName,
                Map.of("docker-runsc-a.json", report("docker", "runsc", "passed", "2026-12-01T10:00:00Z", HOST)));
        assertEquals(Certification.CERTIFIED, state.state());
        assertEquals("docker-runsc-a.json", state.report());
        assertEquals(Instant.parse("2026-12-01T10:00:00Z"), state.certifiedAt());
    }

    @Test
    void aFileThatSaysPassedCertifiesOnlyWhenItsSuitesBearItOut() {
        CertificationReport claimed = new CertificationReport(1, "docker", "runc", "passed", Instant.EPOCH,
                Instant.parse("2026-12-01T10:00:00Z"), HOST, Map.of(), List.of(), List.of());
        assertEquals(false, claimed.passed(), "no suites");
        CertificationReport contractOnly = new CertificationReport(1, "docker", "runc", "passed", Instant.EPOCH,
                Instant.parse("2026-12-01T10:00:00Z"), HOST, Map.of(), List.of(report("docker", "runc", "passed",
                "2026-12-01T10:00:00Z", HOST).suites().getFirst()), List.of());
        assertEquals(false, contractOnly.passed(), "docker runs programs: its containment suite must have passed");
        CertificationReport notApplicable = new CertificationReport(1, "docker", "runc", "passed", Instant.EPOCH,
                Instant.parse("2026-12-01T10:00:00Z"), HOST, Map.of(), List.of(contractOnly.suites().getFirst(),
                new CertificationReport.Suite("containment", "not_applicable", "says who", 0, List.of())), List.of());
        assertEquals(false, notApplicable.passed(), "containment does not apply to mock alone");
        assertEquals(true, report("docker", "runc", "passed", "2026-12-01T10:00:00Z", HOST).passed());
    }

    @Test
    void aChangedKernelOrEngineVoidsTheCertification() {
        Map<String, CertificationReport> reports = Map.of(
                "a.json", report("docker", "runc", "passed", "2026-12-01T10:00:00Z", HOST));
        HostFingerprint newKernel = new HostFingerprint("h1", HOST.os(), "6.1.0-29-cloud-amd64", HOST.arch(),
                HOST.engine(), false);
        HostFingerprint newEngine = new HostFingerprint("h1", HOST.os(), HOST.kernel(), HOST.arch(), "29.0.0", false);
        assertEquals(Certification.UNCERTIFIED, CertificationReport.stateOf("w1", "docker", "runc", newKernel, reports).state());
        Certification uncertified = CertificationReport.stateOf("w1", "docker", "runc", newEngine, reports);
        assertEquals(Certification.UNCERTIFIED, uncertified.state());
        assertNull(uncertified.report());
    }

    @Test
    void theNewestMatchingReportDecidesSoALaterFailureRevokes() {
        Map<String, CertificationReport> reports = Map.of(
                "old.json", report("docker", "runsc", "passed", "2026-12-01T10:00:00Z", HOST),
                "new.json", report("docker", "runsc", "failed", "2026-12-02T10:00:00Z", HOST),
                "other-runtime.json", report("docker", "runc", "passed", "2026-12-03T10:00:00Z", HOST));
        Certification state = CertificationReport.stateOf("w1", "docker", "runsc", HOST, reports);
        assertEquals(Certification.FAILED, state.state());
        assertEquals("new.json", state.report());
    }

    @Test
    void aReportReadsBackFromTheJsonItIsWrittenAs(@TempDir Path dir) throws Exception {
        ObjectMapper json = CertificationReport.JSON;
        CertificationReport written = new CertificationReport(1, "docker", "runc", "passed",
                Instant.parse("2026-12-01T09:59:00Z"), Instant.parse("2026-12-01T10:00:00Z"), HOST,
                Map.of("engine", "28.2.2"), List.of(new CertificationReport.Suite("contract", "passed", null, 12.5,
                List.of(new CertificationReport.Check("contract", "Tck.execRuns", "passed", 0.4, null)))), List.of());
        Path file = dir.resolve("r.json");
        json.writeValue(file.toFile(), written);
        String text = Files.readString(file);
        assertEquals(true, text.contains("\"finished_at\" : \"2026-12-01T10:00:00Z\"") && text.contains("\"hardware_virtualization\""), text);
        CertificationReport read = json.readValue(file.toFile(), CertificationReport.class);
        assertEquals(written, read);
        assertEquals(1, read.count(CertificationReport.PASSED));
    }

    @Test
    void osReleaseAndArchAreSpelledAsTheHostSpellsThem(@TempDir Path dir) throws Exception {
        Path osRelease = dir.resolve("os-release");
        Files.writeString(osRelease, "NAME=\"Debian GNU/Linux\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n");
        assertEquals("Debian GNU/Linux 12 (bookworm)", HostFingerprint.os(osRelease));
        assertEquals("unknown", HostFingerprint.os(dir.resolve("missing")));
        assertEquals("x86_64", HostFingerprint.arch("amd64"));
        assertEquals("aarch64", HostFingerprint.arch("aarch64"));
    }
}
