package dev.stacyvm.contract.api;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The body of {@code POST /api/v1/admin/api-keys} (ours): {@code role} is user, operator, viewer or admin, user
 * when left out.
 */
@Schema(description = "The body of POST /api/v1/admin/api-keys (administrators only): a new API key of one tenant.")
public record ApiKeyRequest(
        @Schema(description = "Required: the key's name, at most 128 characters; not bootstrap-admin. Owner ids "
                + "carry it ({tenant}:{name}, with % : @ percent-encoded), so a key made again under its name in the "
                + "same tenant, to rotate it, keeps what the old one created.", examples = "ci-bot")
        String name,
        @Schema(description = "Required: the tenant the key belongs to, matching [a-z0-9][a-z0-9._-]{0,62}.",
                examples = "default")
        String tenant,
        @Schema(description = "What the key may do: user (its own sandboxes), viewer (the same, read only), operator "
                + "(its tenant's sandboxes and the workers) or admin (everything). Default user.", examples = "user")
        String role) {
}
