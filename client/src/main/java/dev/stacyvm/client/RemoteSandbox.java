package dev.stacyvm.client;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.BackgroundOutput;
import dev.stacyvm.contract.api.BackgroundProcess;
import dev.stacyvm.contract.api.ChmodRequest;
import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.contract.api.ExecRequest;
import dev.stacyvm.contract.api.ExecResult;
import dev.stacyvm.contract.api.ExecSocketRequest;
import dev.stacyvm.contract.api.ExecSocketToken;
import dev.stacyvm.contract.api.ExecStreamLine;
import dev.stacyvm.contract.api.ExtendRequest;
import dev.stacyvm.contract.api.FileInfo;
import dev.stacyvm.contract.api.MoveRequest;
import dev.stacyvm.contract.api.PreviewAccess;
import dev.stacyvm.contract.api.SandboxStats;
import dev.stacyvm.contract.api.SandboxView;
import dev.stacyvm.contract.api.WriteFileRequest;
import dev.stacyvm.contract.http.InputStreamPublisher;
import dev.stacyvm.contract.time.GoDuration;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One sandbox as last read, and what can be done with it; {@code close()} destroys it.
 *
 * <p>Answered by {@link StacyVMClient#create}, {@link StacyVMClient#get} or {@link StacyVMClient#spawn}, it sends
 * each request with that client's credentials, to a route under {@code /api/v1/sandboxes/{id}}. {@link #view()}
 * changes only with {@link #refresh()} and {@link #extend}.
 *
 * <p>Errors are {@link ApiException}s, read as {@link StacyVMClient} describes, with the codes every call can answer
 * listed there. Besides those, each method that calls the API answers {@code not_found} when the sandbox does not
 * exist, is destroyed ({@link #destroy()} excepted) or belongs to another owner, and a method that changes something
 * answers {@code forbidden} to a viewer key; {@code unavailable} also means the sandbox's worker cannot be reached.
 *
 * <p>The file methods need the sandbox running ({@code conflict} otherwise) and act as the sandbox's user, with its
 * rights: {@code forbidden} when it lacks the permission. A path is absolute, without a {@code ..} component, at most
 * 4096 bytes and 255 bytes a name, and may not go through a symbolic link; one that breaks these rules is
 * {@code bad_request}. A file operation that fails in the sandbox for another reason is {@code provider_error}.
 */
public final class RemoteSandbox implements AutoCloseable {

    private final Http http;
    private SandboxView view;

    RemoteSandbox(Http http, SandboxView view) {
        this.http = http;
        this.view = view;
    }

    /**
     * The sandbox's id, {@code sb-} and twelve hex digits; sends nothing.
     *
     * @return the id
     */
    public String id() {
        return view.id();
    }

    /**
     * What the API said of it last: the answer to the create, get, {@link #refresh()} or {@link #extend} that read
     * it. Sends nothing, so its {@code state} may be out of date.
     *
     * @return the view as last read
     */
    public SandboxView view() {
        return view;
    }

    /**
     * Reads the sandbox again, as {@link StacyVMClient#get} does (StacyVM's {@code GET /api/v1/sandboxes/{id}}), and
     * keeps the answer as {@link #view()}. A running sandbox's view also shows {@code disk_used_bytes} and
     * {@code disk_used_mb} when its worker answers in time.
     *
     * @return the view as read now
     * @throws ApiException {@code not_found} once the sandbox is destroyed; and the codes of every call (see
     *     {@link StacyVMClient})
     */
    public SandboxView refresh() {
        view = http.json("GET", path(""), null, new TypeReference<>() {
        });
        return view;
    }

    private String path(String rest) {
        return "/sandboxes/" + view.id() + rest;
    }

    // commands
    /**
     * Runs a shell command line to its end.
     *
     * <p>StacyVM's {@code POST /api/v1/sandboxes/{id}/exec} with {@code {"command": commandLine, "mode": "shell"}}:
     * it runs under {@code sh -c} as the sandbox's user, with the default timeout (60s unless an operator changed
     * it).
     *
     * @param commandLine a line for {@code sh -c}
     * @return how it ended, as {@link #exec(ExecRequest)} answers
     * @throws ApiException the codes of {@link #exec(ExecRequest)}
     */
    public ExecResult exec(String commandLine) {
        return exec(new ExecRequest(commandLine, null, "shell", null, null, null, null));
    }

    /**
     * Runs a command to its end (or its timeout).
     *
     * <p>StacyVM's {@code POST /api/v1/sandboxes/{id}/exec}, as the sandbox's user. The timeout kills the command and
     * every process it started ({@code timed_out} true, exit code 124 or 137). {@code stdout} and {@code stderr} each
     * hold up to the worker's {@code exec-output-limit-bytes} (16 MiB by default); the rest is dropped and marked.
     * This waits for the answer as long as the request's timeout plus 30 seconds, or 61 minutes without one. Leave
     * {@code stream} unset: {@link #execStream} is the streaming call.
     *
     * @param request {@code command} (required); {@code args}; {@code mode}, {@code "argv"} to run {@code command}
     *                with {@code args} and no shell, else {@code sh -c} with each arg quoted as one literal word;
     *                {@code env}; {@code workdir}; {@code timeout} as a Go duration string such as {@code "30s"}
     *                (null for the default, 60s)
     * @return {@code exit_code}, {@code stdout}, {@code stderr}, {@code duration} (a Go duration string) and
     *         {@code timed_out}
     * @throws IllegalArgumentException before anything is sent, when {@code timeout} is not a Go duration
     * @throws ApiException {@code bad_request} for a missing command, a timeout that is not positive, a null arg, an
     *     invalid env name or a NUL byte in a value, an unknown mode, or a workdir the sandbox's user cannot enter
     *     (nothing runs); {@code resource_limit}, without {@code retryAfterSeconds()}, for a timeout above the
     *     owner's {@code max_exec_timeout} (1h by default); {@code conflict} when the sandbox is not running;
     *     {@code not_found}; {@code forbidden} for a viewer key; and the codes of every call (see
     *     {@link StacyVMClient})
     */
    public ExecResult exec(ExecRequest request) {
        return http.json("POST", path("/exec"), request, new TypeReference<>() {
        }, waitFor(request));
    }

    /**
     * Runs a command, handing each chunk of output to {@code output} as it is written, and answers
     * how it ended (the result's stdout and stderr are what was handed over).
     *
     * <p>StacyVM's {@code POST /api/v1/sandboxes/{id}/exec} with {@code stream: true}, read as NDJSON
     * ({@code application/x-ndjson}) while the command runs. {@code output} runs on the calling thread and gets each
     * chunk ({@code stream} {@code "stdout"} or {@code "stderr"}, and its {@code data}), never the final line with the
     * exit status; the blank keepalive lines are skipped. An exception {@code output} throws ends the call with it.
     * The gateway stops the command within about a second of the client disconnecting. This waits for the answer as
     * long as the request's timeout plus 30 seconds, or 61 minutes without one.
     *
     * @param request the command, as for {@link #exec(ExecRequest)}; its {@code stream} is set here
     * @param output  called once per chunk of output, in order
     * @return the exit code, the output handed over, the {@code duration} and {@code timed_out}
     * @throws IllegalArgumentException before anything is sent, when {@code timeout} is not a Go duration
     * @throws ApiException the codes of {@link #exec(ExecRequest)}, answered before any output; {@code unavailable}
     *     when the stream broke while it was read; {@code provider_error} when it ended without an exit status
     */
    public ExecResult execStream(ExecRequest request, Consumer<ExecStreamLine> output) {
        ExecRequest streamed = new ExecRequest(request.command(), request.args(), request.mode(), request.env(),
                request.workdir(), request.timeout(), true);
        HttpRequest post = http.request(path("/exec"), waitFor(request)).header("Content-Type", "application/json")
                .header("Accept", ExecStreamLine.MEDIA_TYPE)
                .POST(HttpRequest.BodyPublishers.ofByteArray(Http.encode(streamed))).build();
        StringBuilder stdout = new StringBuilder();
        StringBuilder stderr = new StringBuilder();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(http.stream(post), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                ExecStreamLine event = Http.JSON.readValue(line, ExecStreamLine.class);
                if (event.exitCode() != null) {
                    return new ExecResult(event.exitCode(), stdout.toString(), stderr.toString(), event.duration(),
                            Boolean.TRUE.equals(event.timedOut()));
                }
                ("stderr".equals(event.stream()) ? stderr : stdout).append(event.data());
                output.accept(event);
            }
        } catch (IOException e) {
            throw new ApiException(ErrorCode.UNAVAILABLE, "the output stream of sandbox " + id() + " broke: " + e);
        }
        throw new ApiException(ErrorCode.PROVIDER_ERROR, "the stream ended without an exit status");
    }

    /**
     * The command {@link #terminal} runs: the sandbox user's login shell, bash when the image has it, else sh (as
     * {@code argv}, so {@code command} is {@code /bin/sh} and the rest its args).
     */
    public static final List<String> LOGIN_SHELL = List.of("/bin/sh", "-c",
            "if command -v bash >/dev/null; then exec bash -l; else exec sh -l; fi");

    /**
     * Opens a terminal on the sandbox's login shell ({@link #LOGIN_SHELL}): {@link #openExecSocket} with
     * {@code pty: true}, this size and {@code encoding: "base64"}, so output chunks carry the terminal's bytes as they
     * are. Read its output by iterating the session.
     *
     * @param cols the terminal's columns, 1 to 1000
     * @param rows the terminal's rows, 1 to 1000
     * @return the open session; close it
     * @throws ApiException the codes of {@link #openExecSocket}
     */
    public ExecSession terminal(int cols, int rows) {
        return openExecSocket(new ExecSocketRequest(null, LOGIN_SHELL.get(0), LOGIN_SHELL.subList(1, LOGIN_SHELL.size()),
                "argv", null, null, null, true, cols, rows, ExecSocketRequest.BASE64), null);
    }

    /**
     * Runs a command over StacyVM's exec WebSocket, {@code GET /api/v1/sandboxes/{id}/exec/ws}, with this client's
     * credentials: input, resizes and signals go to it while it runs, and its output comes as it is written. Iterate
     * the session for the output (or pass a listener), and {@link ExecSession#awaitDone} for the exit code; see
     * {@link ExecSession}.
     *
     * <p>The request is {@link #exec(ExecRequest)}'s ({@code command}, {@code args}, {@code mode}, {@code env},
     * {@code workdir}, {@code timeout}) plus {@code pty: true} with {@code cols} and {@code rows} (80 by 24 by
     * default) for a terminal, where {@code TERM} defaults to {@code xterm-256color}, and {@code encoding: "base64"}
     * to carry output as bytes rather than UTF-8 text. The timeout is 60s by default, and on a terminal the owner's
     * {@code max_exec_timeout} (1h by default). The handshake waits up to 30 seconds.
     *
     * @param request the command; {@code type} may be null or {@code "start"}
     * @param output  called on the socket's thread with each chunk of output, in order; null to queue the chunks for
     *                the session's iteration
     * @return the open session, the request sent; close it
     * @throws IllegalArgumentException before anything is sent, for a request without a command
     * @throws ApiException when the gateway refuses the handshake: {@code not_found} for no such sandbox (or another
     *     owner's), {@code forbidden} for a viewer key, {@code conflict} when the sandbox is not running,
     *     {@code resource_limit} when the caller holds as many exec sockets as it may; {@code unavailable} when the
     *     gateway cannot be reached or did not answer in time; and the codes of every call (see
     *     {@link StacyVMClient}). The request's own errors ({@code bad_request}, a timeout above the maximum) come
     *     from {@link ExecSession#awaitDone}.
     */
    public ExecSession openExecSocket(ExecSocketRequest request, Consumer<ExecSession.Chunk> output) {
        return ExecSession.open(http, path("/exec/ws"), request, output);
    }

    /**
     * A single-use token that opens this sandbox's exec WebSocket without other credentials, for a browser (which
     * cannot set headers on a WebSocket): StacyVM's {@code POST /api/v1/sandboxes/{id}/exec/ws/token}. Open
     * {@code {gateway}{path}} (the token is in its query) within 60 seconds; it opens one session, of this sandbox
     * only, as the caller that asked for it.
     *
     * @return {@code token}, {@code expires_at} and {@code path}
     * @throws ApiException {@code forbidden} for a viewer key; {@code not_found}; and the codes of every call (see
     *     {@link StacyVMClient})
     */
    public ExecSocketToken execSocketToken() {
        return http.json("POST", path("/exec/ws/token"), null, new TypeReference<>() {
        });
    }

    // background processes
    /**
     * Starts a command detached and answers at once: {@code POST /api/v1/sandboxes/{id}/exec} with
     * {@code background: true} (202). It runs until it exits, is signalled or killed, or the sandbox ends
     * ({@code timeout} applies only when set); its output is kept in a bounded buffer (the last 256 KiB).
     *
     * @param request the command, as for {@link #exec(ExecRequest)}; its {@code stream} and {@code background} are set here
     * @return the process: its {@code id} ({@code bg-} and 12 hex digits), {@code state} {@code running}
     * @throws ApiException the codes of {@link #exec(ExecRequest)}; {@code resource_limit} when 16 already run
     */
    public BackgroundProcess startBackground(ExecRequest request) {
        ExecRequest detached = new ExecRequest(request.command(), request.args(), request.mode(), request.env(),
                request.workdir(), request.timeout(), null, true);
        return http.json("POST", path("/exec"), detached, new TypeReference<>() {
        });
    }

    /** This sandbox's background processes, running and ended, oldest first ({@code GET .../exec/background}). */
    public List<BackgroundProcess> backgroundProcesses() {
        return http.json("GET", path("/exec/background"), null, new TypeReference<>() {
        });
    }

    /**
     * One background process now: its {@code state} and, once {@code exited}, its {@code exit_code}.
     *
     * @throws ApiException {@code not_found} for one this sandbox does not have (any more)
     */
    public BackgroundProcess backgroundProcess(String processId) {
        return http.json("GET", path("/exec/background/" + segment(processId)), null, new TypeReference<>() {
        });
    }

    /**
     * A background process's output from byte offset {@code since} on, as far as its buffer still holds it; ask again
     * from the answer's {@code next} to get only what is new ({@code dropped} says output after {@code since} was
     * already dropped).
     *
     * @throws ApiException {@code not_found} for an unknown process
     */
    public BackgroundOutput backgroundOutput(String processId, long since) {
        return http.json("GET", path("/exec/background/" + segment(processId) + "/output" + Http.query(Map.of("since", since))), null,
                new TypeReference<>() {
                });
    }

    /**
     * Sends a signal ({@code TERM}, {@code INT}, {@code KILL}, ...) to a background process's command; an ended one is
     * left alone. Audited.
     *
     * @return the process now
     */
    public BackgroundProcess signalBackground(String processId, String signal) {
        return http.json("POST", path("/exec/background/" + segment(processId) + "/signal"), Map.of("signal", signal),
                new TypeReference<>() {
                });
    }

    /** Kills a background process with everything it started and forgets it. Audited. */
    public void killBackground(String processId) {
        http.json("DELETE", path("/exec/background/" + segment(processId)), null, new TypeReference<Map<String, String>>() {
        });
    }

    /** A process id as one path segment, whatever it holds. */
    private static String segment(String processId) {
        return java.net.URLEncoder.encode(processId, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** How long to wait for an exec's answer: its own timeout and a margin, else the longest an exec may run. */
    private static Duration waitFor(ExecRequest request) {
        return request.timeout() == null || request.timeout().isBlank() ? Duration.ofMinutes(61)
                : GoDuration.parse(request.timeout()).plusSeconds(30);
    }

    /**
     * The last lines the sandbox's main process wrote: StacyVM's {@code GET /api/v1/sandboxes/{id}/logs?lines=N}.
     * The answer is bounded in bytes by the worker's {@code logs-max-bytes} (1 MiB by default): when older lines were
     * left out or a line was cut to fit, the first element is
     * {@link dev.stacyvm.contract.api.LogLines#TRUNCATED_MARKER}.
     *
     * @param lines how many, 1 to 10000
     * @return the lines
     * @throws ApiException {@code bad_request} for {@code lines} outside 1 to 10000; {@code not_found}; and the codes
     *     of every call (see {@link StacyVMClient})
     */
    public List<String> logs(int lines) {
        return http.json("GET", path("/logs" + Http.query(Map.of("lines", lines))), null, new TypeReference<>() {
        });
    }

    /**
     * What the sandbox uses now: StacyVM's {@code GET /api/v1/sandboxes/{id}/stats}. The worker samples the sandbox
     * over about a second (as {@code docker stats --no-stream} does), so the answer takes that long.
     *
     * @return {@code cpu_pct}: CPU over the sample in percent of one core (up to 100 times {@code vcpus});
     *         {@code vcpus}; {@code mem_bytes} in use (page cache that can be dropped left out) and
     *         {@code mem_limit_bytes}; {@code disk_used_bytes}, what it has written, and {@code disk_limit_bytes}
     *         ({@code disk_mb} in bytes; null when the host enforces none); {@code pids}, its processes, and
     *         {@code pids_limit}; {@code net_rx_bytes} and {@code net_tx_bytes} since it started (0 without a network);
     *         {@code timestamp}, when it was sampled
     * @throws ApiException {@code conflict} when the sandbox is not running; {@code not_found}; {@code unavailable}
     *     also when its worker does not answer in time; and the codes of every call (see {@link StacyVMClient})
     */
    public SandboxStats stats() {
        return http.json("GET", path("/stats"), null, new TypeReference<>() {
        });
    }

    // life
    /**
     * Gives the sandbox more time: StacyVM's {@code POST /api/v1/sandboxes/{id}/extend} with {@code {"ttl": ttl}}.
     * {@code expires_at} moves by {@code ttl} from the later of now and the current expiry, capped at the owner's
     * {@code max_ttl} (24h by default) from now. The answer becomes {@link #view()}.
     *
     * @param ttl a positive Go duration string, such as {@code "10m"}
     * @return the sandbox with its new {@code expires_at}
     * @throws ApiException {@code bad_request} for a ttl that is missing or not a positive Go duration;
     *     {@code conflict} when the sandbox is neither running nor unhealthy; {@code not_found}; {@code forbidden} for
     *     a viewer key; and the codes of every call (see {@link StacyVMClient})
     */
    public SandboxView extend(String ttl) {
        view = http.json("POST", path("/extend"), new ExtendRequest(ttl), new TypeReference<>() {
        });
        return view;
    }

    /**
     * Destroys the sandbox and removes its container: StacyVM's {@code DELETE /api/v1/sandboxes/{id}}. Destroying it
     * again is no error. {@link #view()} is left as it was.
     *
     * @throws ApiException {@code not_found} when the sandbox belongs to another owner; {@code forbidden} for a viewer
     *     key; {@code unavailable} also when its worker failed to remove it (the sandbox is left in state
     *     {@code error} and the destroy is retried); and the codes of every call (see {@link StacyVMClient})
     */
    public void destroy() {
        http.json("DELETE", path(""), null, null);
    }

    /**
     * Destroys the sandbox ({@link #destroy()}), so that try-with-resources ends it.
     *
     * @throws ApiException the codes of {@link #destroy()}
     */
    @Override
    public void close() {
        destroy();
    }

    /**
     * A token that opens the private preview of one port, with its URL and expiry:
     * {@code GET /api/v1/sandboxes/{id}/preview/{port}}. Send the token as header {@code X-Preview-Token}, or as query
     * parameter {@code preview_token}, which the preview-router turns into a cookie for that preview. It works for 15
     * minutes by default and never past the sandbox's expiry; {@code POST /api/v1/sandboxes/{id}/preview/rotate}
     * revokes it sooner.
     *
     * @param port one of the ports the sandbox was created with
     * @return {@code url}, {@code token}, {@code expires_at} (whole seconds) and {@code public_preview} (true when
     *         anyone with the URL may open it, token or not)
     * @throws ApiException {@code forbidden} for a viewer key (a token sends any request to the app);
     *     {@code not_found} also when {@code port} is not one of the sandbox's preview ports; {@code conflict} when
     *     the sandbox is not running; and the codes of every call (see {@link StacyVMClient})
     */
    public PreviewAccess preview(int port) {
        return http.json("GET", path("/preview/" + port), null, new TypeReference<>() {
        });
    }

    // files
    /**
     * Writes a file of any bytes, sent base64-encoded: StacyVM's {@code POST /api/v1/sandboxes/{id}/files} with
     * {@code encoding: "base64"}. It replaces the file that was there and creates missing parent directories, with
     * mode 644; a failed write leaves nothing behind, not even a directory it made.
     *
     * @param path    where to write, an absolute path in the sandbox
     * @param content the bytes; base64 makes them a third larger in the JSON body, which may be at most 64 MiB by
     *                default
     * @throws ApiException {@code bad_request} for a path the rules refuse or that names a directory or something
     *     other than a regular file; {@code forbidden} when the sandbox's user may not write there, or for a viewer
     *     key; {@code disk_full} when the sandbox's disk ({@code disk_mb}) is full; {@code payload_too_large} for a
     *     body past its limit; {@code too_many_uploads}, with {@code retryAfterSeconds()}, when the owner or the key
     *     already has its uploads under way (4 by default); {@code conflict} when the sandbox is not running;
     *     {@code not_found}; and the codes of every call (see {@link StacyVMClient})
     */
    public void writeFile(String path, byte[] content) {
        http.json("POST", path("/files"), new WriteFileRequest(path, Base64.getEncoder().encodeToString(content), null,
                WriteFileRequest.BASE64), null);
    }

    /**
     * Writes a text file, sent as UTF-8: StacyVM's {@code POST /api/v1/sandboxes/{id}/files}, as
     * {@link #writeFile(String, byte[])} but without base64.
     *
     * @param path    where to write, an absolute path in the sandbox
     * @param content the text; the JSON body may be at most 64 MiB by default
     * @throws ApiException the codes of {@link #writeFile(String, byte[])}
     */
    public void writeFile(String path, String content) {
        http.json("POST", path("/files"), new WriteFileRequest(path, content, null, null), null);
    }

    /**
     * A file's bytes, as a stream to read to its end and close.
     *
     * <p>StacyVM's {@code GET /api/v1/sandboxes/{id}/files?path=}. Refusals come before any byte, as this method's
     * exception; a failure while the stream is read is the stream's {@link IOException}.
     *
     * @param path the file, an absolute path in the sandbox (not null)
     * @return the raw bytes ({@code application/octet-stream})
     * @throws ApiException {@code not_found} when there is no file there (or no such sandbox); {@code bad_request}
     *     for a directory, something other than a regular file, or a path the rules refuse; {@code forbidden} when
     *     the sandbox's user may not read it; {@code conflict} when the sandbox is not running; and the codes of
     *     every call (see {@link StacyVMClient})
     */
    public InputStream readFile(String path) {
        return http.stream(http.request(path("/files" + Http.query(Map.of("path", path))), null).GET().build());
    }

    /**
     * A file's bytes, all in memory: {@link #readFile} read to its end.
     *
     * @param path the file, an absolute path in the sandbox (not null)
     * @return the bytes
     * @throws ApiException the codes of {@link #readFile}
     * @throws UncheckedIOException when the stream broke while it was read
     */
    public byte[] readAllBytes(String path) {
        try (InputStream in = readFile(path)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The entries of a directory, hidden ones included, not recursively and at most 10,000: StacyVM's
     * {@code GET /api/v1/sandboxes/{id}/files/list?path=}.
     *
     * @param path the directory, an absolute path in the sandbox (not null; {@code "/"} for the root)
     * @return each entry's {@code name}, {@code path}, {@code size} in bytes, {@code is_dir}, {@code mod_time} (whole
     *         seconds) and {@code mode} (octal, four digits)
     * @throws ApiException {@code not_found} when nothing is there; {@code bad_request} when it is not a directory or
     *     the path breaks the rules; {@code forbidden} when the sandbox's user may not enter it; {@code conflict} when
     *     the sandbox is not running; and the codes of every call (see {@link StacyVMClient})
     */
    public List<FileInfo> listFiles(String path) {
        return http.json("GET", path("/files/list" + Http.query(Map.of("path", path))), null, new TypeReference<>() {
        });
    }

    /**
     * One file or directory: StacyVM's {@code GET /api/v1/sandboxes/{id}/files/stat?path=}.
     *
     * @param path an absolute path in the sandbox (not null)
     * @return its {@code name}, {@code path}, {@code size} in bytes, {@code is_dir}, {@code mod_time} (whole seconds)
     *         and {@code mode} (octal, four digits)
     * @throws ApiException {@code not_found} when nothing is there; {@code bad_request} for a path the rules refuse;
     *     {@code forbidden} when the sandbox's user may not reach it; {@code conflict} when the sandbox is not
     *     running; and the codes of every call (see {@link StacyVMClient})
     */
    public FileInfo stat(String path) {
        return http.json("GET", path("/files/stat" + Http.query(Map.of("path", path))), null, new TypeReference<>() {
        });
    }

    /**
     * Moves or renames a file or directory: StacyVM's {@code POST /api/v1/sandboxes/{id}/files/move}. Missing parent
     * directories of {@code newPath} are created; a file already at {@code newPath} is replaced.
     *
     * @param oldPath what to move, an absolute path in the sandbox
     * @param newPath where it goes, an absolute path in the sandbox
     * @throws ApiException {@code not_found} when nothing is at {@code oldPath}; {@code bad_request} for a path the
     *     rules refuse, {@code "/"} as {@code oldPath}, a file onto a directory, or a parent of {@code newPath} that
     *     is not a directory; {@code forbidden} when the sandbox's user may not move it there, or for a viewer key;
     *     {@code conflict} when the sandbox is not running; and the codes of every call (see {@link StacyVMClient})
     */
    public void move(String oldPath, String newPath) {
        http.json("POST", path("/files/move"), new MoveRequest(oldPath, newPath), null);
    }

    /**
     * Sets a file's or directory's permission bits: StacyVM's {@code POST /api/v1/sandboxes/{id}/files/chmod}.
     *
     * @param path an absolute path in the sandbox
     * @param mode the permission bits in octal, {@code "755"} or {@code "0755"}
     * @throws ApiException {@code bad_request} for a missing mode, one that is not such octal bits, or a path the
     *     rules refuse; {@code not_found} when nothing is there; {@code forbidden} when the sandbox's user may not
     *     change it, or for a viewer key; {@code conflict} when the sandbox is not running; and the codes of every
     *     call (see {@link StacyVMClient})
     */
    public void chmod(String path, String mode) {
        http.json("POST", path("/files/chmod"), new ChmodRequest(path, mode), null);
    }

    /**
     * Deletes a file or directory: StacyVM's {@code DELETE /api/v1/sandboxes/{id}/files?path=}, with
     * {@code &recursive=true} when asked.
     *
     * @param path      an absolute path in the sandbox
     * @param recursive true to delete a directory with everything in it; false deletes a file or an empty directory
     * @throws ApiException {@code not_found} when nothing is there; {@code conflict} for a directory that is not
     *     empty without {@code recursive}, or when the sandbox is not running; {@code bad_request} for {@code "/"} or
     *     a path the rules refuse; {@code forbidden} when the sandbox's user may not delete it, or for a viewer key;
     *     and the codes of every call (see {@link StacyVMClient})
     */
    public void delete(String path, boolean recursive) {
        Map<String, Object> query = new LinkedHashMap<>();
        query.put("path", path);
        query.put("recursive", recursive ? "true" : null);
        http.json("DELETE", path("/files" + Http.query(query)), null, null);
    }

    /**
     * The paths matching a glob pattern, sorted, at most 10,000: StacyVM's
     * {@code GET /api/v1/sandboxes/{id}/files/glob?pattern=}. {@code **} crosses directories. The search starts at
     * the pattern's directory before its first wildcard, matching nothing when that is missing, and neither follows
     * symbolic links nor enters other filesystems mounted below it.
     *
     * @param pattern an absolute pattern in the sandbox (not null), such as {@code /workspace/*.py}
     * @return the matching absolute paths
     * @throws ApiException {@code bad_request} for an empty pattern, one that is not absolute, holds {@code ..} or a
     *     NUL byte, or starts through a symbolic link; {@code conflict} when the sandbox is not running; and the
     *     codes of every call (see {@link StacyVMClient})
     */
    public List<String> glob(String pattern) {
        return http.json("GET", path("/files/glob" + Http.query(Map.of("pattern", pattern))), null, new TypeReference<>() {
        });
    }

    /**
     * Unpacks a tar stream into {@code directory} in the sandbox.
     *
     * <p>{@code PUT /api/v1/sandboxes/{id}/files/archive?path=}, sent as {@code application/x-tar} while
     * {@code tar} is read; this waits up to an hour for the answer. The directory is created if missing, and its own
     * mode and owner stay as they are; entries keep the modes they carry and replace what is there. An archive with
     * a dangerous entry is refused whole, and a refused or failed one leaves nothing behind.
     *
     * @param directory where to unpack, an absolute path in the sandbox (not null)
     * @param tar       the archive
     * @throws ApiException {@code bad_request} for an archive refused or that cannot be unpacked, or a path the rules
     *     refuse; {@code forbidden} when the sandbox's user may not write in the directory, or for a viewer key;
     *     {@code disk_full} when the sandbox's disk ({@code disk_mb}) is full; {@code payload_too_large} past the
     *     archive limit (4 GiB by default); {@code request_timeout} when {@code tar} gave nothing for 30 seconds;
     *     {@code too_many_uploads}, with {@code retryAfterSeconds()}, when the owner or the key already has its
     *     uploads under way (4 by default); {@code conflict} when the sandbox is not running; and the codes of every
     *     call (see {@link StacyVMClient})
     */
    public void putArchive(String directory, InputStream tar) {
        http.send(http.request(path("/files/archive" + Http.query(Map.of("path", directory))), Duration.ofHours(1))
                .header("Content-Type", "application/x-tar")
                // 256 KiB chunks: each HTTP chunk costs the gateway and the worker a thread hand-off
                .PUT(HttpRequest.BodyPublishers.fromPublisher(new InputStreamPublisher(tar, 256 * 1024))).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding());
    }

    /**
     * {@code directory} in the sandbox as a tar stream, to read to its end and close.
     *
     * <p>{@code GET /api/v1/sandboxes/{id}/files/archive?path=}, with an hour's timeout: a tar of the directory's
     * contents, entries named relative to it. Refusals come before any byte, as this method's exception.
     *
     * @param directory an absolute path in the sandbox (not null)
     * @return the tar stream ({@code application/x-tar})
     * @throws ApiException {@code not_found} when nothing is there; {@code bad_request} when it is not a directory or
     *     the path breaks the rules; {@code forbidden} when the sandbox's user may not read or enter it;
     *     {@code conflict} when the sandbox is not running; and the codes of every call (see {@link StacyVMClient})
     */
    public InputStream getArchive(String directory) {
        return http.stream(http.request(path("/files/archive" + Http.query(Map.of("path", directory))), Duration.ofHours(1))
                .GET().build());
    }
}
