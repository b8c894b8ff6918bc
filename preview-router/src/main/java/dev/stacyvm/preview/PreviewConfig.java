package dev.stacyvm.preview;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

@ConfigMapping(prefix = "stacyvm.preview")
public interface PreviewConfig {

    /** Previews are served on {@code {port}-{sandbox id}.{domain}}. */
    @WithDefault("localhost")
    String domain();

    /** The secret the gateway signs preview tokens with. */
    String tokenSecret();

    /** The cookie a preview token becomes once a browser presented it in the URL. */
    @WithDefault("stacyvm_preview")
    String cookieName();

    /**
     * How long a request for a sandbox the router has no route for waits for one to arrive
     * before it is {@code 404 not_found}: a route reaches the router through Kafka shortly after
     * the sandbox answered its create, and a browser sent there at once should not be told the
     * sandbox does not exist. Sandboxes the router saw destroyed are refused at once.
     */
    @WithDefault("5s")
    Duration routeWait();

    /** How long the router waits to connect to a sandbox's published port. */
    @WithDefault("5s")
    Duration connectTimeout();

    /**
     * The largest status line and header block (bytes, each) of an app's answer the router relays;
     * a larger one is a {@code 502 bad_gateway} naming this setting. Requests: see
     * {@link #maxRequestLine()} and {@link #maxRequestHeaderSize()}.
     */
    @WithDefault("65536")
    int maxResponseHeaderSize();

    /**
     * The longest request line (method, target and version, bytes) the router relays to an app;
     * a longer one is {@code 414 uri_too_long}, answered in the request's own HTTP version. The
     * HTTP server's own ceiling ({@code quarkus.http.limits.max-initial-line-length}) is set four
     * times higher, so that this limit, not the server's bare refusal, is what callers meet.
     */
    @WithDefault("65536")
    int maxRequestLine();

    /**
     * The largest request header block (bytes: every {@code name: value} line) the router relays
     * to an app; a larger one is {@code 431 request_header_fields_too_large} (RFC 6585), in the
     * request's own HTTP version. The HTTP server's ceiling ({@code
     * quarkus.http.limits.max-header-size}) is four times higher.
     */
    @WithDefault("65536")
    int maxRequestHeaderSize();

    /**
     * The largest request body the router relays to an app; past it {@code 413 payload_too_large},
     * in the request's own HTTP version, with {@code Connection: close}: before anything reaches
     * the app when {@code Content-Length} declares more, else (chunked) when the bytes relayed
     * pass it, and the app's request is then cancelled. The HTTP server's own ceiling
     * ({@code quarkus.http.limits.max-body-size}) is four times higher.
     */
    @WithDefault("1G")
    MemorySize maxRequestBodySize();
}
