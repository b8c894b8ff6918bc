package dev.stacyvm.contract.api;

/** The body of {@code POST /api/v1/admin/api-keys}: {@code role} is user, operator, viewer or admin. */
public record ApiKeyRequest(String name, String tenant, String role) {
}
