package dev.stacyvm.gateway.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stacyvm.contract.api.ApiError;
import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.support.auth.ServiceCredential;
import dev.stacyvm.support.limits.RelayedRequestBody;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.context.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Uploads relayed to a worker on the event loop: the client's request body is piped into the
 * worker's request as it arrives (Vert.x {@code pipeTo}, with back-pressure both ways), so a 100 MB
 * archive costs the gateway no thread hand-off and no copy per chunk. The blocking caller waits for
 * the worker's answer. Requests carry the service token and the current trace context.
 */
@ApplicationScoped
public class WorkerUploads {

    @Inject
    Vertx vertx;

    @Inject
    ServiceCredential credential;

    @Inject
    ObjectMapper json;

    @Inject
    OpenTelemetry telemetry;

    /** How long an upload waits for a connection to its worker (a new one, or one of the pool's). */
    static final long POOL_WAIT_MILLIS = 10_000;

    /** Uploads under way to one worker at once; one more waits for a connection, at most {@link #POOL_WAIT_MILLIS}. */
    static final int CONNECTIONS_PER_WORKER = 64;

    private HttpClient workers;

    @PostConstruct
    void start() {
        // HTTP/1.1: one upload a connection, kept for the next (see WorkerStreams.TRANSFERS)
        workers = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(5_000).setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(CONNECTIONS_PER_WORKER));
    }

    @PreDestroy
    void stop() {
        workers.close();
    }

    /** What the worker answered: its status and body. */
    public record Answer(int status, Buffer body) {
    }

    /**
     * PUTs {@code body} to the worker at {@code endpoint} + {@code path} as it arrives, and waits for
     * the worker's answer. Must not be called on the event loop.
     *
     * @param endpoint    the worker's base URL, {@code http://host:port}
     * @param path        the path and query on the worker
     * @param contentType the body's media type, passed on
     * @return the worker's answer, always a 2xx
     * @throws ApiException the worker's own refusal (its typed error); the body's refusal when it broke a
     *                      limit ({@code payload_too_large}, {@code request_timeout}; the client was already
     *                      answered); {@code request_timeout} when the client went away mid-body;
     *                      {@code unavailable} when the worker could not be reached or left mid-way
     */
    public Answer put(String endpoint, String path, String contentType, RelayedRequestBody body) {
        if (body.broken()) {
            throw new ApiException(ErrorCode.REQUEST_TIMEOUT, "the request body could not be read to its end");
        }
        URI worker = URI.create(endpoint);
        // the connect timeout also bounds the wait for a pooled connection when all are uploading
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.PUT).setHost(worker.getHost())
                .setPort(worker.getPort()).setURI(path).setConnectTimeout(POOL_WAIT_MILLIS)
                .putHeader(ServiceCredential.HEADER, credential.token().orElse(""))
                .putHeader("Content-Type", contentType);
        // the Vert.x client is not instrumented here: the trace context goes along by hand
        telemetry.getPropagators().getTextMapPropagator().inject(Context.current(), options, RequestOptions::putHeader);
        long length = body.declaredLength();
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
        workers.request(options).onFailure(answer::completeExceptionally).onSuccess(request -> {
            sent.set(request);
            // failures arrive through the futures below; without a handler Vert.x logs each reset as an error
            request.exceptionHandler(ignored -> {
            });
            if (length >= 0) {
                request.putHeader("Content-Length", Long.toString(length));
            } else {
                request.setChunked(true);
            }
            request.response().compose(response -> response.body().map(bytes -> new Answer(response.statusCode(), bytes)))
                    .onComplete(done -> {
                        if (done.succeeded()) {
                            answer.complete(done.result());
                        } else {
                            answer.completeExceptionally(done.cause());
                        }
                    });
            // a body that broke off is never ended on the worker's side, only cut off
            body.pipe().endOnFailure(false).to(request).onFailure(failed -> {
                // the client's body broke off: the worker must not unpack a part of it
                request.reset(0, failed);
                answer.completeExceptionally(failed);
            });
        });
        Answer answered = await(answer, body, sent);
        if (!body.arrived()) {
            // the worker answered before the body's end (a refusal): the rest is read by no one
            abandon(body, sent);
        }
        if (answered.status() / 100 != 2) {
            throw refusal(answered);
        }
        return answered;
    }

    private Answer await(CompletableFuture<Answer> answer, RelayedRequestBody body, AtomicReference<HttpClientRequest> sent) {
        try {
            return answer.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abandon(body, sent);
            throw ApiException.unavailable("the gateway is shutting down");
        } catch (ExecutionException failed) {
            abandon(body, sent);
            ApiError refused = body.refusal();
            if (refused != null) {
                throw new ApiException(ErrorCode.fromWireName(refused.code()), refused.message());
            }
            if (body.broken()) {
                throw new ApiException(ErrorCode.REQUEST_TIMEOUT, "the request body could not be read to its end");
            }
            throw ApiException.unavailable("the sandbox's worker is unavailable");
        }
    }

    /** Stops the relay mid-way: the client's rest is left unread and the worker's request is cut off. */
    private static void abandon(RelayedRequestBody body, AtomicReference<HttpClientRequest> sent) {
        try {
            body.abandon();
        } finally {
            HttpClientRequest request = sent.get();
            if (request != null) {
                request.reset();
            }
        }
    }

    private ApiException refusal(Answer answered) {
        ApiError error;
        try {
            error = json.readValue(answered.body().getBytes(), ApiError.class);
        } catch (IOException unreadable) {
            error = null;
        }
        return ApiException.fromAnswer(answered.status(), error, null);
    }
}
