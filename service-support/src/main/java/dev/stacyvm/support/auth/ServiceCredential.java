package dev.stacyvm.support.auth;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The shared secret services present to each other on internal HTTP routes. */
@ConfigMapping(prefix = "stacyvm.service")
public interface ServiceCredential {

    String HEADER = "X-Service-Token";

    /** The token every internal call carries in {@value #HEADER}; `./stacyvm up` generates one. */
    String token();

    /** Path prefix of the routes that only other StacyVM services may call. */
    @WithDefault("/internal/")
    String internalPathPrefix();
}
