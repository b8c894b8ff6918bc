package dev.stacyvm.contract.api;

/** StacyVM's one-word answers: {@code {"status":"destroyed"}}, {@code {"status":"written"}}, ... */
public record StatusResponse(String status) {

    public static final StatusResponse DESTROYED = new StatusResponse("destroyed");
}
