package dev.stacyvm.support.error;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.stacyvm.contract.api.ErrorCode;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.stream.Collectors;

/**
 * A body that is not JSON, or JSON with a field of the wrong type, is a {@code bad_request} that
 * names the field (a whole-number field says so: {@link StrictJsonNumbers}); the parser's own
 * message (which quotes Java class names) is not shown.
 */
@Provider
public class MalformedJsonMapper implements ExceptionMapper<JsonProcessingException> {

    @Override
    public Response toResponse(JsonProcessingException exception) {
        return describe(exception);
    }

    private static final java.util.Set<Class<?>> WHOLE_NUMBERS = java.util.Set.of(int.class, Integer.class, long.class,
            Long.class, short.class, Short.class);

    static Response describe(JsonProcessingException exception) {
        if (exception instanceof MismatchedInputException mismatch && !mismatch.getPath().isEmpty()) {
            String field = mismatch.getPath().stream()
                    .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                    .collect(Collectors.joining("."))
                    .replace(".[", "[");
            Class<?> target = mismatch.getTargetType();
            if (target != null && WHOLE_NUMBERS.contains(target)) {
                return ErrorResponses.of(ErrorCode.BAD_REQUEST, "field \"" + field + "\" must be a whole number");
            }
            return ErrorResponses.of(ErrorCode.BAD_REQUEST, "field \"" + field + "\" has the wrong type");
        }
        return ErrorResponses.of(ErrorCode.BAD_REQUEST, "request body is not valid JSON");
    }

    /**
     * Quarkus REST has its own mapper for this subtype that answers an empty 400; this one, for the
     * exact type, takes precedence over it.
     */
    @Provider
    public static class WrongFieldTypeMapper implements ExceptionMapper<MismatchedInputException> {

        @Override
        public Response toResponse(MismatchedInputException exception) {
            return describe(exception);
        }
    }
}
