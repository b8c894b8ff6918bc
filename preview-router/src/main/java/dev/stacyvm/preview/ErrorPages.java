package dev.stacyvm.preview;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stacyvm.contract.api.ApiError;
import dev.stacyvm.contract.api.ErrorCode;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The router's own answers when it does not proxy: a readable HTML page for a browser, the API's
 * JSON error for anything else. Never cached, never framed by the sandbox's page.
 */
@ApplicationScoped
public class ErrorPages {

    @Inject
    ObjectMapper json;

    public void send(RoutingContext context, ErrorCode code, String headline, String explanation, Long retryAfterSeconds) {
        HttpServerResponse response = context.response();
        if (response.headWritten()) {
            response.reset();
            return;
        }
        response.setStatusCode(code.httpStatus())
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .putHeader("X-Content-Type-Options", "nosniff");
        if (retryAfterSeconds != null) {
            response.putHeader("Retry-After", String.valueOf(retryAfterSeconds));
        }
        String accept = context.request().getHeader(HttpHeaders.ACCEPT);
        if (accept != null && accept.contains("text/html")) {
            response.putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8")
                    .putHeader("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
                    .end(page(code, headline, explanation));
            return;
        }
        try {
            response.putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end(json.writeValueAsString(ApiError.of(code, headline + ": " + explanation)));
        } catch (JsonProcessingException e) {
            response.end();
        }
    }

    static String page(ErrorCode code, String headline, String explanation) {
        return """
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8"><title>%1$s · StacyVM preview</title>
                <style>body{font:16px/1.5 system-ui,sans-serif;max-width:40em;margin:4em auto;padding:0 1em;color:#222}
                h1{font-size:1.4em}code{background:#f3f3f3;padding:0 .2em}.status{color:#888}</style></head>
                <body><h1>%1$s</h1><p>%2$s</p><p class="status">%3$d %4$s · StacyVM preview router</p></body></html>
                """.formatted(escape(headline), escape(explanation), code.httpStatus(), escape(code.title()));
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
