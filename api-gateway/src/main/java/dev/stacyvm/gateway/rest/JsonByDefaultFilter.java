package dev.stacyvm.gateway.rest;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * StacyVM reads every request body as JSON whatever its Content-Type, and its clients (and
 * {@code curl -d}) rely on that; so a body sent without a type, as a form or as plain text is
 * read as JSON here too.
 */
public class JsonByDefaultFilter {

    @ServerRequestFilter(preMatching = true)
    public void treatBodiesAsJson(ContainerRequestContext request) {
        if (!request.getUriInfo().getPath().startsWith("/api/v1")) {
            return;
        }
        if (request.getUriInfo().getPath().endsWith("/files/archive")) {
            return; // archives are tar streams, not JSON
        }
        MediaType type = request.getMediaType();
        if (type == null || MediaType.APPLICATION_FORM_URLENCODED_TYPE.isCompatible(type)
                || MediaType.TEXT_PLAIN_TYPE.isCompatible(type)) {
            request.getHeaders().putSingle(HttpHeaders.CONTENT_TYPE, MediaType.APPLICATION_JSON);
        }
    }
}
