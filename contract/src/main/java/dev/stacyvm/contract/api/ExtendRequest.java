package dev.stacyvm.contract.api;

/** The body of {@code POST /api/v1/sandboxes/{id}/extend}: how much longer, as a Go duration. */
public record ExtendRequest(String ttl) {
}
