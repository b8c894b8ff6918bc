package dev.stacyvm.contract.internal;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * A worker's word on a pull a create waits for ({@code POST /internal/sandboxes/{id}/progress}):
 * {@code phase} {@code pulling} or {@code pulled}, the bytes of the layers downloaded so far and in
 * all (0 while unknown), and a line for people.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record PullProgress(String phase, String detail, long bytesDone, long bytesTotal) {

    public static final String PULLING = "pulling";
    public static final String PULLED = "pulled";
}
