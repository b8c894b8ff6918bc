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

    public Caller caller() {
        return caller;
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

    void set(Caller caller, String requestId, String sourceAddress, TokenBucket.Take rate) {
        this.caller = caller;
        this.requestId = requestId;
        this.sourceAddress = sourceAddress;
        this.rate = rate;
    }
}
