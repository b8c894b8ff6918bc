package dev.stacyvm.worker.certification;

import dev.stacyvm.contract.api.Certification;
import dev.stacyvm.contract.certification.CertificationReport;
import dev.stacyvm.contract.certification.HostFingerprint;
import dev.stacyvm.contract.internal.SandboxSpec;
import dev.stacyvm.worker.config.WorkerConfig;
import dev.stacyvm.worker.provider.SandboxProvider;
import dev.stacyvm.worker.service.WorkerIdentity;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * This host's certification of each provider under each OCI runtime it offers (docs/certification.md),
 * decided from the reports in {@code stacyvm.worker.certification-dirs} against the host's
 * fingerprint now (OS, kernel, architecture, the provider's engine version): what the worker
 * advertises to placement and shows in {@code GET /providers}. Reports are read again at most every
 * {@link #REREAD} (a new {@code ./stacyvm certify} counts without a restart); an unreadable or
 * oversized file is skipped with one warning.
 */
@ApplicationScoped
public class HostCertifications {

    static final Duration REREAD = Duration.ofSeconds(5);
    /** A report lists a few hundred checks; anything far larger is not one. */
    static final long MAX_REPORT_BYTES = 8L * 1024 * 1024;
    /** The most report files read from one folder. */
    static final int MAX_REPORTS = 1000;

    @Inject
    WorkerConfig config;

    @Inject
    WorkerIdentity identity;

    private final Set<Path> warned = new HashSet<>();
    private volatile Map<String, CertificationReport> reports = Map.of();
    private volatile Instant readAt = Instant.EPOCH;

    /**
     * {@code provider}'s state under each runtime it offers (runc for one that names none, such as
     * mock) on this host now.
     */
    public List<Certification> of(SandboxProvider provider) {
        List<String> runtimes = provider.ociRuntimes().isEmpty() ? List.of(SandboxSpec.DEFAULT_RUNTIME)
                : provider.ociRuntimes();
        String engine = provider.engineVersion();
        Map<String, CertificationReport> known = reports();
        return runtimes.stream().map(runtime -> engine == null
                // an engine that does not answer has no version to match: nothing is certified on it now
                ? new Certification(identity.id(), provider.name(), runtime, Certification.UNCERTIFIED, null, null)
                : CertificationReport.stateOf(identity.id(), provider.name(), runtime,
                        HostFingerprint.ofThisHost(engine), known)).toList();
    }

    /** The reports of every configured folder by file name, read again when {@link #REREAD} old. */
    Map<String, CertificationReport> reports() {
        if (readAt.plus(REREAD).isAfter(Instant.now())) {
            return reports;
        }
        synchronized (this) {
            if (readAt.plus(REREAD).isAfter(Instant.now())) {
                return reports;
            }
            Map<String, CertificationReport> read = new LinkedHashMap<>();
            for (Path dir : config.certificationDirs().orElse(List.of())) {
                read(dir, read);
            }
            reports = Map.copyOf(read);
            readAt = Instant.now();
            return reports;
        }
    }

    private void read(Path dir, Map<String, CertificationReport> into) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        List<Path> found = new java.util.ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            files.forEach(found::add);
        } catch (IOException | RuntimeException unreadable) {
            warnOnce(dir, unreadable.getMessage());
            return;
        }
        // names end in their UTC time: past the cap, the newest are the ones read
        found.sort(java.util.Comparator.comparing(Path::getFileName).reversed());
        if (found.size() > MAX_REPORTS) {
            warnOnce(dir, "more than " + MAX_REPORTS + " reports; the oldest are not read");
        }
        for (Path file : found.subList(0, Math.min(found.size(), MAX_REPORTS))) {
            try {
                if (Files.size(file) > MAX_REPORT_BYTES) {
                    warnOnce(file, "larger than " + MAX_REPORT_BYTES + " bytes");
                    continue;
                }
                CertificationReport report = CertificationReport.JSON.readValue(file.toFile(), CertificationReport.class);
                if (report == null) {
                    warnOnce(file, "not a report (null)");
                    continue;
                }
                // the same file name in two folders is the same report (published from this host)
                into.putIfAbsent(file.getFileName().toString(), report);
            } catch (IOException | RuntimeException unreadable) {
                warnOnce(file, unreadable.getMessage());
            }
        }
    }

    private synchronized void warnOnce(Path path, String why) {
        if (warned.add(path)) {
            Log.warnf("certification report %s skipped: %s", path, why);
        }
    }
}
