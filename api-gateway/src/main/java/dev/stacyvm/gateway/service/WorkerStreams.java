package dev.stacyvm.gateway.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stacyvm.contract.api.ApiError;
import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.contract.http.InputStreamPublisher;
import dev.stacyvm.support.auth.ServiceCredential;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.context.Context;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Worker calls whose bodies are streams (exec output, file contents, archives), made with the JDK
 * client, which hands a response body over as it arrives and sends a request body as it is read;
 * the REST client would hold either whole in memory. Closing a returned stream ends the worker's
 * request, which stops whatever it was doing. Each request carries the current trace context
 * ({@code traceparent}), as the REST clients' do, so the worker's spans join the caller's trace.
 */
@ApplicationScoped
public class WorkerStreams {

    /**
     * The protocol of bulk bodies (uploads, file and archive downloads). Over HTTP/2, which the
     * JDK client asks for by default, 100 MB crossed the worker's 64 KiB flow-control window in
     * thousands of small frames, at several seconds of CPU. Commands and followed streams stay on
     * HTTP/2: there a reset stream tells the worker at once that a silent command's caller left.
     */
    static final HttpClient.Version TRANSFERS = HttpClient.Version.HTTP_1_1;

    /** Bytes read from an upload and written to the worker at a time: the server's body chunk (256 KiB). */
    static final int UPLOAD_CHUNK = 256 * 1024;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * A client of its own for {@link #TRANSFERS}: on the shared one, an HTTP/1.1 connection to a
     * worker left in its pool made the next streamed exec go over HTTP/1.1 too, where a caller that
     * leaves no longer stops the command (ExecStreamingTest).
     */
    private final HttpClient transfers = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .version(TRANSFERS).build();

    @Inject
    ServiceCredential credential;

    @Inject
    ObjectMapper json;

    @Inject
    OpenTelemetry telemetry;

    /** POSTs a JSON body and answers the streamed response. */
    public InputStream postJson(String endpoint, String path, Object body) {
        try {
            return send(request(endpoint, path).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body))));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * POSTs a JSON body over HTTP/1.1 (see {@link #TRANSFERS}) and answers the response with its
     * headers, the body still to be read; {@code timeout} bounds the wait for the response's headers.
     */
    public HttpResponse<InputStream> postJsonWithHeaders(String endpoint, String path, Object body, Duration timeout) {
        try {
            return exchange(request(endpoint, path).version(TRANSFERS).timeout(timeout).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body))));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public InputStream get(String endpoint, String path) {
        return send(request(endpoint, path).GET());
    }

    /**
     * GETs a file's or an archive's bytes and answers them as they arrive, over HTTP/1.1 (see
     * {@link #TRANSFERS}); a reader that leaves makes the worker's next write fail, which stops it.
     */
    public InputStream download(String endpoint, String path) {
        return send(request(endpoint, path).version(TRANSFERS).GET());
    }

    /** GETs and answers the streamed response with its headers (the body still to be read). */
    public HttpResponse<InputStream> getWithHeaders(String endpoint, String path) {
        return exchange(request(endpoint, path).GET());
    }

    /** DELETEs, refusing with the worker's typed error when it refuses. */
    public void delete(String endpoint, String path) {
        try (InputStream ignored = send(request(endpoint, path).DELETE())) {
            // nothing to read: the worker answers 204
        } catch (IOException closing) {
            // the answer was already complete
        }
    }

    /**
     * PUTs {@code body} as it is read, in chunks of up to {@link #UPLOAD_CHUNK} bytes, over HTTP/1.1
     * (see {@link #TRANSFERS}), and answers the response.
     */
    public InputStream put(String endpoint, String path, String contentType, InputStream body) {
        return send(request(endpoint, path).version(TRANSFERS).header("Content-Type", contentType)
                .PUT(HttpRequest.BodyPublishers.fromPublisher(new InputStreamPublisher(body, UPLOAD_CHUNK))));
    }

    public static String query(String name, String value) {
        return name + "=" + URLEncoder.encode(value == null ? "" : value, StandardCharsets.UTF_8);
    }

    private HttpRequest.Builder request(String endpoint, String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(endpoint + path))
                .header(ServiceCredential.HEADER, credential.token().orElse(""));
        // the JDK client is not instrumented: the context goes along by hand
        telemetry.getPropagators().getTextMapPropagator().inject(Context.current(), request, HttpRequest.Builder::header);
        return request;
    }

    private InputStream send(HttpRequest.Builder request) {
        return exchange(request).body();
    }

    private HttpResponse<InputStream> exchange(HttpRequest.Builder request) {
        HttpResponse<InputStream> response;
        try {
            HttpRequest built = request.build();
            HttpClient client = built.version().orElse(null) == TRANSFERS ? transfers : http;
            response = client.send(built, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw ApiException.unavailable("the sandbox's worker is unavailable");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.unavailable("the gateway is shutting down");
        }
        if (response.statusCode() / 100 != 2) {
            try (InputStream body = response.body()) {
                ApiError error = json.readValue(body, ApiError.class);
                ErrorCode code = ErrorCode.fromWireName(error.code());
                throw new ApiException(code == null ? ErrorCode.forStatus(response.statusCode()) : code, error.message());
            } catch (IOException unreadable) {
                throw new ApiException(ErrorCode.forStatus(response.statusCode()), "the worker refused the request");
            }
        }
        return response;
    }
}
