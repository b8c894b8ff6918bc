package dev.stacyvm.gateway.rest;

import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.support.error.ErrorResponses;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * The HTTP body limit is large so that archives can stream through; a JSON body is read whole,
 * so one larger than {@value #MAX_JSON_BYTES} bytes is refused before it is read.
 */
public class JsonBodyLimitFilter {

    static final long MAX_JSON_BYTES = 64L * 1024 * 1024;

    @ServerRequestFilter
    public Response limitJsonBodies(ContainerRequestContext request) {
        MediaType type = request.getMediaType();
        if (type == null || !MediaType.APPLICATION_JSON_TYPE.isCompatible(type)) {
            return null;
        }
        String length = request.getHeaderString("Content-Length");
        if (length != null && length.matches("\\d{1,19}") && Long.parseLong(length) > MAX_JSON_BYTES) {
            return ErrorResponses.of(ErrorCode.BAD_REQUEST,
                    "JSON bodies are limited to " + MAX_JSON_BYTES + " bytes; upload large data as a tar archive");
        }
        return null;
    }
}
