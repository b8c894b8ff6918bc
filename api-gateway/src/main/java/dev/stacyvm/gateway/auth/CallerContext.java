package dev.stacyvm.gateway.auth;

import jakarta.enterprise.context.RequestScoped;

/** The authenticated caller of the current request, set by {@link ApiKeyFilter}. */
@RequestScoped
public class CallerContext {

    private Caller caller;
    private String requestId;
    private String sourceAddress;

    public Caller caller() {
        return caller;
    }

    public String requestId() {
        return requestId;
    }

    public String sourceAddress() {
        return sourceAddress;
    }

    void set(Caller caller, String requestId, String sourceAddress) {
        this.caller = caller;
        this.requestId = requestId;
        this.sourceAddress = sourceAddress;
    }
}
