package dev.stacyvm.worker.provider.remote;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stacyvm.contract.remote.RemoteRuntimeProtocol;
import dev.stacyvm.contract.remote.RemoteRuntimeProtocol.Error;
import dev.stacyvm.contract.remote.RemoteRuntimeProtocol.SessionStart;
import dev.stacyvm.worker.error.ProviderFailureException;
import dev.stacyvm.worker.error.RuntimeNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * The worker's HTTP client of one remote runtime (docs/remote-runtime.md): JSON calls under
 * {@code /v1} with the worker's bearer token, each answer's error body turned into the worker's
 * typed failure ({@link RemoteErrors}), and WebSocket sessions for commands.
 */
public final class RemoteRuntimeClient {

    /** Sandbox ids are the scheduler's ({@code sb-} and hex); anything else never reaches a URL. */
    private static final Pattern SANDBOX_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** The most bytes of an answer read: a runtime that sends more is broken. */
    private static final int MAX_ANSWER = 8 * 1024 * 1024;

    private final URI base;
    private final String token;
    private final Duration callTimeout;
    private final ObjectMapper mapper;
    private final HttpClient http;

    /**
     * @param base        the runtime's base URL ({@code http} or {@code https}), without {@code /v1}
     * @param token       the bearer token it wants; empty for none
     * @param callTimeout how long one unary call may take
     */
    public RemoteRuntimeClient(URI base, String token, Duration callTimeout, ObjectMapper mapper) {
        String scheme = base.getScheme();
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw new IllegalArgumentException("stacyvm.worker.remote.url must be an http or https URL: " + base);
        }
        String path = base.getPath() == null ? "" : base.getPath().replaceAll("/+$", "");
        this.base = base.resolve(path.isEmpty() ? "/" : path + "/");
        this.token = token == null ? "" : token;
        this.callTimeout = callTimeout;
        this.mapper = mapper;
        this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** The runtime's base URL, as configured. */
    public URI base() {
        return base;
    }

    /**
     * Calls {@code method path} with {@code body} as JSON (none when null) and reads the answer as
     * {@code type} (nothing when null), within {@code timeout}.
     *
     * @param sandboxId the sandbox the call is about, for the failure it answers; null for none
     * @param pid       the process a signal is for; null for none
     */
    <T> T call(String method, String path, Object body, TypeReference<T> type, Duration timeout, String sandboxId,
               Integer pid) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(RemoteRuntimeProtocol.PREFIX.substring(1) + path))
                .timeout(timeout == null ? callTimeout : timeout).header("Accept", "application/json");
        if (!token.isEmpty()) {
            request.header("Authorization", "Bearer " + token);
        }
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(json(body), StandardCharsets.UTF_8));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        Duration limit = timeout == null ? callTimeout : timeout;
        long deadline = System.nanoTime() + limit.toNanos();
        java.util.concurrent.CompletableFuture<HttpResponse<java.io.InputStream>> pending =
                http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        HttpResponse<java.io.InputStream> response;
        byte[] answer;
        try {
            response = pending.get(limit.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            answer = readBounded(response.body(), deadline, method, path);
        } catch (java.util.concurrent.TimeoutException e) {
            pending.cancel(true);
            throw new ProviderFailureException("the remote runtime did not answer " + method + " " + path + " in time");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new ProviderFailureException("the remote runtime did not answer: " + e.getCause().getMessage());
        } catch (InterruptedException e) {
            pending.cancel(true);
            Thread.currentThread().interrupt();
            throw new ProviderFailureException("interrupted while calling the remote runtime");
        }
        int status = response.statusCode();
        if (status >= 400) {
            throw RemoteErrors.toException(errorOf(status, answer), sandboxId, pid);
        }
        if (status >= 300) {
            throw new ProviderFailureException("the remote runtime answered " + method + " " + path + " with HTTP " + status);
        }
        if (type == null) {
            return null;
        }
        try {
            return mapper.readValue(answer, type);
        } catch (IOException e) {
            throw new ProviderFailureException("the remote runtime's answer to " + method + " " + path
                    + " is not the contract's: " + e.getMessage());
        }
    }

    /**
     * Reads an answer's body, at most {@link #MAX_ANSWER} bytes and until {@code deadline}: a runtime
     * that sends more, or stalls, fails the call instead of holding the worker's memory or thread.
     */
    private static byte[] readBounded(java.io.InputStream body, long deadline, String method, String path) {
        java.util.concurrent.atomic.AtomicBoolean late = new java.util.concurrent.atomic.AtomicBoolean();
        Thread watchdog = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                late.set(true);
                body.close();
            } catch (InterruptedException | IOException finished) {
                // read in time
            }
        });
        try (body) {
            byte[] answer = body.readNBytes(MAX_ANSWER + 1);
            if (answer.length > MAX_ANSWER) {
                throw new ProviderFailureException("the remote runtime's answer to " + method + " " + path + " is over 8 MiB");
            }
            return answer;
        } catch (IOException e) {
            throw new ProviderFailureException(late.get() ? "the remote runtime did not answer " + method + " " + path + " in time"
                    : "the remote runtime's answer broke off: " + e.getMessage());
        } finally {
            watchdog.interrupt();
        }
    }

    /** Opens a command session for the sandbox ({@code GET /v1/sandboxes/{id}/session}, upgraded). */
    RemoteSession session(String sandboxId, SessionStart start) {
        URI http = base.resolve(RemoteRuntimeProtocol.PREFIX.substring(1) + sandboxPath(sandboxId) + "/session");
        URI ws = URI.create(("https".equals(http.getScheme()) ? "wss" : "ws") + http.toString().substring(http.getScheme().length()));
        return RemoteSession.open(this.http, ws, token, start, mapper, CONNECT_TIMEOUT);
    }

    /**
     * {@code /sandboxes/{id}} for a sandbox id.
     *
     * @throws RuntimeNotFoundException for an id that is no sandbox's: nothing of it reaches the runtime
     */
    static String sandboxPath(String sandboxId) {
        if (!isSandboxId(sandboxId)) {
            throw new RuntimeNotFoundException(String.valueOf(sandboxId));
        }
        return "/sandboxes/" + URLEncoder.encode(sandboxId, StandardCharsets.UTF_8);
    }

    /** Whether {@code value} has a sandbox id's shape. */
    static boolean isSandboxId(String value) {
        return value != null && SANDBOX_ID.matcher(value).matches();
    }

    private Error errorOf(int status, byte[] answer) {
        try {
            Error error = mapper.readValue(answer, Error.class);
            if (error.error() != null) {
                return error;
            }
        } catch (IOException notTheContracts) {
            // a proxy's page or an empty body: the status says what it can
        }
        return switch (status) {
            case 401, 403 -> new Error(Error.UNAUTHORIZED, "HTTP " + status);
            case 404 -> new Error(Error.RUNTIME_NOT_FOUND, "HTTP 404");
            default -> new Error(Error.RUNTIME_ERROR, "HTTP " + status);
        };
    }

    private String json(Object body) {
        try {
            return mapper.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
