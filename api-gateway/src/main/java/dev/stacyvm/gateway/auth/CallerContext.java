package dev.stacyvm.gateway.auth;

import dev.stacyvm.gateway.quota.TokenBucket;
import jakarta.enterprise.context.RequestScoped;

/** The authenticated caller of the current request, set by {@link ApiKeyFilter}. */
@RequestScoped
public class CallerContext {

    private Caller caller;
    private String requestId;
    private String sourceAddress;
    private TokenBucket.Take rate;
    private String apiKeyId;
    private java.time.Instant validUntil;

    public Caller caller() {
        return caller;
    }

    /** The id of the stored API key the caller presented; null for the bootstrap key and bearer tokens. */
    public String apiKeyId() {
        return apiKeyId;
    }

    /** When the caller's credential stops being valid (a bearer token's expiry); null when it does not expire. */
    public java.time.Instant validUntil() {
        return validUntil;
    }

    public String requestId() {
        return requestId;
    }

    public String sourceAddress() {
        return sourceAddress;
    }

    /** The caller's rate-limit standing for this request; {@code null} when it has no limit. */
    public TokenBucket.Take rate() {
        return rate;
    }

    /**
     * Makes {@code caller} the current request's caller: {@link ApiKeyFilter} for JAX-RS, and the
     * routes that authenticate outside it (the exec WebSocket) inside the request context they activate.
     */
    public void set(Caller caller, String requestId, String sourceAddress, TokenBucket.Take rate, String apiKeyId,
                    java.time.Instant validUntil) {
        this.apiKeyId = apiKeyId;
        this.validUntil = validUntil;
        this.caller = caller;
        this.requestId = requestId;
        this.sourceAddress = sourceAddress;
        this.rate = rate;
    }
}
