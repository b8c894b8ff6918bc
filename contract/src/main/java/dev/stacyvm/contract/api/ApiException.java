package dev.stacyvm.contract.api;

/**
 * A failure a client is meant to see: its code picks the status, its message is shown as is, so it
 * must never carry an internal cause. {@code retryAfterSeconds} is sent as {@code Retry-After}.
 */
public class ApiException extends RuntimeException {

    private final ErrorCode code;
    private final Long retryAfterSeconds;

    public ApiException(ErrorCode code, String message) {
        this(code, message, null);
    }

    public ApiException(ErrorCode code, String message, Long retryAfterSeconds) {
        super(message, null, false, false);
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public ErrorCode code() {
        return code;
    }

    public Long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public static ApiException badRequest(String message) {
        return new ApiException(ErrorCode.BAD_REQUEST, message);
    }

    public static ApiException notFound(String message) {
        return new ApiException(ErrorCode.NOT_FOUND, message);
    }

    public static ApiException unavailable(String message) {
        return new ApiException(ErrorCode.UNAVAILABLE, message);
    }

    public static ApiException providerError(String message) {
        return new ApiException(ErrorCode.PROVIDER_ERROR, message);
    }

    /**
     * The exception an error answer stands for, on the calling side: the code its body names, else
     * the one its status means; {@code Retry-After} when it carries one in seconds.
     *
     * @param body the answer's error body, null when it had none or none could be read
     */
    public static ApiException fromAnswer(int status, ApiError body, String retryAfterHeader) {
        ErrorCode code = body == null ? null : ErrorCode.fromWireName(body.code());
        if (code == null) {
            code = ErrorCode.forStatus(status);
        }
        String message = body != null && body.message() != null ? body.message() : "HTTP " + status;
        Long retryAfter = retryAfterHeader != null && retryAfterHeader.matches("\\d+") ? Long.valueOf(retryAfterHeader) : null;
        return new ApiException(code, message, retryAfter);
    }
}
