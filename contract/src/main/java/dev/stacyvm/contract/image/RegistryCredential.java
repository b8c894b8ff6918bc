package dev.stacyvm.contract.image;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * What a worker pulls one sandbox's image with, passed from the gateway through the scheduler with
 * the create and never stored by either: a tenant's registry connection, decrypted for this pull.
 * An image a worker pulled with a credential is pulled again before any other sandbox runs it, with
 * that sandbox's credential or none, so it runs only for tenants the registry lets in.
 *
 * @param registry the registry's {@code host[:port]} as {@link ImageReference#registry()} names it
 * @param username the account
 * @param password its password or access token
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record RegistryCredential(String registry, String username, String password) {

    /** Never the password: records end up in logs and exception messages. */
    @Override
    public String toString() {
        return "RegistryCredential[" + username + "@" + registry + "]";
    }
}
