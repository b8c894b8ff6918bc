package dev.stacyvm.contract.internal;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * {@code GET /internal/sandboxes/{id}/disk} on a worker: the bytes the sandbox's writable layer
 * holds now (everything it wrote: root filesystem, /workspace, home, /tmp, /var/tmp).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record DiskUsage(String sandboxId, long diskUsedBytes) {
}
