package dev.stacyvm.contract.api;

/** The answer of {@code DELETE /api/v1/sandboxes}: how many expired sandboxes were destroyed. */
public record PruneResult(int pruned) {
}
