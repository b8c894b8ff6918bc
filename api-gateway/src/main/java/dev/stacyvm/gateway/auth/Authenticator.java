package dev.stacyvm.gateway.auth;

import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.gateway.config.GatewayConfig;
import dev.stacyvm.gateway.quota.RateLimits;
import dev.stacyvm.gateway.quota.TokenBucket;
import dev.stacyvm.gateway.service.ApiKeys;
import dev.stacyvm.gateway.service.AuditTrail;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.Set;

/**
 * Who a request is and whether it may call a route of a given {@link Access} level: the one
 * decision every transport of {@code /api/v1} makes, JAX-RS ({@link ApiKeyFilter}) and the
 * WebSocket routes alike. The credential is an API key ({@code X-Admin-API-Key} or
 * {@code X-API-Key}: the bootstrap admin key from configuration, or a key made through the admin
 * API) or, with no key, an OIDC bearer token ({@link BearerTokens}). No credential, or an unknown
 * or revoked one, is {@code unauthorized}; a role below the level, or a viewer on a method that
 * writes, is {@code forbidden}; every refusal is recorded in the audit trail as {@code auth.denied}
 * (never with the credential), those of a credential within a per-address budget
 * ({@link dev.stacyvm.gateway.service.DeniedAuthentications}). Last, the request takes a token from the rate-limit buckets of its
 * owner, key and tenant, or is refused with {@code resource_limit} and Retry-After.
 */
@ApplicationScoped
public class Authenticator {

    private static final Set<String> READ_METHODS = Set.of("GET", "HEAD", "OPTIONS");
    static final String BEARER = "Bearer ";

    @Inject
    GatewayConfig config;

    @Inject
    ApiKeys apiKeys;

    @Inject
    AuditTrail audit;

    @Inject
    RateLimits rateLimits;

    @Inject
    BearerTokens bearerTokens;

    @Inject
    dev.stacyvm.gateway.service.DeniedAuthentications deniedAuthentications;

    /** The credentials a request presented, each null when absent. */
    public record Credentials(String adminApiKey, String apiKey, String authorization, String userId) {
    }

    /** Where a request came from and what it asked, for the audit record of a refusal. */
    public record Request(String method, String path, String requestId, String sourceAddress) {
    }

    /**
     * An authenticated caller, with its rate-limit standing (null when it has no limit), the id of
     * the API key it presented (null for the bootstrap key and bearer tokens), by which a
     * credential derived from it can later be checked for revocation, and when the credential
     * expires (a bearer token's {@code exp}; null when it does not).
     */
    public record Authenticated(Caller caller, TokenBucket.Take rate, String apiKeyId, java.time.Instant validUntil) {
    }

    /**
     * A refused request: the error to answer, and for a rate limit the standing for the
     * {@code X-RateLimit-*} headers.
     */
    public static final class Refused extends Exception {
        private final transient ApiException error;
        private final transient TokenBucket.Take rate;

        Refused(ApiException error, TokenBucket.Take rate) {
            super(error.getMessage(), null, false, false);
            this.error = error;
            this.rate = rate;
        }

        public ApiException error() {
            return error;
        }

        /** The rate-limit standing of a request refused for its rate, else null. */
        public TokenBucket.Take rate() {
            return rate;
        }
    }

