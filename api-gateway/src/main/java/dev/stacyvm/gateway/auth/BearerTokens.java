package dev.stacyvm.gateway.auth;

import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.contract.api.OwnerIds;
import dev.stacyvm.gateway.config.GatewayConfig;
import dev.stacyvm.gateway.service.ApiKeys;
import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.oidc.TenantIdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * OIDC bearer tokens, the second way in beside API keys: Quarkus OIDC checks the signature
 * against the provider's keys, the issuer, the expiry and the audience; this maps what the token
 * says to a caller. The role is the highest StacyVM role among the token's roles (Keycloak's
 * {@code realm_access.roles}), the tenant comes from a claim, the name is the user's name, and
 * what the token creates belongs to {@code tenant:@subject} ({@link OwnerIds#keyOfToken}).
 */
@ApplicationScoped
public class BearerTokens {

    /** Why a token was not accepted, in words fit for the client (never the token itself). */
    public static final class Refused extends Exception {
        private final ErrorCode code;

        Refused(ErrorCode code, String message) {
            super(message);
            this.code = code;
        }

        public ErrorCode code() {
            return code;
        }
    }

    /** StacyVM's roles from least to most privileged: a token with several gets the highest. */
    private static final List<Role> BY_PRIVILEGE = List.of(Role.VIEWER, Role.USER, Role.OPERATOR, Role.ADMIN);

    @ConfigProperty(name = "quarkus.oidc.tenant-enabled", defaultValue = "true")
    boolean enabled;

    @Inject
    TenantIdentityProvider provider;

    @Inject
    GatewayConfig config;

    /** How long a session opened with a token whose expiry is not known stays open. */
    static final Duration UNKNOWN_EXPIRY = Duration.ofMinutes(5);

    public boolean enabled() {
        return enabled;
    }

    /** The identity the token stands for. */
    public ApiKeys.Identity verify(String token) throws Refused {
        if (!enabled) {
            throw new Refused(ErrorCode.UNAUTHORIZED, "bearer tokens are not enabled on this gateway; use an API key");
        }
        SecurityIdentity identity;
        try {
            identity = provider.authenticate(new AccessTokenCredential(token)).await().atMost(Duration.ofSeconds(20));
        } catch (RuntimeException invalid) {
            throw new Refused(ErrorCode.UNAUTHORIZED, "invalid bearer token (signature, issuer, expiry or audience)");
        }
        Role role = highestRole(identity);
        if (role == null) {
            throw new Refused(ErrorCode.FORBIDDEN, "the token carries none of the roles admin, operator, viewer or user");
        }
        JsonWebToken jwt = identity.getPrincipal() instanceof JsonWebToken claims ? claims : null;
        String tenant = Optional.ofNullable(jwt == null ? null : jwt.<Object>getClaim(config.oidc().tenantClaim()))
                .map(Object::toString).orElse(config.oidc().defaultTenant());
        if (!tenant.matches(ApiKeys.TENANT_PATTERN)) {
            throw new Refused(ErrorCode.FORBIDDEN, "the token's tenant claim is not a valid tenant name");
        }
        String name = identity.getPrincipal().getName();
        String subject = jwt != null && jwt.getSubject() != null ? jwt.getSubject() : name;
        // the subject, not the mutable user name, and in a namespace of its own: a token is never
        // the same owner as an API key, nor as a token that later carries the same user name
        // its sessions end when it does (CredentialSessions); exp is in seconds since the epoch. A
        // token whose expiry is not known (opaque) is taken to expire after UNKNOWN_EXPIRY: a session
        // never outlives its credential by more than that
        java.time.Instant expiresAt = jwt == null || jwt.getExpirationTime() <= 0 ? java.time.Instant.now().plus(UNKNOWN_EXPIRY)
                : java.time.Instant.ofEpochSecond(jwt.getExpirationTime());
        return new ApiKeys.Identity("oidc:" + subject, name, tenant, role, OwnerIds.keyOfToken(subject), expiresAt);
    }

    private static Role highestRole(SecurityIdentity identity) {
        Role highest = null;
        for (String name : identity.getRoles()) {
            Role role = Role.fromWireName(name);
            if (role != null && (highest == null || BY_PRIVILEGE.indexOf(role) > BY_PRIVILEGE.indexOf(highest))) {
                highest = role;
            }
        }
        return highest;
    }
}
