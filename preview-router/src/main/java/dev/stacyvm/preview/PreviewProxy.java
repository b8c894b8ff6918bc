package dev.stacyvm.preview;

import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.contract.event.PreviewRoute;
import dev.stacyvm.contract.preview.PreviewTokens;
import io.quarkus.logging.Log;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * Serves {@code {port}-{sandbox id}.{domain}}: looks the sandbox up in the {@link RouteTable},
 * checks the preview token of a private preview, and relays the request to the sandbox's
 * published port at its worker's preview address (all methods, streamed bodies both ways, so
 * chunked answers and Server-Sent Events flow as they are written) or, for a WebSocket upgrade,
 * tunnels the connection once the app switched protocols. It never connects anywhere but a registered sandbox's published port:
 * the target comes from the route, never from the request. Other hosts (health, metrics) go on to
 * the router's own routes.
 */
@ApplicationScoped
public class PreviewProxy {

    static final String TOKEN_HEADER = "X-Preview-Token";
    static final String TOKEN_PARAMETER = "preview_token";
    /** Fetch Metadata request headers (W3C), set by the browser and never by a page. */
    static final String FETCH_DEST = "Sec-Fetch-Dest";
    static final String FETCH_SITE = "Sec-Fetch-Site";
    /** Hop-by-hop headers (RFC 9110 7.6.1) and what the router itself sets: never passed on. */
    private static final Set<String> NOT_FORWARDED = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host", "x-preview-token",
            "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "forwarded");

    @Inject
    PreviewConfig config;

    @Inject
    RouteTable routes;

    @Inject
    ErrorPages errors;

    private HttpClient http;
    private PreviewTokens tokens;
    private Vertx vertx;

