package dev.stacyvm.client;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.stacyvm.contract.api.ApiError;
import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;

/** Requests to {@code {url}/api/v1} with one caller's credentials; error answers become {@link ApiException}s. */
final class Http {

    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    /** How long a WebSocket handshake may take: connecting, and the gateway's checks before it upgrades. */
    static final Duration HANDSHAKE_WAIT = Duration.ofSeconds(30);
    private static final Duration CONNECT_WAIT = Duration.ofSeconds(10);

    private final HttpClient http;
    private final String base;
    private final Map<String, String> credentials;
    private final Duration timeout;

    Http(HttpClient http, String url, Map<String, String> credentials, Duration timeout) {
        this.http = http;
        this.base = url.replaceAll("/+$", "") + "/api/v1";
        this.credentials = Map.copyOf(credentials);
        this.timeout = timeout;
    }

    /**
     * Starts a WebSocket handshake on {@code path} (under {@code /api/v1}, over {@code ws:} or {@code wss:} as the URL
     * is {@code http:} or {@code https:}) with the caller's credentials; a refusal completes it with a
     * {@link java.net.http.WebSocketHandshakeException} whose response holds the error body as a string.
     */
    CompletableFuture<WebSocket> openWebSocket(String path, WebSocket.Listener listener) {
        WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(CONNECT_WAIT)
                .header("User-Agent", "stacyvm-java/0.1");
        credentials.forEach(builder::header);
        return builder.buildAsync(URI.create(base.replaceFirst("^http", "ws") + path), listener);
    }

    Http withCredential(String header, String value) {
        Map<String, String> changed = new LinkedHashMap<>(credentials);
        if (value == null) {
            changed.remove(header);
        } else {
            changed.put(header, value);
        }
        return new Http(http, base.substring(0, base.length() - "/api/v1".length()), changed, timeout);
    }

    static String query(Map<String, ?> parameters) {
        StringJoiner joined = new StringJoiner("&", "?", "").setEmptyValue("");
        parameters.forEach((name, value) -> {
            if (value != null) {
                joined.add(URLEncoder.encode(name, StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(String.valueOf(value), StandardCharsets.UTF_8));
            }
        });
        return joined.toString();
    }

    HttpRequest.Builder request(String path, Duration wait) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path)).timeout(wait == null ? timeout : wait)
                .header("User-Agent", "stacyvm-java/0.1");
        credentials.forEach(builder::header);
        return builder;
    }

    /** Sends JSON (or nothing) and reads the JSON answer as {@code type}; null for an empty answer. */
    <T> T json(String method, String path, Object body, TypeReference<T> type, Duration wait) {
        HttpRequest.Builder builder = request(path, wait).header("Accept", "application/json");
        if (body != null) {
            builder.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofByteArray(encode(body)));
        } else {
            builder.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<byte[]> answer = send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
        byte[] bytes = answer.body();
        if (bytes.length == 0 || type == null) {
            return null;
        }
        try {
            return JSON.readValue(bytes, type);
        } catch (IOException e) {
            throw new ApiException(ErrorCode.PROVIDER_ERROR, "the answer to " + method + " " + path + " was not the JSON expected");
        }
    }

    <T> T json(String method, String path, Object body, TypeReference<T> type) {
        return json(method, path, body, type, null);
    }

    /** Sends a request and answers the body as a stream; error answers throw before. */
    InputStream stream(HttpRequest request) {
        return send(request, HttpResponse.BodyHandlers.ofInputStream()).body();
    }

    <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        HttpResponse<T> answer;
        try {
            answer = http.send(request, handler);
        } catch (IOException e) {
            throw new ApiException(ErrorCode.UNAVAILABLE, "could not reach " + base + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(ErrorCode.UNAVAILABLE, "interrupted while calling " + base);
        }
        if (answer.statusCode() >= 400) {
            throw error(answer);
        }
        return answer;
    }

    /** The exception an error answer stands for: the code its JSON body names, else the one its status means. */
    static ApiException error(HttpResponse<?> answer) {
        byte[] body;
        try {
            body = switch (answer.body()) {
                case byte[] bytes -> bytes;
                case InputStream in -> in.readNBytes(64 * 1024);
                case String text -> text.getBytes(StandardCharsets.UTF_8);
                case null, default -> new byte[0];
            };
        } catch (IOException e) {
            body = new byte[0];
        }
        ApiError parsed = null;
        try {
            parsed = body.length == 0 ? null : JSON.readValue(body, ApiError.class);
        } catch (IOException notJson) {
            // the status decides
        }
        return ApiException.fromAnswer(answer.statusCode(), parsed, answer.headers().firstValue("Retry-After").orElse(null));
    }

    static byte[] encode(Object body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
