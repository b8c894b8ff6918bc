package dev.stacyvm.audit.service;

import dev.stacyvm.audit.config.AuditConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/** Makes the chain key from {@code stacyvm.audit.chain-key}; the service refuses to start without one. */
@ApplicationScoped
public class ChainKeys {

    @Inject
    AuditConfig config;

    @Produces
    @Singleton
    ChainKey chainKey() {
        return new ChainKey(config.chainKey());
    }
}
