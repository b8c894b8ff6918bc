package dev.stacyvm.contract.certification;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.stacyvm.contract.api.Certification;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * One run of {@code ./stacyvm certify} (docs/certification.md), as the JSON file it writes: the
 * provider and OCI runtime certified, the host it ran on ({@link HostFingerprint}), the versions of
 * what it ran (the suite's commit, the engine, the runtime, Java), and every check of its suites
 * (the provider contract, the containment abuse suite) with its result and time. {@code result} is
 * {@code passed} only when no check failed and every suite that applies ran; {@code notes} say what
 * a reader must know (gVisor without a network, a microVM without hardware virtualisation).
 * Format 1; a reader ignores fields it does not know.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record CertificationReport(
        int format,
        String provider,
        String runtime,
        String result,
        Instant startedAt,
        Instant finishedAt,
        HostFingerprint host,
        Map<String, String> versions,
        List<Suite> suites,
        List<String> notes) {

    public static final int FORMAT = 1;

    /**
     * How reports are written and read: snake_case, instants as ISO-8601 text, indented, and
     * fields a reader does not know ignored (a newer format's additions).
     */
    public static final ObjectMapper JSON = JsonMapper.builder().addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    public static final String PASSED = "passed";
    public static final String FAILED = "failed";
    public static final String SKIPPED = "skipped";
    /** A suite that does not apply to the provider (the abuse suite of a provider that runs no programs). */
    public static final String NOT_APPLICABLE = "not_applicable";

    /**
     * A suite of checks: {@code result} is {@code passed}, {@code failed} or {@code not_applicable}
     * (then {@code reason} says why and {@code checks} is empty); {@code seconds} its run time.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Suite(String name, String result, String reason, double seconds, List<Check> checks) {
    }

    /**
     * One check: its test class and method, {@code passed}, {@code failed} or {@code skipped} (an
     * assumption that does not hold on this provider, with {@code message} saying which), and its time.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Check(String suite, String name, String result, double seconds, String message) {
    }

    /** The suite of the provider contract, which every certification needs. */
    public static final String CONTRACT = "contract";
    /** The containment abuse suite, which every provider that runs programs needs. */
    public static final String CONTAINMENT = "containment";

    /**
     * Whether the report certifies: it says {@code passed}, and its suites bear that out, whatever the
     * file claims. The contract suite passed with at least one check passed and none failed, and so
     * did the containment suite (not applicable to mock alone, which runs no programs); no suite failed.
     */
    public boolean passed() {
        if (!PASSED.equals(result) || suites == null
                || suites.stream().anyMatch(suite -> suite == null || FAILED.equals(suite.result()))) {
            return false;
        }
        Suite containment = suite(CONTAINMENT);
        boolean contained = containment != null && (ran(containment) || (NOT_APPLICABLE.equals(containment.result())
                && dev.stacyvm.contract.internal.SandboxSpec.MOCK_PROVIDER.equals(provider)));
        Suite contract = suite(CONTRACT);
        return contract != null && ran(contract) && contained;
    }

    private Suite suite(String name) {
        return suites.stream().filter(suite -> name.equals(suite.name())).findFirst().orElse(null);
    }

    /** A suite that passed, with a check that passed and none that failed. */
    private static boolean ran(Suite suite) {
        return PASSED.equals(suite.result()) && suite.checks() != null
                && suite.checks().stream().anyMatch(check -> check != null && PASSED.equals(check.result()))
                && suite.checks().stream().noneMatch(check -> check == null || FAILED.equals(check.result()));
    }

    /** How many checks ended with {@code result} over all suites. */
    public long count(String checkResult) {
        return suites == null ? 0 : suites.stream().flatMap(suite -> suite.checks().stream())
                .filter(check -> checkResult.equals(check.result())).count();
    }

    /**
     * The certification state of {@code provider} under {@code runtime} on a host: the newest of the
     * reports (by {@code finished_at}) made for that pair on a host of the same configuration
     * decides; none is {@link Certification#UNCERTIFIED}. {@code reportsByFile} maps each report's
     * file name to it.
     */
    public static Certification stateOf(String workerId, String provider, String runtime, HostFingerprint host,
                                        Map<String, CertificationReport> reportsByFile) {
        return reportsByFile.entrySet().stream()
                .filter(entry -> entry.getValue().holdsFor(provider, runtime, host))
                .max(Comparator.comparing((Map.Entry<String, CertificationReport> entry) -> entry.getValue().finishedAt())
                        .thenComparing(Map.Entry::getKey))
                .map(entry -> new Certification(workerId, provider, runtime,
                        entry.getValue().passed() ? Certification.CERTIFIED : Certification.FAILED,
                        entry.getKey(), entry.getValue().finishedAt()))
                .orElse(new Certification(workerId, provider, runtime, Certification.UNCERTIFIED, null, null));
    }

    /** Whether this report is about {@code provider} under {@code runtime} on a host configured as {@code host}. */
    public boolean holdsFor(String provider, String runtime, HostFingerprint host) {
        return format == FORMAT && provider.equals(this.provider) && runtime.equals(this.runtime) && finishedAt != null
                && host.sameConfiguration(this.host);
    }
}
