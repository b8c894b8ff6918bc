package dev.stacyvm.gateway.terminal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.contract.api.ExecSocketFrame;
import dev.stacyvm.contract.api.ExecSocketRequest;
import dev.stacyvm.gateway.auth.Access;
import dev.stacyvm.gateway.auth.ApiKeyFilter;
import dev.stacyvm.gateway.auth.Authenticator;
import dev.stacyvm.gateway.auth.CallerContext;
import dev.stacyvm.gateway.auth.CredentialSessions;
import dev.stacyvm.gateway.auth.RequestIds;
import dev.stacyvm.gateway.service.SandboxGateway;
import dev.stacyvm.support.auth.ServiceCredential;
import dev.stacyvm.support.error.RoutingErrors;
import io.quarkus.arc.Arc;
import io.quarkus.arc.ManagedContext;
import io.quarkus.logging.Log;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * {@code GET /api/v1/sandboxes/{id}/exec/ws}: a command in a sandbox over a WebSocket, on a
 * terminal when asked (StacyVM's route and framing: {@link ExecSocketRequest} first, then
 * {@link ExecSocketFrame}s). A Vert.x route, since JAX-RS serves no WebSockets; it decides as every
 * route does ({@link Authenticator}, level {@link Access.Level#WRITE}: a viewer may not run
 * commands), before upgrading, so a refusal is a typed HTTP error. The credential is a header
 * ({@code X-API-Key}, {@code X-Admin-API-Key}, {@code Authorization: Bearer}) or, for browsers,
 * {@code ?token=} from {@link ExecSocketTokens}. The sandbox must be the caller's to see and running.
 *
 * <p>After the first message the gateway opens the worker's {@code /internal/.../exec/ws} with
 * the request bounded ({@link SandboxGateway#prepareSocket}) and relays messages both ways as they
 * are, with backpressure each way; it reads the worker's last frame for the audit record
 * ({@link SandboxGateway#socketEnded}). Either side closing closes the other: the worker then kills
 * the command, and when the sandbox goes, the command's end closes the socket. Revoking the API
 * key that opened it (directly, or through the token it made), or the expiry of the bearer token
 * that opened it, closes it too, with {@code unauthorized} ({@link CredentialSessions}).
 * {@value #MAX_SESSIONS} sessions per gateway and {@value #MAX_SESSIONS_PER_KEY} per key are open
 * at once; beyond them {@code resource_limit} (429, Retry-After).
 */
@ApplicationScoped
public class ExecSocketRoute {

    /** The route, in Vert.x's path syntax. */
    public static final String PATH = "/api/v1/sandboxes/:id/exec/ws";
    static final int MAX_SESSIONS = 256;
    /** What a sandbox id may hold (they are {@code sb-} and hex): no ';', '%' or other path syntax. */
    private static final java.util.regex.Pattern SANDBOX_ID = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,128}");
    static final int MAX_SESSIONS_PER_KEY = 16;
    /** A client that sends no exec request within this is closed. */
    static final Duration FIRST_MESSAGE_WAIT = Duration.ofSeconds(30);

    @Inject
    Authenticator authenticator;

    @Inject
    ExecSocketTokens tokens;

    @Inject
    SandboxGateway sandboxes;

    @Inject
    CallerContext callerContext;

    @Inject
    ServiceCredential credential;

    @Inject
    CredentialSessions sessions;

    @Inject
    ObjectMapper json;

    private Vertx vertx;
    private HttpClient workers;
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentMap<String, AtomicInteger> openPerKey = new ConcurrentHashMap<>();

    void install(@Observes Router router, Vertx vertx) {
        this.vertx = vertx;
        workers = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(10_000)
                .setMaxWebSocketMessageSize(1024 * 1024));
        router.get(PATH).handler(this::handle);
    }

    /** Who the caller is and what it may do, held for the session's requests to the services. */
    private record Session(Authenticator.Authenticated admitted, String requestId, String source, String sandboxId,
                           String keyId, String apiKeyId, java.time.Instant validUntil) {
    }

    void handle(RoutingContext routing) {
        HttpServerRequest request = routing.request();
        String sandboxId = routing.pathParam("id");
        String requestId = RequestIds.acceptOrReplace(request.getHeader(ApiKeyFilter.REQUEST_ID));
        String source = request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
        Authenticator.Request asked = new Authenticator.Request("GET", request.path(), requestId, source);
        Authenticator.Credentials credentials = new Authenticator.Credentials(request.getHeader(ApiKeyFilter.ADMIN_API_KEY),
                request.getHeader(ApiKeyFilter.API_KEY), request.getHeader("Authorization"), request.getHeader(ApiKeyFilter.USER_ID));
        String token = request.getParam("token");
        Context context = Vertx.currentContext();
        request.pause();
        Thread.ofVirtual().name("exec-ws-auth").start(() -> {
            Session session;
            try {
                Authenticator.Authenticated admitted;
                String apiKeyId;
                java.time.Instant validUntil;
                if (token != null && credentials.apiKey() == null && credentials.adminApiKey() == null
                        && credentials.authorization() == null) {
                    ExecSocketTokens.Redeemed redeemed = redeem(token, sandboxId, asked);
                    admitted = authenticator.admit(redeemed.caller(), Access.Level.WRITE, asked);
                    apiKeyId = redeemed.apiKeyId();
                    validUntil = redeemed.validUntil();
                } else {
                    admitted = authenticator.authenticate(credentials, Access.Level.WRITE, asked);
                    apiKeyId = admitted.apiKeyId();
                    validUntil = admitted.validUntil();
                }
                // counted per key: its stored id, else (bootstrap key, bearer token) the caller's key id
                session = new Session(admitted, requestId, source, sandboxId,
                        apiKeyId != null ? apiKeyId : admitted.caller().keyId(), apiKeyId, validUntil);
                if (!SANDBOX_ID.matcher(sandboxId).matches()) {
                    // no sandbox has such an id: refused before a lookup, where ';' would read as a matrix parameter
                    throw new ApiException(ErrorCode.NOT_FOUND, "sandbox not found");
                }
                inRequestContext(session, () -> sandboxes.running(sandboxId));
            } catch (Authenticator.Refused refused) {
                context.runOnContext(v -> refuse(routing, refused.error()));
                return;
            } catch (ApiException refused) {
                context.runOnContext(v -> refuse(routing, refused));
                return;
            } catch (RuntimeException failed) {
                Log.warnf(failed, "exec socket for %s could not be authorised", sandboxId);
                context.runOnContext(v -> refuse(routing, new ApiException(ErrorCode.UNAVAILABLE, "could not check the request")));
                return;
            }
            context.runOnContext(v -> upgrade(routing, session));
        });
    }

    /** The caller a token stands for; a refused token is audited as {@code auth.denied}, never recorded itself. */
    private ExecSocketTokens.Redeemed redeem(String token, String sandboxId, Authenticator.Request asked)
            throws Authenticator.Refused {
        try {
            return tokens.redeem(token, sandboxId);
        } catch (ApiException refused) {
            throw authenticator.deny(asked, "exec socket token", refused.code(), refused.getMessage());
        }
    }

    private void upgrade(RoutingContext routing, Session session) {
        // incremented and read inside compute, so a release running at the same time cannot detach the count
        int perKey = openPerKey.compute(session.keyId(), (key, count) -> {
            AtomicInteger counted = count == null ? new AtomicInteger() : count;
            counted.incrementAndGet();
            return counted;
        }).get();
        if (open.incrementAndGet() > MAX_SESSIONS | perKey > MAX_SESSIONS_PER_KEY) {
            release(session);
            refuse(routing, new ApiException(ErrorCode.RESOURCE_LIMIT, "too many exec sockets open: at most "
                    + MAX_SESSIONS_PER_KEY + " per key and " + MAX_SESSIONS + " per gateway", 15L));
            return;
        }
        routing.request().resume();
        routing.request().toWebSocket().onFailure(failed -> {
            release(session);
            refuse(routing, ApiException.badRequest("not a WebSocket upgrade: " + failed.getMessage()));
        }).onSuccess(client -> {
            Context context = Vertx.currentContext();
            Link link = new Link();
            // a key revoked (a token expired) while the socket is open ends it, and with it the command
            CredentialSessions.Registration held = sessions.hold(session.apiKeyId(), session.validUntil(),
                    () -> context.runOnContext(v -> endForCredential(client, link)));
            awaitRequest(client, session, held, link);
        });
    }

    /** One socket's worker side, once connected, and whether its credential ended the socket first. */
    private static final class Link {
        volatile WebSocket worker;
        volatile boolean ended;
    }

    /**
     * The credential was revoked or expired: nothing more of the client's reaches the worker, the
     * worker's socket closes first (the worker then kills the command, whether or not the client
     * reads), then the client's, with {@code unauthorized}.
     */
    private void endForCredential(ServerWebSocket client, Link link) {
        link.ended = true;
        client.textMessageHandler(null).binaryMessageHandler(null);
        if (link.worker != null && !link.worker.isClosed()) {
            link.worker.close();
        }
        fail(client, new ApiException(ErrorCode.UNAUTHORIZED, "the credential that opened this exec socket was revoked or expired"),
                ExecSocketFrame.CLOSE_POLICY);
    }

    private void release(Session session) {
        open.decrementAndGet();
        openPerKey.computeIfPresent(session.keyId(), (key, count) -> count.decrementAndGet() <= 0 ? null : count);
    }

    private void refuse(RoutingContext routing, ApiException error) {
        routing.request().resume();
        RoutingErrors.send(routing, json, error.code(), error.getMessage(), error.retryAfterSeconds());
    }

    /** Waits for the exec request, bounds it, then opens the worker's end. */
    private void awaitRequest(ServerWebSocket client, Session session, CredentialSessions.Registration held, Link link) {
        AtomicBoolean released = new AtomicBoolean();
        Runnable releaseOnce = () -> {
            if (released.compareAndSet(false, true)) {
                release(session);
                held.close();
            }
        };
        client.closeHandler(closed -> releaseOnce.run());
        long timer = vertx.setTimer(FIRST_MESSAGE_WAIT.toMillis(), fired -> fail(client,
                ApiException.badRequest("no exec request within " + FIRST_MESSAGE_WAIT.toSeconds() + " s"), ExecSocketFrame.CLOSE_POLICY));
        client.binaryMessageHandler(bytes -> {
            vertx.cancelTimer(timer);
            fail(client, ApiException.badRequest("the first message must be an exec request as JSON text"), ExecSocketFrame.CLOSE_INVALID);
        });
        client.textMessageHandler(text -> {
            vertx.cancelTimer(timer);
            client.pause();
            client.textMessageHandler(null).binaryMessageHandler(null);
            Context context = Vertx.currentContext();
            Thread.ofVirtual().name("exec-ws-open").start(() -> {
                SandboxGateway.SocketExec exec;
                try {
                    ExecSocketRequest request = json.readValue(text, ExecSocketRequest.class);
                    exec = inRequestContext(session, () -> sandboxes.prepareSocket(session.sandboxId(), request));
                } catch (JsonProcessingException malformed) {
                    context.runOnContext(v -> fail(client, ApiException.badRequest("the first message must be an exec request: "
                            + malformed.getOriginalMessage()), ExecSocketFrame.CLOSE_INVALID));
                    return;
                } catch (ApiException refused) {
                    short code = refused.code() == ErrorCode.BAD_REQUEST ? ExecSocketFrame.CLOSE_INVALID : ExecSocketFrame.CLOSE_POLICY;
                    context.runOnContext(v -> fail(client, refused, code));
                    return;
                }
                context.runOnContext(v -> connectWorker(client, exec, releaseOnce, link));
            });
        });
    }

    private void connectWorker(ServerWebSocket client, SandboxGateway.SocketExec exec, Runnable release, Link link) {
        if (link.ended || client.isClosed()) {
            return; // ended (the client left, its credential went) while the request was checked: nothing ran
        }
        URI endpoint = URI.create(exec.workerEndpoint());
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(endpoint.getHost())
                .setPort(endpoint.getPort() > 0 ? endpoint.getPort() : "https".equals(endpoint.getScheme()) ? 443 : 80)
                .setSsl("https".equals(endpoint.getScheme()))
                .setURI("/internal/sandboxes/" + exec.sandbox().id() + "/exec/ws")
                .addHeader(ServiceCredential.HEADER, credential.token().orElse(""));
        long started = System.nanoTime();
        workers.webSocket(options).onFailure(failed -> {
            Log.warnf("exec socket for %s: worker %s not reached: %s", exec.sandbox().id(), exec.sandbox().workerId(), failed.toString());
            ExecSocketFrame error = ExecSocketFrame.failure(ErrorCode.UNAVAILABLE, "the sandbox's worker could not be reached");
            fail(client, new ApiException(ErrorCode.UNAVAILABLE, error.error()), ExecSocketFrame.CLOSE_ERROR);
            ended(exec, error, started);
        }).onSuccess(worker -> {
            if (link.ended || client.isClosed()) {
                worker.close(); // the exec request was never sent: nothing runs
                return;
            }
            link.worker = worker;
            relay(client, worker, exec, started, release);
        });
    }

    /**
     * Relays both ways as the messages are, with backpressure each way; notes the worker's last
     * frame. The client's close frees the session's slot ({@code release}), as before the relay.
     */
    private void relay(ServerWebSocket client, WebSocket worker, SandboxGateway.SocketExec exec, long started,
                       Runnable release) {
        AtomicReference<ExecSocketFrame> last = new AtomicReference<>();
        AtomicBoolean finished = new AtomicBoolean();
        Runnable finish = () -> {
            if (finished.compareAndSet(false, true)) {
                ended(exec, last.get(), started);
            }
        };
        try {
            worker.writeTextMessage(json.writeValueAsString(exec.request()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an exec request always serialises", e);
        }
        worker.textMessageHandler(text -> {
            if (text.startsWith("{\"type\"")) {
                try {
                    last.set(json.readValue(text, ExecSocketFrame.class));
                } catch (JsonProcessingException ignored) {
                    // relayed as it is; the audit record then says no exit status
                }
            }
            client.writeTextMessage(text);
            if (client.writeQueueFull()) {
                worker.pause();
                client.drainHandler(drained -> worker.resume());
            }
        });
        worker.closeHandler(closed -> {
            finish.run();
            if (!client.isClosed()) {
                Short status = worker.closeStatusCode();
                client.close(status == null ? ExecSocketFrame.CLOSE_ERROR : status, worker.closeReason());
            }
        });
        worker.exceptionHandler(failed -> Log.debugf("exec socket to a worker failed: %s", failed.toString()));
        client.textMessageHandler(text -> {
            worker.writeTextMessage(text);
            if (worker.writeQueueFull()) {
                client.pause();
                worker.drainHandler(drained -> client.resume());
            }
        });
        client.binaryMessageHandler(bytes -> {
            worker.writeBinaryMessage(bytes);
            if (worker.writeQueueFull()) {
                client.pause();
                worker.drainHandler(drained -> client.resume());
            }
        });
        client.closeHandler(closed -> {
            release.run();
            if (!worker.isClosed()) {
                worker.close();
            }
            finish.run();
        });
        client.exceptionHandler(failed -> Log.debugf("exec socket to a client failed: %s", failed.toString()));
        client.resume();
    }

    private void ended(SandboxGateway.SocketExec exec, ExecSocketFrame last, long started) {
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        Thread.ofVirtual().name("exec-ws-audit").start(() -> {
            try {
                sandboxes.socketEnded(exec, last, took);
            } catch (RuntimeException failed) {
                Log.warnf(failed, "exec socket for %s: its audit record could not be written", exec.sandbox().id());
            }
        });
    }

    /**
     * Sends an error frame and closes with {@code closeCode}: the close is queued behind the frame,
     * not sent after the frame was written, so a client that reads nothing is closed all the same.
     */
    private void fail(ServerWebSocket client, ApiException error, short closeCode) {
        if (client.isClosed()) {
            return;
        }
        try {
            client.writeTextMessage(json.writeValueAsString(ExecSocketFrame.failure(error.code(), error.getMessage())));
        } catch (JsonProcessingException e) {
            Log.debugf("an error frame did not serialise: %s", e.toString());
        }
        client.close(closeCode, error.code().wireName());
    }

    /** Runs {@code work} in a request context of its own whose caller is the session's. */
    private <T> T inRequestContext(Session session, Supplier<T> work) {
        ManagedContext requestContext = Arc.container().requestContext();
        requestContext.activate();
        try {
            callerContext.set(session.admitted().caller(), session.requestId(), session.source(), session.admitted().rate(),
                    session.apiKeyId(), session.validUntil());
            return work.get();
        } finally {
            requestContext.terminate();
        }
    }
}
