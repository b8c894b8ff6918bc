package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Whether one provider under one OCI runtime is certified on one worker's host (docs/certification.md):
 * {@code certified} when a passing report of {@code ./stacyvm certify} matches the host's fingerprint
 * (OS, kernel release, architecture, engine version), {@code failed} when the newest matching one
 * failed, {@code uncertified} when none matches. {@code report} names the report's file and
 * {@code certified_at} when it finished; both null when uncertified.
 */
@Schema(description = "Whether a provider under a runtime is certified on a worker's host (docs/certification.md).")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Certification(
        @Schema(description = "The worker whose host it is.", examples = "worker-host1-7425")
        String workerId,
        @Schema(description = "The provider.", examples = "docker")
        String provider,
        @Schema(description = "The OCI runtime (runc, runsc).", examples = "runsc")
        String runtime,
        @Schema(description = "certified, failed or uncertified.", examples = "certified")
        String state,
        @Schema(description = "The report's file name; null when uncertified.",
                examples = "docker-runsc-20261203T201500Z.json")
        String report,
        @Schema(description = "When the report's run finished: an ISO-8601 UTC instant; null when uncertified.")
        Instant certifiedAt) {

    /** A passing report matches the host. */
    public static final String CERTIFIED = "certified";
    /** The newest report that matches the host failed. */
    public static final String FAILED = "failed";
    /** No report matches the host (none made, or the host changed since). */
    public static final String UNCERTIFIED = "uncertified";

    /** {@code provider/runtime}, the key placement matches a worker's certified combinations by. */
    public static String key(String provider, String runtime) {
        return provider + "/" + runtime;
    }

    public boolean certified() {
        return CERTIFIED.equals(state);
    }
}
