package dev.stacyvm.contract.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The error body: StacyVM's {@code code} and {@code message}, plus the RFC 9457 members
 * {@code type}, {@code title}, {@code status} and {@code detail} for clients that read those.
 */
@Schema(description = "The body of every error answer: StacyVM's code and message, plus the RFC 9457 (problem details) "
        + "members type, title, status and detail. code and status always match the HTTP status the answer travels "
        + "with.")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiError(
        @Schema(description = "StacyVM's machine-readable error code: bad_request, unauthorized, forbidden, "
                + "not_found, method_not_allowed, not_acceptable, request_timeout, conflict, protected_process, "
                + "payload_too_large, uri_too_long, unsupported_media_type, request_header_fields_too_large, "
                + "resource_limit, capacity_exhausted, exceeds_host_capacity, too_many_uploads, provider_error, "
                + "internal_error, disk_full, bad_gateway, unavailable, invalid_network_policy or "
                + "network_policy_not_allowed.",
                examples = "bad_request")
        String code,
        @Schema(description = "What went wrong, for a person; it never carries an internal cause (an internal_error "
                + "names an incident id the service's log holds with the cause).",
                examples = "ttl: invalid duration \"forever\" (use Go form such as 30s, 5m, 1h30m)")
        String message,
        @Schema(description = "RFC 9457 type: a URI naming the code, https://stacyvm.dev/errors/{code}.",
                examples = "https://stacyvm.dev/errors/bad_request")
        String type,
        @Schema(description = "RFC 9457 title: the code's short summary.", examples = "Bad Request")
        String title,
        @Schema(description = "RFC 9457 status: the HTTP status code of the answer.", examples = "400")
        Integer status,
        @Schema(description = "RFC 9457 detail: the same text as message.")
        String detail) {

    /** The error body for {@code code}, with {@code message} as both StacyVM's message and RFC 9457's detail. */
    public static ApiError of(ErrorCode code, String message) {
        return new ApiError(code.wireName(), message, "https://stacyvm.dev/errors/" + code.wireName(), code.title(),
                code.httpStatus(), message);
    }
}
