package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/**
 * What the scheduler asks a worker to start for one sandbox it has placed there. {@code networkPolicy}
 * is the sandbox's effective egress policy (already bounded by its tenant's), used when {@code network}
 * is {@code "bridge"}; {@code null} there means open egress to public addresses.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record RuntimeSpec(
        String sandboxId,
        String ownerId,
        String image,
        int memoryMb,
        int vcpus,
        Map<String, String> env,
        String network,
        List<Integer> ports,
        int pidsLimit,
        NetworkPolicy networkPolicy) {
}
