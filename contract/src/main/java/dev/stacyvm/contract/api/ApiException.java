package dev.stacyvm.contract.api;

/**
 * A failure a client is meant to see: its code picks the status, its message is shown as is, so it
 * must never carry an internal cause. {@code retryAfterSeconds} is sent as {@code Retry-After}.
 */
public class ApiException extends RuntimeException {

    private final ErrorCode code;
    private final Long retryAfterSeconds;

    /** A failure answered with {@code code}'s status and {@code message}, without Retry-After. */
    public ApiException(ErrorCode code, String message) {
        this(code, message, null);
    }

    /**
     * A failure answered with {@code code}'s status and {@code message}; it records no stack trace.
     *
     * @param retryAfterSeconds sent as {@code Retry-After} when waiting can help; null when it cannot
     */
    public ApiException(ErrorCode code, String message, Long retryAfterSeconds) {
        super(message, null, false, false);
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** The code the answer carries, which picks its HTTP status. */
    public ErrorCode code() {
        return code;
    }

    /** The seconds to send as {@code Retry-After}, or null to send none. */
    public Long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** {@link ErrorCode#BAD_REQUEST} (400) with {@code message}. */
    public static ApiException badRequest(String message) {
        return new ApiException(ErrorCode.BAD_REQUEST, message);
    }

    /** {@link ErrorCode#NOT_FOUND} (404) with {@code message}. */
    public static ApiException notFound(String message) {
        return new ApiException(ErrorCode.NOT_FOUND, message);
    }

    /** {@link ErrorCode#UNAVAILABLE} (503) with {@code message}, without Retry-After. */
    public static ApiException unavailable(String message) {
        return new ApiException(ErrorCode.UNAVAILABLE, message);
    }

    /** {@link ErrorCode#PROVIDER_ERROR} (500): the container engine failed the operation. */
    public static ApiException providerError(String message) {
        return new ApiException(ErrorCode.PROVIDER_ERROR, message);
    }

    /**
     * The exception an error answer stands for, on the calling side: the code its body names, else
     * the one its status means; {@code Retry-After} when it carries one in seconds.
     *
     * @param status           the answer's HTTP status
     * @param body             the answer's error body, null when it had none or none could be read
     * @param retryAfterHeader the answer's {@code Retry-After} header, or null; used only when it is whole
     *                         seconds (not an HTTP date)
     */
    public static ApiException fromAnswer(int status, ApiError body, String retryAfterHeader) {
        ErrorCode code = body == null ? null : ErrorCode.fromWireName(body.code());
        if (code == null) {
            code = ErrorCode.forStatus(status);
        }
        String message = body != null && body.message() != null ? body.message() : "HTTP " + status;
        Long retryAfter = retryAfterHeader != null && retryAfterHeader.matches("\\d+")
                ? Long.valueOf(retryAfterHeader) : null;
        return new ApiException(code, message, retryAfter);
    }
}
