package dev.stacyvm.contract.api;

import com.fasterxml.jackson.annotation.JsonValue;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** StacyVM's machine-readable error codes and the HTTP status each one travels with. */
public enum ErrorCode {
    /** A request the route cannot take as sent: malformed JSON, a wrong type, a value out of its bounds. */
    BAD_REQUEST("bad_request", 400, "Bad Request"),
    /** No credential, or one that is not (or no longer) valid: a wrong or revoked key, a bad token. */
    UNAUTHORIZED("unauthorized", 401, "Unauthorized"),
    /**
     * The caller may not do this: its role lacks the right (a viewer that writes, a non-administrator's
     * allow_root), or the sandbox's user lacks the permission on a file.
     */
    FORBIDDEN("forbidden", 403, "Forbidden"),
    /** Nothing by that name the caller may see: another owner's sandbox is not_found too, so ids do not leak. */
    NOT_FOUND("not_found", 404, "Not Found"),
    /** The route exists, but not for this HTTP method. */
    METHOD_NOT_ALLOWED("method_not_allowed", 405, "Method Not Allowed"),
    /** The route cannot answer in any media type the request's Accept allows. */
    NOT_ACCEPTABLE("not_acceptable", 406, "Not Acceptable"),
    /** A request body arrived too slowly: nothing for longer than the idle timeout. */
    REQUEST_TIMEOUT("request_timeout", 408, "Request Timeout"),
    /** The request does not fit the current state: a sandbox that is not running, a template name already taken. */
    CONFLICT("conflict", 409, "Conflict"),
    /** A process the API never signals: the sandbox's init (pid 1) or the sandbox agent's own. */
    PROTECTED_PROCESS("protected_process", 409, "Protected Process"),
    /** A request body larger than its route allows (declared or counted while it is read). */
    PAYLOAD_TOO_LARGE("payload_too_large", 413, "Payload Too Large"),
    /** A request line past the limit of the route that reads it (RFC 9110 15.5.15). */
    URI_TOO_LONG("uri_too_long", 414, "URI Too Long"),
    /** A request header block past the limit of the route that reads it (RFC 6585 5). */
    REQUEST_HEADER_FIELDS_TOO_LARGE("request_header_fields_too_large", 431, "Request Header Fields Too Large"),
    /** The request body's Content-Type is not one the route accepts (the message names them). */
    UNSUPPORTED_MEDIA_TYPE("unsupported_media_type", 415, "Unsupported Media Type"),
    /** A limit (the sandbox's own shape or a quota) refused the request. */
    RESOURCE_LIMIT("resource_limit", 429, "Resource Limit"),
    /**
     * No worker host has room for the sandbox now (memory, vCPUs, pids or sandbox count it
     * advertises, less what its sandboxes hold); sent with Retry-After. Not a quota refusal.
     */
    CAPACITY_EXHAUSTED("capacity_exhausted", 429, "Capacity Exhausted"),
    /**
     * The sandbox is larger than any worker host could ever hold (the message names the limit):
     * retrying cannot help, a smaller shape can.
     */
    EXCEEDS_HOST_CAPACITY("exceeds_host_capacity", 422, "Unprocessable Content"),
    /** The caller already has as many uploads under way as it may; sent with Retry-After. */
    TOO_MANY_UPLOADS("too_many_uploads", 429, "Too Many Uploads"),
    /** The sandbox provider (the container engine) failed the operation. */
    PROVIDER_ERROR("provider_error", 500, "Provider Error"),
    /**
     * A failure of StacyVM's own code (a bug), not of the provider: the message carries an
     * incident id that the service's log holds with the cause.
     */
    INTERNAL_ERROR("internal_error", 500, "Internal Error"),
    /**
     * A file write or upload found the sandbox's disk full (its {@code disk_mb}): RFC 4918's 507
     * Insufficient Storage. Nothing of the failed write is left behind.
     */
    DISK_FULL("disk_full", 507, "Insufficient Storage"),
    /** A preview's app answered with something the router cannot relay (a header block past its limit). */
    BAD_GATEWAY("bad_gateway", 502, "Bad Gateway"),
    /** A part the request needs cannot answer now (a StacyVM service, a worker, no ready worker at all). */
    UNAVAILABLE("unavailable", 503, "Unavailable"),
    /** A network policy that does not parse: a bad CIDR or domain name, an unknown default, too many entries. */
    INVALID_NETWORK_POLICY("invalid_network_policy", 400, "Invalid Network Policy"),
    /** A network policy that asks for egress its tenant's policy does not allow. */
    NETWORK_POLICY_NOT_ALLOWED("network_policy_not_allowed", 403, "Network Policy Not Allowed"),
    /** An image its tenant's image policy refuses (the message names the deny pattern or the allow list). */
    IMAGE_NOT_ALLOWED("image_not_allowed", 403, "Image Not Allowed");

    private final String wireName;
    private final int httpStatus;
    private final String title;

    ErrorCode(String wireName, int httpStatus, String title) {
        this.wireName = wireName;
        this.httpStatus = httpStatus;
        this.title = title;
    }

    /** The code as the wire spells it, in an error body's {@code code}: {@code "bad_request"}, ... */
    @JsonValue
    public String wireName() {
        return wireName;
    }

    /** The HTTP status an answer with this code is sent with. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The RFC 9457 {@code title}: a short summary of the code, the same for every answer with it. */
    public String title() {
        return title;
    }

    /** The code a wire name stands for, or null for a name this version does not know. */
    public static ErrorCode fromWireName(String name) {
        for (ErrorCode code : values()) {
            if (code.wireName.equals(name)) {
                return code;
            }
        }
        return null;
    }

    /**
     * The code a status means when a body does not say: the first code with that status, so an
     * answer's body always names the status it travels with.
     */
    public static ErrorCode forStatus(int status) {
        for (ErrorCode code : values()) {
            if (code.httpStatus == status) {
                return code;
            }
        }
        return status >= 500 ? PROVIDER_ERROR : BAD_REQUEST;
    }
}
