package dev.stacyvm.worker.certification;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.stacyvm.contract.api.Certification;
import dev.stacyvm.contract.certification.CertificationReport;
import dev.stacyvm.contract.certification.HostFingerprint;
import dev.stacyvm.worker.config.WorkerConfig;
import dev.stacyvm.worker.provider.SandboxProvider;
import dev.stacyvm.worker.service.WorkerIdentity;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker's certification comes from the reports in its folders that match this host now, under
 * each runtime its provider offers; anything else in the folders certifies nothing.
 */
class HostCertificationsTest {

    @TempDir
    Path hostReports;

    @TempDir
    Path publishedReports;

    private HostCertifications certifications() {
        HostCertifications certifications = new HostCertifications();
        certifications.config = (WorkerConfig) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {WorkerConfig.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "certificationDirs" -> Optional.of(List.of(hostReports, publishedReports, hostReports.resolve("none")));
                    case "id" -> Optional.of("worker-c");
                    // a test must not reach any other setting
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        certifications.identity = new WorkerIdentity() {
            @Override
            public String id() {
                return "worker-c";
            }
        };
        return certifications;
    }

    /** A provider of name on an engine of version, offering runtimes. */
    private static SandboxProvider provider(String name, String engine, List<String> runtimes) {
        return (SandboxProvider) Proxy.newProxyInstance(HostCertificationsTest.class.getClassLoader(),
                new Class<?>[] {SandboxProvider.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "name" -> name;
                    case "engineVersion" -> engine;
                    case "ociRuntimes" -> runtimes;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private static void write(Path dir, String file, String provider, String runtime, String result,
                              HostFingerprint host) throws Exception {
        CertificationReport.JSON.writeValue(dir.resolve(file).toFile(), new CertificationReport(
                CertificationReport.FORMAT, provider, runtime, result, Instant.parse("2026-12-01T09:00:00Z"),
                Instant.parse("2026-12-01T10:00:00Z"), host, Map.of(), List.of(new CertificationReport.Suite("contract", result, null, 1, List.of(
                        new CertificationReport.Check("contract", "T.a", result, 1, null))),
                        new CertificationReport.Suite("containment", result, null, 1, List.of(
                        new CertificationReport.Check("containment", "C.a", result, 1, null)))), List.of()));
    }

    @Test
    void eachRuntimeOfAProviderHasTheStateOfTheReportsMatchingThisHost() throws Exception {
        HostFingerprint here = HostFingerprint.ofThisHost("28.2.2");
        write(hostReports, "docker-runc.json", "docker", "runc", "passed", here);
        write(publishedReports, "docker-runsc.json", "docker", "runsc", "failed", here);
        HostFingerprint elsewhere = new HostFingerprint("other", here.os(), "4.19.0-old", here.arch(), "28.2.2", false);
        write(publishedReports, "mock-runc.json", "mock", "runc", "passed", elsewhere);
        Files.writeString(hostReports.resolve("broken.json"), "{ not json");
        Files.writeString(hostReports.resolve("null.json"), "null");
        Files.writeString(hostReports.resolve("notes.txt"), "not a report");

        HostCertifications certifications = certifications();
        List<Certification> docker = certifications.of(provider("docker", "28.2.2", List.of("runc", "runsc")));
        assertEquals(List.of("runc:certified", "runsc:failed"),
                docker.stream().map(state -> state.runtime() + ":" + state.state()).toList());
        assertEquals("docker-runc.json", docker.getFirst().report());
        assertEquals("worker-c", docker.getFirst().workerId());

        List<Certification> mock = certifications.of(provider("mock", HostFingerprint.NO_ENGINE, List.of()));
        assertEquals(1, mock.size());
        assertEquals("runc", mock.getFirst().runtime(), "a provider that names no runtime is certified as runc's");
        assertEquals(Certification.UNCERTIFIED, mock.getFirst().state(), "a report of another kernel certifies nothing here");
    }

    @Test
    void anEngineUpgradeOrAnEngineThatDoesNotAnswerLeavesNothingCertified() throws Exception {
        write(hostReports, "docker-runc.json", "docker", "runc", "passed", HostFingerprint.ofThisHost("28.2.2"));
        HostCertifications certifications = certifications();
        assertEquals(Certification.UNCERTIFIED,
                certifications.of(provider("docker", "29.0.1", List.of("runc"))).getFirst().state());
        Certification silent = certifications.of(provider("docker", null, List.of("runc"))).getFirst();
        assertEquals(Certification.UNCERTIFIED, silent.state());
        assertNull(silent.report());
    }
}