    void install(@Observes Router router, Vertx vertx) {
        this.vertx = vertx;
        int connectMillis = (int) config.connectTimeout().toMillis();
        http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(connectMillis).setKeepAlive(true)
                .setMaxPoolSize(256).setDecompressionSupported(false)
                .setMaxHeaderSize(config.maxResponseHeaderSize()).setMaxInitialLineLength(config.maxResponseHeaderSize()));
        tokens = new PreviewTokens(config.tokenSecret());
        router.route().order(Integer.MIN_VALUE).handler(this::handle);
    }

    void handle(RoutingContext context) {
        HttpServerRequest request = context.request();
        HostAndPort authority = request.authority();
        String host = authority == null ? null : authority.host().toLowerCase(Locale.ROOT);
        if (host == null || !host.endsWith("." + config.domain().toLowerCase(Locale.ROOT))) {
            context.next();
            return;
        }
        Optional<PreviewHosts.PreviewTarget> target = PreviewHosts.parse(host, config.domain());
        if (target.isEmpty()) {
            errors.send(context, ErrorCode.NOT_FOUND, "Not a preview address",
                    "Preview addresses look like http://3000-sb-1a2b3c4d." + config.domain() + "/.", null);
            return;
        }
        if (refusedForItsSize(context)) {
            return;
        }
        String sandboxId = target.get().sandboxId();
        int port = target.get().port();
        PreviewRoute known = routes.find(sandboxId).orElse(null);
        if (known != null && !RouteTable.creating(known)) {
            serve(context, sandboxId, port, known);
            return;
        }
        // a sandbox that just answered its create may not have its running route here yet: hold
        // the request (body unread) until it arrives or stacyvm.preview.route-wait passes
        Optional<CompletableFuture<PreviewRoute>> arriving = routes.awaitRoute(sandboxId);
        if (arriving.isEmpty()) {
            noSuchSandbox(context, sandboxId);
            return;
        }
        request.pause();
        Context requestContext = vertx.getOrCreateContext();
        long timer = vertx.setTimer(config.routeWait().toMillis(), fired -> routes.giveUp(sandboxId, arriving.get()));
        arriving.get().whenComplete((route, failure) -> requestContext.runOnContext(next -> {
            vertx.cancelTimer(timer);
            if (context.response().closed()) {
                return; // the caller left while it waited
            }
            // given up: a creating route is answered as such (503, Retry-After), none as 404
            PreviewRoute answered = route != null ? route : routes.find(sandboxId).orElse(null);
            if (answered == null) {
                noSuchSandbox(context, sandboxId);
                request.resume();
            } else {
                serve(context, sandboxId, port, answered);
                if (context.response().ended()) {
                    request.resume(); // refused or redirected: the unread body is dropped
                }
            }
        }));
    }

    private void noSuchSandbox(RoutingContext context, String sandboxId) {
        errors.send(context, ErrorCode.NOT_FOUND, "No such sandbox",
                "Sandbox " + sandboxId + " does not exist, or has been destroyed.", null);
    }

    /** Answers a request for {@code port} of a sandbox whose route is known: token, state, then the relay. */
    private void serve(RoutingContext context, String sandboxId, int port, PreviewRoute route) {
        HttpServerRequest request = context.request();
        HostAndPort authority = request.authority();
        if (RouteTable.creating(route)) {
            errors.send(context, ErrorCode.UNAVAILABLE, "The sandbox is not running",
                    "Sandbox " + sandboxId + " is creating.", 2L);
            return;
        }
        // a port the sandbox never declared is not there for anyone: no token could open it
        Integer published = route.ports().get(port);
        if (published == null) {
            errors.send(context, ErrorCode.NOT_FOUND, "Port " + port + " is not a preview port",
                    "Sandbox " + sandboxId + (route.publicPreview()
                            ? " declares the preview ports " + route.ports().keySet() + "."
                            : " does not declare it."), null);
            return;
        }
        String queryToken = request.getParam(TOKEN_PARAMETER);
        if (!route.publicPreview()) {
            String token = presentedToken(request, queryToken);
            Optional<String> refusal = tokens.refusal(token, sandboxId, port, route.previewGeneration(), Instant.now());
            if (refusal.isPresent()) {
                errors.send(context, ErrorCode.UNAUTHORIZED, "This preview is private",
                        refusal.get() + ". Open it with the URL and token from GET /api/v1/sandboxes/" + sandboxId
                                + "/preview/" + port + ".", null);
                return;
            }
            if (queryToken != null && request.method() == HttpMethod.GET && !isWebSocketUpgrade(request)) {
                keepTokenInCookie(context, queryToken);
                return;
            }
        }
        if (!"running".equals(route.state())) {
            errors.send(context, ErrorCode.UNAVAILABLE, "The sandbox is not running",
                    "Sandbox " + sandboxId + " is " + route.state() + ".", null);
            return;
        }
        SocketAddress upstream = SocketAddress.inetSocketAddress(published, route.previewHost());
        if (isWebSocketUpgrade(request)) {
            relayWebSocket(context, upstream, authority, port);
        } else {
            relayHttp(context, upstream, authority, port);
        }
    }

    /**
     * Refuses a request whose line, header block or declared body is past the router's limits
     * ({@code 414}, {@code 431} or {@code 413}, in the request's own HTTP version, with a typed
     * body); answers whether it did. A chunked body is counted as it is relayed ({@link LimitedBody}).
     */
    private boolean refusedForItsSize(RoutingContext context) {
        HttpServerRequest request = context.request();
        long line = requestLineLength(request.method().name(), request.uri(), request.version());
        if (line > config.maxRequestLine()) {
            errors.send(context, ErrorCode.URI_TOO_LONG, "The request line is too long",
                    "The router relays request lines of up to " + config.maxRequestLine() + " bytes (this one has "
                            + line + "; stacyvm.preview.max-request-line).", null);
            return true;
        }
        long headers = headerBlockSize(request.headers());
        if (headers > config.maxRequestHeaderSize()) {
            errors.send(context, ErrorCode.REQUEST_HEADER_FIELDS_TOO_LARGE, "The request headers are too large",
                    "The router relays header blocks of up to " + config.maxRequestHeaderSize() + " bytes (these have "
                            + headers + "; stacyvm.preview.max-request-header-size).", null);
            return true;
        }
        long declared = declaredBodyLength(request);
        if (declared > config.maxRequestBodySize().asLongValue()) {
            refuseBody(context, "this one declares " + declared, true);
            return true;
        }
        return false;
    }

    /** The body length a request declares in {@code Content-Length}; -1 when it declares none (or none that parses). */
    static long declaredBodyLength(HttpServerRequest request) {
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length == null) {
            return -1;
        }
        try {
            return Long.parseLong(length.trim());
        } catch (NumberFormatException unparsable) {
            return -1;
        }
    }

    /** How long the router goes on reading a refused body before it closes the connection. */
    private static final long LINGER_MILLIS = 5000;

    /**
     * Answers {@code 413 payload_too_large} and ends the request's sending. HTTP/1.x: with {@code
     * Connection: close}, then reads on and drops what the client still sends until its body ends
     * (at most {@link #LINGER_MILLIS}) before closing: closing at once, with the client's bytes
     * unread, would reset the connection and lose the answer, which is why servers linger on close.
     * HTTP/2: the stream alone is reset after the answer ({@code NO_ERROR}, RFC 9113 8.1), the
     * connection's other streams go on. When the app had already begun its answer, that answer
     * cannot become a 413: the exchange is reset instead.
     *
     * @param declared whether {@code Content-Length} declared the excess (nothing was relayed yet)
     */
    private void refuseBody(RoutingContext context, String size, boolean declared) {
        HttpServerRequest request = context.request();
        HttpServerResponse response = context.response();
        if (response.headWritten()) {
            response.reset();
            return;
        }
        boolean http2 = request.version() == HttpVersion.HTTP_2;
        if (!http2) {
            response.putHeader(HttpHeaders.CONNECTION, "close");
        }
        errors.send(context, ErrorCode.PAYLOAD_TOO_LARGE, "The request body is too large",
                "The router relays request bodies of up to " + config.maxRequestBodySize().asLongValue() + " bytes ("
                        + size + "; stacyvm.preview.max-request-body-size).", null);
        Runnable close = http2 ? () -> response.reset(0) : () -> request.connection().close();
        if (request.isEnded()) {
            if (!http2) {
                close.run();
            }
            return;
        }
        // a client waiting for 100 Continue sends no body after a final answer
        if (declared && "100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT))) {
            close.run();
            return;
        }
        long linger = vertx.setTimer(LINGER_MILLIS, fired -> close.run());
        request.handler(dropped -> { });
        request.endHandler(ended -> {
            vertx.cancelTimer(linger);
            if (!http2) {
                close.run();
            }
        });
        request.resume();
    }

    /** The bytes of a request line: {@code METHOD SP target SP HTTP/x.y}, without its CRLF. */
    static long requestLineLength(String method, String target, HttpVersion version) {
        String protocol = version == HttpVersion.HTTP_1_0 ? "HTTP/1.0" : "HTTP/1.1";
        return method.length() + 1L + target.length() + 1L + protocol.length();
    }

    /** The bytes of a header block as sent: {@code name: value} and CRLF for every field. */
    static long headerBlockSize(MultiMap headers) {
        long size = 0;
        for (Map.Entry<String, String> header : headers) {
            size += header.getKey().length() + 2L + header.getValue().length() + 2L;
        }
        return size;
    }

    /** An HTTP/1.1 WebSocket handshake: GET with {@code Upgrade: websocket} and {@code Connection: upgrade}. */
    static boolean isWebSocketUpgrade(HttpServerRequest request) {
        String upgrade = request.getHeader(HttpHeaders.UPGRADE);
        String connection = request.getHeader(HttpHeaders.CONNECTION);
        return request.method() == HttpMethod.GET && upgrade != null && upgrade.equalsIgnoreCase("websocket")
                && connection != null && connection.toLowerCase(Locale.ROOT).contains("upgrade");
    }

    private String presentedToken(HttpServerRequest request, String queryToken) {
        String header = request.getHeader(TOKEN_HEADER);
        if (header != null) {
            return header;
        }
        if (queryToken != null) {
            return queryToken;
        }
        Cookie cookie = request.getCookie(config.cookieName());
        if (cookie != null) {
            return cookie.getValue();
        }
        // a frame's cookie is sent cross-site by design, so it counts only for requests the preview's
        // own pages make, as the browser says in Fetch Metadata, which no page can set: another page
        // that sends it (another preview framed beside it, which shares its partition) is refused
        Cookie framed = request.getCookie(framedCookieName());
        return framed != null && isFramesOwn(request) ? framed.getValue() : null;
    }

    /**
     * Whether a request comes from the preview's own pages: {@code Sec-Fetch-Site: same-origin}
     * (its requests, and its frame's navigations, the first of them the hand-over page's), or its
     * page's WebSocket, whose handshake carries no Fetch Metadata but always the page's {@code Origin}.
     */
    static boolean isFramesOwn(HttpServerRequest request) {
        String site = request.getHeader(FETCH_SITE);
        if (site != null) {
            return site.equals("same-origin");
        }
        String origin = request.getHeader(HttpHeaders.ORIGIN);
        return isWebSocketUpgrade(request) && origin != null && request.authority() != null
                && origin.equalsIgnoreCase((request.isSSL() ? "https://" : "http://") + request.authority());
    }

    private String framedCookieName() {
        return config.cookieName() + "_framed";
    }

    /**
     * A browser that opened the preview URL with its token: the token becomes an HttpOnly cookie of
     * this preview host only, and the browser goes to the same address without it, so the token
     * stays out of the page's URL, history and Referer, and later requests (WebSockets included)
     * carry the cookie.
     */
    private void keepTokenInCookie(RoutingContext context, String token) {
        HttpServerRequest request = context.request();
        String setCookie;
        if (isFramed(request)) {
            // in a frame of another site (the web console) a SameSite=Lax cookie is never stored, so
            // the frame gets its own: sent cross-site (None, which browsers take only when Secure;
            // they treat http://*.localhost as secure), kept apart per embedding site (Partitioned),
            // and honoured only for the frame's same-origin requests (presentedToken)
            setCookie = Cookie.cookie(framedCookieName(), token).setPath("/").setHttpOnly(true)
                    .setSameSite(CookieSameSite.NONE).setSecure(true).encode() + "; Partitioned";
            // not a redirect: a redirect's next request still counts as the embedding site's
            // (cross-site), which the framed cookie never opens; this page moves the frame on itself,
            // so that request is the preview's own (same-origin)
            context.response().setStatusCode(200)
                    .putHeader(HttpHeaders.SET_COOKIE, setCookie)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8")
                    .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                    .putHeader("Referrer-Policy", "no-referrer")
                    .putHeader("Content-Security-Policy", "default-src 'none'")
                    .end(handOverPage(withoutToken(request.uri())));
            return;
        } else {
            setCookie = Cookie.cookie(config.cookieName(), token).setPath("/").setHttpOnly(true)
                    .setSameSite(CookieSameSite.LAX).setSecure(request.isSSL()).encode();
        }
        context.response().setStatusCode(302)
                .putHeader(HttpHeaders.SET_COOKIE, setCookie)
                .putHeader(HttpHeaders.LOCATION, withoutToken(request.uri()))
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .end();
    }

    /** A page that sends its frame on to {@code uri} (same origin) at once: a meta refresh, no script. */
    static String handOverPage(String uri) {
        String target = uri.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("'", "&#39;");
        return "<!doctype html><html><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"0; url="
                + target + "\"><title>Opening the preview</title></head><body></body></html>";
    }

    /** Whether the browser loads this preview in a frame (Fetch Metadata's Sec-Fetch-Dest, which pages cannot set). */
    static boolean isFramed(HttpServerRequest request) {
        String destination = request.getHeader(FETCH_DEST);
        return "iframe".equals(destination) || "frame".equals(destination);
    }

    /** The request URI without the preview_token query parameter. */
    static String withoutToken(String uri) {
        int question = uri.indexOf('?');
        if (question < 0) {
            return uri;
        }
        String kept = List.of(uri.substring(question + 1).split("&")).stream()
                .filter(parameter -> !parameter.isEmpty() && !parameter.equals(TOKEN_PARAMETER)
                        && !parameter.startsWith(TOKEN_PARAMETER + "="))
                .collect(Collectors.joining("&"));
        return uri.substring(0, question) + (kept.isEmpty() ? "" : "?" + kept);
    }

    private void relayHttp(RoutingContext context, SocketAddress upstream, HostAndPort authority, int port) {
        HttpServerRequest request = context.request();
        request.pause();
        RequestOptions options = upstreamRequest(request, upstream, authority, forwardedHeaders(context, Set.of()));
        http.request(options).onComplete(connected -> {
            if (connected.failed()) {
                request.resume();
                notListening(context, port);
                return;
            }
            var outbound = connected.result();
            // HTTP/2 frames a body without either header: one is coming unless the stream has ended
            boolean hasBody = request.headers().contains(HttpHeaders.CONTENT_LENGTH)
                    || request.headers().contains(HttpHeaders.TRANSFER_ENCODING)
                    || request.version() == HttpVersion.HTTP_2 && !request.isEnded();
            // a declared length was checked before; a chunked body is counted as it goes
            LimitedBody body = new LimitedBody(request, config.maxRequestBodySize().asLongValue(), () -> {
                outbound.reset();
                refuseBody(context, "this one sent more", false);
            });
            var sent = hasBody ? outbound.send(body) : outbound.send();
            if (!hasBody) {
                request.resume();
            }
            sent.onComplete(answered -> {
                if (body.past()) {
                    return;
                }
                if (answered.failed()) {
                    upstreamFailed(context, port, answered.cause());
                    return;
                }
                relayResponse(answered.result(), context.response(), request.method());
            });
        });
    }

    /** The request as the app gets it: to the route's address only, the preview host kept, the token removed. */
    private static RequestOptions upstreamRequest(HttpServerRequest request, SocketAddress upstream, HostAndPort authority,
            MultiMap headers) {
        return new RequestOptions()
                .setMethod(request.method())
                .setServer(upstream)
                .setHost(authority.host())
                .setPort(authority.port() > 0 ? authority.port() : 80)
                .setURI(withoutToken(request.uri()))
                .setHeaders(headers);
    }

    private static void relayResponse(HttpClientResponse answer, HttpServerResponse response, HttpMethod method) {
        response.setStatusCode(answer.statusCode());
        if (answer.statusMessage() != null) {
            response.setStatusMessage(answer.statusMessage());
        }
        answer.headers().forEach(header -> {
            if (!NOT_FORWARDED.contains(header.getKey().toLowerCase(Locale.ROOT))) {
                response.headers().add(header.getKey(), header.getValue());
            }
        });
        boolean bodiless = method == HttpMethod.HEAD || answer.statusCode() == 204 || answer.statusCode() == 304;
        if (!bodiless && !answer.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
            response.setChunked(true);
        }
        answer.pipeTo(response);
    }

    /**
     * A WebSocket upgrade is tunnelled, as reverse proxies do: the client's handshake goes to the
     * app as it came (its key, version, subprotocols and extensions; hop-by-hop headers, the token
     * and the router's cookie removed), the app's answer comes back as it is (its 101 with the
     * subprotocol and extensions it chose, or its refusal), and after a 101 the bytes flow both ways
     * untouched: messages of any size, fragmented or not, compressed or not (RFC 6455 4.2.2).
     */
    private void relayWebSocket(RoutingContext context, SocketAddress upstream, HostAndPort authority, int port) {
        HttpServerRequest request = context.request();
        request.pause();
        MultiMap headers = forwardedHeaders(context, Set.of("content-length"));
        headers.set(HttpHeaders.UPGRADE, request.getHeader(HttpHeaders.UPGRADE));
        headers.set(HttpHeaders.CONNECTION, "Upgrade");
        RequestOptions options = upstreamRequest(request, upstream, authority, headers);
        http.request(options).compose(HttpClientRequest::connect).onComplete(answered -> {
            if (answered.failed()) {
                Log.debugf("websocket to %s failed: %s", upstream, answered.cause());
                request.resume();
                upstreamFailed(context, port, answered.cause());
                return;
            }
            HttpClientResponse answer = answered.result();
            if (answer.statusCode() != 101) {
                // the app refused the upgrade: the client gets that answer, not a 101
                request.resume();
                relayResponse(answer, context.response(), request.method());
                return;
            }
            NetSocket appSide = answer.netSocket();
            HttpServerResponse response = context.response();
            answer.headers().forEach(header -> response.headers().add(header.getKey(), header.getValue()));
            request.toNetSocket().onComplete(tunnel -> {
                if (tunnel.failed()) {
                    appSide.close();
                    return;
                }
                NetSocket clientSide = tunnel.result();
                clientSide.pipeTo(appSide);
                appSide.pipeTo(clientSide);
            });
        });
    }

    /**
     * The request's headers as the sandbox gets them: without hop-by-hop headers, the preview
     * token, or the router's cookie, and with the X-Forwarded-* the app may want.
     */
    private MultiMap forwardedHeaders(RoutingContext context, Set<String> alsoDropped) {
        HttpServerRequest request = context.request();
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        request.headers().forEach(header -> {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (NOT_FORWARDED.contains(name) || alsoDropped.contains(name)) {
                return;
            }
            if (name.equals("cookie")) {
                String kept = withoutCookie(withoutCookie(header.getValue(), config.cookieName()), framedCookieName());
                if (!kept.isEmpty()) {
                    headers.add(header.getKey(), kept);
                }
                return;
            }
            headers.add(header.getKey(), header.getValue());
        });
        if (request.remoteAddress() != null) {
            headers.set("X-Forwarded-For", request.remoteAddress().hostAddress());
        }
        headers.set("X-Forwarded-Host", request.authority().toString());
        headers.set("X-Forwarded-Proto", request.isSSL() ? "https" : "http");
        return headers;
    }

    static String withoutCookie(String cookieHeader, String name) {
        return List.of(cookieHeader.split(";")).stream()
                .map(String::trim)
                .filter(cookie -> !cookie.isEmpty() && !cookie.startsWith(name + "="))
                .collect(Collectors.joining("; "));
    }

    /**
     * What a failed exchange with the app means to the user: an answer whose head is larger than
     * {@code stacyvm.preview.max-response-header-size} is the app's doing (502, saying so); a
     * connection that failed is nothing listening yet (503).
     */
    private void upstreamFailed(RoutingContext context, int port, Throwable cause) {
        if (cause instanceof io.netty.handler.codec.TooLongFrameException
                || cause instanceof io.vertx.core.VertxException && cause.getCause() instanceof io.netty.handler.codec.TooLongFrameException) {
            errors.send(context, ErrorCode.BAD_GATEWAY, "The app's answer is too large to relay",
                    "The app on port " + port + " answered with headers larger than the router relays ("
                            + config.maxResponseHeaderSize() + " bytes, stacyvm.preview.max-response-header-size).", null);
            return;
        }
        if (context.response().headWritten()) {
            context.response().reset();
            return;
        }
        notListening(context, port);
    }

    private void notListening(RoutingContext context, int port) {
        errors.send(context, ErrorCode.UNAVAILABLE, "Nothing answers on port " + port,
                "The sandbox is running, but no program in it accepts connections on port " + port
                        + " (yet). Start the app listening on 0.0.0.0:" + port + " and reload.", 2L);
    }
}