    /**
     * Authenticates and authorises one request for a route of {@code level} (not OPEN).
     *
     * @throws Refused {@code unauthorized}, {@code forbidden}, {@code bad_request} (an invalid
     *                 {@code X-User-ID}) or {@code resource_limit} (rate), already audited where it is a denial
     */
    public Authenticated authenticate(Credentials credentials, Access.Level level, Request request) throws Refused {
        String key = credentials.adminApiKey() != null ? credentials.adminApiKey() : credentials.apiKey();
        String authorization = credentials.authorization();
        Optional<ApiKeys.Identity> identity;
        if ((key == null || key.isEmpty()) && authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            try {
                identity = Optional.of(bearerTokens.verify(authorization.substring(BEARER.length()).trim()));
            } catch (BearerTokens.Refused refused) {
                // the token is never recorded, only that one was presented
                throw refusedCredential(request, "bearer token", refused.code(), refused.getMessage());
            }
        } else {
            identity = key == null || key.isEmpty() ? Optional.empty() : identify(key);
        }
        if (identity.isEmpty()) {
            // the presented key is never recorded, only that one was presented
            throw refusedCredential(request, key == null || key.isEmpty() ? "anonymous" : "unknown key", ErrorCode.UNAUTHORIZED,
                    "invalid or missing API key or bearer token");
        }
        ApiKeys.Identity who = identity.get();
        Authenticated admitted = admit(new Caller(who.tenant(), who.name(), who.ownerKey(), who.role(),
                validUserId(credentials.userId())), level, request);
        boolean storedKey = key != null && !key.isEmpty() && !ApiKeys.BOOTSTRAP_KEY_NAME.equals(who.name());
        return new Authenticated(admitted.caller(), admitted.rate(), storedKey ? who.id() : null, who.expiresAt());
    }

    /**
     * Authorises an already identified caller (one a short-lived token stands for) for a route of
     * {@code level}, and takes its rate-limit token, as {@link #authenticate} does after identifying.
     *
     * @throws Refused {@code forbidden} or {@code resource_limit}
     */
    public Authenticated admit(Caller caller, Access.Level level, Request request) throws Refused {
        String refusal = level.refusal(caller.role());
        if (refusal == null && caller.role() == Role.VIEWER && !READ_METHODS.contains(request.method())) {
            refusal = "viewer keys may only read";
        }
        if (refusal != null) {
            throw denied(request, caller.tenant() + "/" + caller.keyName(), ErrorCode.FORBIDDEN, refusal);
        }
        RateLimits.Standing standing = rateLimits.take(caller);
        TokenBucket.Take rate = standing == null ? null : standing.take();
        if (rate != null && !rate.allowed()) {
            throw new Refused(new ApiException(ErrorCode.RESOURCE_LIMIT, standing.subject()
                    + " is over its rate limit of " + rate.limit() + " requests a minute", rate.retryAfterSeconds()), rate);
        }
        return new Authenticated(caller, rate, null, null);
    }

    private String validUserId(String header) throws Refused {
        try {
            return UserIds.validate(header);
        } catch (ApiException invalid) {
            throw new Refused(invalid, null);
        }
    }

    /**
     * Refuses a request for a credential checked outside this class (an exec socket token):
     * recorded in the audit trail as {@code auth.denied} like every other refusal.
     */
    public Refused deny(Request request, String actor, ErrorCode code, String reason) {
        return refusedCredential(request, actor, code, reason);
    }

    /** Records the refusal of a valid credential for its role in the audit trail, one by one, and answers it. */
    private Refused denied(Request request, String actor, ErrorCode code, String reason) {
        audit.recordDenied(new AuditTrail.Origin(actor, request.requestId(), request.sourceAddress()), request.method(),
                request.path(), reason);
        return new Refused(new ApiException(code, reason), null);
    }

    /**
     * Records the refusal of a credential (none, unknown, revoked, a token that is invalid or
     * carries no role) within its address's budget ({@link dev.stacyvm.gateway.service.DeniedAuthentications}),
     * since anyone can send those, and answers it.
     */
    private Refused refusedCredential(Request request, String actor, ErrorCode code, String reason) {
        deniedAuthentications.denied(new AuditTrail.Origin(actor, request.requestId(), request.sourceAddress()),
                request.method(), request.path(), reason);
        return new Refused(new ApiException(code, reason), null);
    }

    private Optional<ApiKeys.Identity> identify(String key) {
        if (MessageDigest.isEqual(key.getBytes(StandardCharsets.UTF_8), config.adminApiKey().getBytes(StandardCharsets.UTF_8))) {
            return Optional.of(new ApiKeys.Identity("bootstrap", ApiKeys.BOOTSTRAP_KEY_NAME, config.adminTenant(), Role.ADMIN));
        }
        return apiKeys.authenticate(key);
    }
}
