package dev.stacyvm.contract.internal;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * What workers keep for one service's sake: images no garbage collection may remove (the gateway's
 * default image and every image a template names) and warm pools of templates' shapes (a template's
 * {@code pool_size}). {@code PUT /internal/image-pins/{source}} replaces that source's on the
 * scheduler; workers read the union.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ImagePins(List<String> images, List<WarmPoolDemand> pools) {

    public ImagePins {
        images = images == null ? List.of() : List.copyOf(images);
        pools = pools == null ? List.of() : List.copyOf(pools);
    }

    /**
     * Warm containers to keep of one isolated shape (no network, ports, env, root or read-only
     * root): {@code memory_mb} and {@code disk_mb} in MiB.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record WarmPoolDemand(String image, int memoryMb, int vcpus, int pidsLimit, int diskMb, int size) {
    }
}
