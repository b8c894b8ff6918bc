package dev.stacyvm.contract.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * The error body: StacyVM's {@code code} and {@code message}, plus the RFC 9457 members
 * {@code type}, {@code title}, {@code status} and {@code detail} for clients that read those.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiError(String code, String message, String type, String title, Integer status, String detail) {

    public static ApiError of(ErrorCode code, String message) {
        return new ApiError(code.wireName(), message, "https://stacyvm.dev/errors/" + code.wireName(), code.title(),
                code.httpStatus(), message);
    }
}
