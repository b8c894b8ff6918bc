package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A tenant's registry connection as {@code /environments/registry-connections} shows it: never its
 * secret. The instants are ISO-8601.
 */
@Schema(description = "A registry connection of the caller's tenant, as /api/v1/environments/registry-connections "
        + "shows it: everything but the secret, which is never answered back.")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record RegistryConnectionView(
        @Schema(description = "Its id: rc_ and 16 hex digits.", examples = "rc_0f1e2d3c4b5a6978")
        String id,
        @Schema(description = "The tenant whose pulls use it.", examples = "default")
        String tenant,
        @Schema(description = "StacyVM's owner_id: the key that saved it ({tenant}:{key}).", examples = "default:ci-bot")
        String ownerId,
        @Schema(description = "dockerhub, ghcr or registry.", examples = "registry")
        String provider,
        @Schema(description = "The registry's host[:port] whose images it pulls.", examples = "registry.example:5000")
        String registry,
        @Schema(description = "The account it pulls as.", examples = "ci-puller")
        String username,
        @Schema(description = "Whether it is the one used when the tenant has several for its registry.")
        boolean isDefault,
        @Schema(description = "When it was saved first: an ISO-8601 UTC instant.")
        Instant createdAt,
        @Schema(description = "When it was last replaced: an ISO-8601 UTC instant.")
        Instant updatedAt) {
}
