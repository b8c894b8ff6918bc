package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/** What the scheduler asks a worker to start for one sandbox it has placed there. */
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
        int pidsLimit) {
}
