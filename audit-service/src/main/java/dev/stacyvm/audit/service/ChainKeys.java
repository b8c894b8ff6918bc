package dev.stacyvm.audit.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Makes the chain key from {@code stacyvm.audit.chain-key}; the service refuses to start without one. */
@ApplicationScoped
public class ChainKeys {

    @ConfigProperty(name = "stacyvm.audit.chain-key")
    String secret;

    @Produces
    @Singleton
    ChainKey chainKey() {
        return new ChainKey(secret);
    }
}
