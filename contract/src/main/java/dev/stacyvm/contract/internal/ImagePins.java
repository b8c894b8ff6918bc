package dev.stacyvm.contract.internal;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * Images no worker's garbage collection may remove, as one service declares them: the gateway's
 * default image and every image a template names. {@code PUT /internal/image-pins/{source}}
 * replaces that source's list on the scheduler; workers read the union.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ImagePins(List<String> images) {

    public ImagePins {
        images = images == null ? List.of() : List.copyOf(images);
    }
}
