package dev.stacyvm.contract.api;

/**
 * {@code GET /pool/status}, as StacyVM answers it when its pool mode (many end users sharing one
 * VM) is off, which is the only mode here: every sandbox is its own container. StacyVM's SDKs read
 * {@code enabled}. The warm pool of ready containers is another thing: see
 * {@code GET /api/v1/workers}.
 *
 * @param enabled always {@code false}
 */
public record PoolStatus(boolean enabled) {
}
