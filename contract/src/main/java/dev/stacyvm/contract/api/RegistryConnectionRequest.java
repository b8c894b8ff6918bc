package dev.stacyvm.contract.api;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The body of {@code POST /environments/registry-connections} (StacyVM's environments API, with our
 * {@code registry}): a credential the caller's tenant pulls private images with. StacyVM's
 * {@code provider} names a well-known registry ({@code dockerhub}, {@code ghcr}); ours adds
 * {@code registry}, any {@code host[:port]}. {@code secret_ref} (or {@code password}) is the
 * password or access token, stored encrypted and never answered back. A body naming the
 * {@code id} of one of the tenant's connections replaces that connection.
 */
@Schema(description = "The body of POST /api/v1/environments/registry-connections: a credential the caller's tenant "
        + "pulls private images with. Give provider (dockerhub, ghcr) or registry (host[:port]), a username and the "
        + "secret; the secret is stored encrypted and never answered back. A body with the id of one of the tenant's "
        + "connections replaces it.")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record RegistryConnectionRequest(
        @Schema(description = "The id of the tenant's connection to replace; left out: a new connection.",
                examples = "rc_0f1e2d3c4b5a6978")
        String id,
        @Schema(description = "StacyVM's field; connections belong to the caller's tenant, whatever it says.")
        String ownerId,
        @Schema(description = "dockerhub (docker.io), ghcr (ghcr.io) or registry (the registry field names it); left "
                + "out: registry.", examples = "registry")
        String provider,
        @Schema(description = "The registry's host[:port], as image references name it; required with provider "
                + "registry, implied by the others.", examples = "registry.example:5000")
        String registry,
        @Schema(description = "The account to pull as.", examples = "ci-puller")
        String username,
        @Schema(description = "Its password or access token (also accepted as password). Stored encrypted, never "
                + "answered back.", examples = "s3cr3t-token")
        @JsonAlias("password")
        String secretRef,
        @Schema(description = "StacyVM's field: the connection to use when the tenant has several for one registry.")
        Boolean isDefault) {

    /** Never the secret: requests end up in logs and exception messages. */
    @Override
    public String toString() {
        return "RegistryConnectionRequest[id=" + id + ", provider=" + provider + ", registry=" + registry
                + ", username=" + username + "]";
    }
}
