package dev.stacyvm.contract.api;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * {@code GET /pool/status}, as StacyVM answers it when its pool mode (many end users sharing one
 * VM) is off, which is the only mode here: every sandbox is its own container. StacyVM's SDKs read
 * {@code enabled}. The warm pool of ready containers is another thing: see
 * {@code GET /api/v1/workers}.
 *
 * @param enabled always {@code false}
 */
@Schema(description = "GET /api/v1/pool/status as StacyVM answers it with its pool mode (many end users sharing one "
        + "VM) off, the only mode here: every sandbox is its own container.")
public record PoolStatus(
        @Schema(description = "Always false.", examples = "false")
        boolean enabled) {
}
