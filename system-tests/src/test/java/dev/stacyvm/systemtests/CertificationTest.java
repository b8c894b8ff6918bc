package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.api;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stacyvm.contract.certification.CertificationReport;
import dev.stacyvm.contract.certification.HostFingerprint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Runtime certification (docs/certification.md) through the running suite: a worker shows each
 * provider and runtime's state on its host from the reports in its folder, as GET /providers and
 * GET /workers say and a new sandbox's view records. The test instance lets placement use
 * uncertified pairs (its own runs certify them); the refusal of an uncertified pair is the
 * scheduler's in-process test.
 */
class CertificationTest {

    /** Where the test instance's worker reads reports (the launcher's instance.properties). */
    private static final Path REPORTS = Path.of(System.getProperty("stacyvm.certifications", "/nonexistent"));

    private final Suite.Sandboxes sandboxes = new Suite.Sandboxes();
    private final List<Path> written = new ArrayList<>();

    @AfterEach
    void removeWhatTheTestMade() throws Exception {
        sandboxes.close();
        for (Path report : written) {
            Files.deleteIfExists(report);
        }
        if (!written.isEmpty()) {
            awaitState("mock", "runc", "uncertified");
        }
    }

    private Path report(String name, String result, HostFingerprint host, Instant finished) throws Exception {
        Path file = REPORTS.resolve(name);
        CertificationReport.JSON.writeValue(file.toFile(), new CertificationReport(CertificationReport.FORMAT, "mock",
                "runc", result, finished.minusSeconds(60), finished, host, Map.of("stacyvm", "system-test"),
                List.of(new CertificationReport.Suite("contract", result, null, 1.0, List.of(
                        new CertificationReport.Check("contract", "MockContract.files", result, 1.0, null))),
                        new CertificationReport.Suite("containment", "not_applicable", "mock runs no programs", 0,
                                List.of())),
                List.of()));
        written.add(file);
        return file;
    }

    /** This worker's certification of provider under runtime, as GET /providers shows it now. */
    private static Map<String, Object> certification(String provider, String runtime) {
        List<Map<String, Object>> certifications = api().get("/providers/{name}", provider).then().statusCode(200)
                .extract().jsonPath().getList("certifications");
        return certifications.stream().filter(entry -> Suite.WORKER_ID.equals(entry.get("worker_id"))
                && runtime.equals(entry.get("runtime"))).findFirst().orElseThrow(() -> new AssertionError(
                "no certification of " + provider + "/" + runtime + " on " + Suite.WORKER_ID + ": " + certifications));
    }

    /** Waits (at most 30 s) until the pair's state on this worker is {@code state}; answers the entry. */
    private static Map<String, Object> awaitState(String provider, String runtime, String state) throws Exception {
        return await(() -> certification(provider, runtime), entry -> state.equals(entry.get("state")),
                provider + "/" + runtime + " " + state);
    }

    private static <T> T await(java.util.concurrent.Callable<T> read, Predicate<T> done, String what) throws Exception {
        T last = null;
        for (int attempt = 0; attempt < 60; attempt++) {
            last = read.call();
            if (done.test(last)) {
                return last;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("not " + what + " within 30 s: " + last);
    }

    @Test
    void everyProviderAndRuntimeShowsItsStateOnEachWorkerAndASandboxRecordsIt() throws Exception {
        assertTrue(Files.isDirectory(REPORTS), "the worker's report folder is " + REPORTS);
        // nothing certifies this instance's pairs but what a test writes
        assertEquals("uncertified", certification("docker", "runc").get("state"));
        assertEquals("uncertified", certification("mock", "runc").get("state"));
        for (String runtime : List.of(System.getProperty("stacyvm.engine-runtimes", "runc").split(",")).stream()
                .filter(List.of("runc", "runsc")::contains).toList()) {
            assertEquals("uncertified", certification("docker", runtime).get("state"), "docker under " + runtime);
        }
        String uncertified = sandboxes.create(Map.of("provider", "mock", "ttl", "5m"));
        api().get("/sandboxes/{id}", uncertified).then().statusCode(200)
                .body("certified", org.hamcrest.Matchers.equalTo(false));

        Instant finished = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Path passing = report("mock-runc-system-test.json", "passed", HostFingerprint.ofThisHost("none"), finished);
        Map<String, Object> certified = awaitState("mock", "runc", "certified");
        assertEquals(passing.getFileName().toString(), certified.get("report"));
        assertEquals(finished, Instant.parse((String) certified.get("certified_at")));
        assertEquals("uncertified", certification("docker", "runc").get("state"), "a mock report certifies only mock");
        // the scheduler learns it from the worker's next heartbeat (every 2 s here)
        await(() -> api().get("/workers").then().statusCode(200).extract().jsonPath()
                        .<Map<String, Object>>getList("$").stream().filter(w -> Suite.WORKER_ID.equals(w.get("id")))
                        .findFirst().orElseThrow().get("certified"),
                pairs -> pairs instanceof List<?> list && list.contains("mock/runc"), "mock/runc certified in GET /workers");
        String onCertified = sandboxes.create(Map.of("provider", "mock", "ttl", "5m"));
        api().get("/sandboxes/{id}", onCertified).then().statusCode(200)
                .body("certified", org.hamcrest.Matchers.equalTo(true));
        api().get("/sandboxes/{id}", uncertified).then().statusCode(200)
                .body("certified", org.hamcrest.Matchers.equalTo(false));
    }

    @Test
    void aReportOfAnotherHostConfigurationCertifiesNothingAndALaterFailureRevokes() throws Exception {
        HostFingerprint here = HostFingerprint.ofThisHost("none");
        Instant finished = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        report("mock-runc-elsewhere.json", "passed", new HostFingerprint(here.name(), here.os(), here.kernel() + "-other",
                here.arch(), "none", here.hardwareVirtualization()), finished);
        // past the worker's re-read (5 s) the report of another kernel has been read, and certifies nothing
        Thread.sleep(7000);
        assertEquals("uncertified", certification("mock", "runc").get("state"));
        Path passed = report("mock-runc-passed.json", "passed", here, finished.minusSeconds(3600));
        assertEquals(passed.getFileName().toString(), awaitState("mock", "runc", "certified").get("report"));
        Path failed = report("mock-runc-failed.json", "failed", here, finished);
        Map<String, Object> revoked = awaitState("mock", "runc", "failed");
        assertEquals(failed.getFileName().toString(), revoked.get("report"));
        assertNotNull(revoked.get("certified_at"));
    }
}
