package dev.stacyvm.contract.internal;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * One worker's check of one provider: whether its engine answered, how fast (a Go duration),
 * what sandboxes on it can do, and its certification under each OCI runtime the worker offers it
 * with (docs/certification.md).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ProviderCheck(String name, String workerId, boolean healthy, String latency, List<String> capabilities,
                            List<dev.stacyvm.contract.api.Certification> certifications) {
}
