package dev.stacyvm.contract.api;

/** The body of {@code POST /api/v1/sandboxes/{id}/files/chmod}; {@code mode} is octal. */
public record ChmodRequest(String path, String mode) {
}
