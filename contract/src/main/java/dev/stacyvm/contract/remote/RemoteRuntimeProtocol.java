package dev.stacyvm.contract.remote;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/**
 * The remote runtime contract, version 1 (docs/remote-runtime.md): what a worker's {@code remote}
 * provider sends to a runtime a team runs itself (a Firecracker fleet, a cloud) and what it expects
 * back. Unary calls are JSON over HTTP under {@code /v1}; a command's input and output travel over
 * one WebSocket session per command ({@link SessionStart}, binary {@link #STDOUT}/{@link #STDERR}
 * frames, {@link Control} messages, a last {@link SessionEnd}). Every request carries
 * {@code Authorization: Bearer <token>}; a failure answers an {@link Error} body.
 */
public final class RemoteRuntimeProtocol {

    /** The path prefix every call of this version lives under. */
    public static final String PREFIX = "/v1";

    /** First byte of a server-to-worker binary message: the rest is the command's stdout (a terminal's one stream). */
    public static final byte STDOUT = 1;
    /** First byte of a server-to-worker binary message: the rest is the command's stderr. */
    public static final byte STDERR = 2;

    /** {@link SessionStart#kind()}: a command whose output is streamed, without input. */
    public static final String EXEC = "exec";
    /** {@link SessionStart#kind()}: a helper command fed the worker's input; its stderr comes back in the end. */
    public static final String RUN = "run";
    /** {@link SessionStart#kind()}: a command whose stdin stays open, on a terminal when it has a size. */
    public static final String INTERACTIVE = "interactive";

    private RemoteRuntimeProtocol() {
    }

    /**
     * {@code GET /v1/health}: whether the runtime answers and what it offers. {@code capabilities}
     * uses docs/providers.md's words; {@code runtimes} the isolation names a sandbox may ask for
     * ({@code runc}, {@code runsc}); {@code engineVersion} goes into the host fingerprint a
     * certification holds for.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Health(boolean healthy, List<String> capabilities, List<String> runtimes, String engineVersion) {
    }

    /**
     * {@code PUT /v1/sandboxes/{id}}: start the sandbox's runtime for worker {@code workerId}, or
     * answer the one it has (a retried create gets the same runtime); answers a
     * {@link dev.stacyvm.contract.internal.RuntimeHandle}.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Create(dev.stacyvm.contract.internal.RuntimeSpec spec, String workerId) {
    }

    /**
     * The first message of a session, as text: which kind of command, its argv, environment,
     * working directory (null: the image's), timeout in milliseconds, and for an interactive
     * command on a terminal its size in columns and rows (both null: no terminal).
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SessionStart(String kind, List<String> argv, Map<String, String> env, String workdir, long timeoutMillis,
                               Integer cols, Integer rows) {
    }

    /**
     * A worker-to-runtime text message during a session: {@code eof} (the input ended), {@code
     * resize} (with {@code cols}, {@code rows}) or {@code signal} (with {@code signal}, a name such
     * as {@code INT}). Input itself goes as binary messages.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Control(String type, Integer cols, Integer rows, String signal) {

        public static final String EOF = "eof";
        public static final String RESIZE = "resize";
        public static final String SIGNAL = "signal";
    }

    /**
     * The last message of a session, as text, before the runtime closes it: how the command ended
     * (its exit status, time taken in milliseconds, whether its timeout ended it, whether it was
     * abandoned because its output could not be delivered), a {@code run}'s collected stderr, or
     * the {@link Error} that kept it from running.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SessionEnd(Integer exitCode, long tookMillis, boolean timedOut, boolean abandoned, String stderr, Error error) {

        public static SessionEnd failed(Error error) {
            return new SessionEnd(null, 0, false, false, null, error);
        }

        /** Whether it says how the command ended: an exit status or an error (anything else is not the contract's). */
        public boolean complete() {
            return exitCode != null || (error != null && error.error() != null);
        }
    }

    /**
     * A failure: {@code error} is one of the kinds below, {@code message} is shown to the
     * sandbox's caller as it is (it must carry nothing internal).
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Error(String error, String message) {

        /** The sandbox has no runtime here (HTTP 404). */
        public static final String RUNTIME_NOT_FOUND = "runtime_not_found";
        /** The sandbox's runtime exists but is not running (409). */
        public static final String RUNTIME_NOT_RUNNING = "runtime_not_running";
        /** The request cannot be done as asked, e.g. a missing working directory (400). */
        public static final String INVALID_REQUEST = "invalid_request";
        /** No process of that pid in the sandbox (404). */
        public static final String NO_SUCH_PROCESS = "no_such_process";
        /** The process is the sandbox's init or its agent (409). */
        public static final String PROTECTED_PROCESS = "protected_process";
        /** The sandbox's user may not do it (403). */
        public static final String NOT_PERMITTED = "not_permitted";
        /** The sandbox asks for more than the runtime's host has (422). */
        public static final String EXCEEDS_HOST_CAPACITY = "exceeds_host_capacity";
        /** The request's credential is missing or wrong (401). */
        public static final String UNAUTHORIZED = "unauthorized";
        /** Anything else the runtime failed at (500). */
        public static final String RUNTIME_ERROR = "runtime_error";
    }

    /** {@code POST /v1/sandboxes/{id}/signal}: a signal name such as {@code KILL} for one process. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Signal(int pid, String signal) {
    }

    /** {@code POST /v1/sandboxes/{id}/workdir}: whether an exec could start in {@code workdir} (204, or 400). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Workdir(String workdir) {
    }

    /** {@code GET /v1/sandboxes/{id}/logs?lines=&max_bytes=}: the newest lines of the main process's output. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Logs(List<String> lines, boolean truncated) {
    }

    /** {@code GET /v1/sandboxes/{id}/disk}: the bytes the sandbox has written. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record DiskUsage(long usedBytes) {
    }
}
