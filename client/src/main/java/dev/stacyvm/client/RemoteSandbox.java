package dev.stacyvm.client;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.ChmodRequest;
import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.contract.api.ExecRequest;
import dev.stacyvm.contract.api.ExecResult;
import dev.stacyvm.contract.api.ExecStreamLine;
import dev.stacyvm.contract.api.ExtendRequest;
import dev.stacyvm.contract.api.FileInfo;
import dev.stacyvm.contract.api.MoveRequest;
import dev.stacyvm.contract.api.PreviewAccess;
import dev.stacyvm.contract.api.SandboxView;
import dev.stacyvm.contract.api.WriteFileRequest;
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

/** One sandbox as last read, and what can be done with it; {@code close()} destroys it. */
public final class RemoteSandbox implements AutoCloseable {

    private final Http http;
    private SandboxView view;

    RemoteSandbox(Http http, SandboxView view) {
        this.http = http;
        this.view = view;
    }

    public String id() {
        return view.id();
    }

    /** What the API said of it last. */
    public SandboxView view() {
        return view;
    }

    public SandboxView refresh() {
        view = http.json("GET", path(""), null, new TypeReference<>() {
        });
        return view;
    }

    private String path(String rest) {
        return "/sandboxes/" + view.id() + rest;
    }

    // commands
    /** Runs a shell command line to its end. */
    public ExecResult exec(String commandLine) {
        return exec(new ExecRequest(commandLine, null, "shell", null, null, null, null));
    }

    /** Runs a command to its end (or its timeout). */
    public ExecResult exec(ExecRequest request) {
        return http.json("POST", path("/exec"), request, new TypeReference<>() {
        }, waitFor(request));
    }

    /**
     * Runs a command, handing each chunk of output to {@code output} as it is written, and answers
     * how it ended (the result's stdout and stderr are what was handed over).
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

    /** How long to wait for an exec's answer: its own timeout and a margin, else the longest an exec may run. */
    private static Duration waitFor(ExecRequest request) {
        return request.timeout() == null || request.timeout().isBlank() ? Duration.ofMinutes(61)
                : GoDuration.parse(request.timeout()).plusSeconds(30);
    }

    public List<String> logs(int lines) {
        return http.json("GET", path("/logs" + Http.query(Map.of("lines", lines))), null, new TypeReference<>() {
        });
    }

    // life
    public SandboxView extend(String ttl) {
        view = http.json("POST", path("/extend"), new ExtendRequest(ttl), new TypeReference<>() {
        });
        return view;
    }

    public void destroy() {
        http.json("DELETE", path(""), null, null);
    }

    @Override
    public void close() {
        destroy();
    }

    public PreviewAccess preview(int port) {
        return http.json("GET", path("/preview/" + port), null, new TypeReference<>() {
        });
    }

    // files
    public void writeFile(String path, byte[] content) {
        http.json("POST", path("/files"), new WriteFileRequest(path, Base64.getEncoder().encodeToString(content), null,
                WriteFileRequest.BASE64), null);
    }

    public void writeFile(String path, String content) {
        http.json("POST", path("/files"), new WriteFileRequest(path, content, null, null), null);
    }

    /** A file's bytes, as a stream to read to its end and close. */
    public InputStream readFile(String path) {
        return http.stream(http.request(path("/files" + Http.query(Map.of("path", path))), null).GET().build());
    }

    public byte[] readAllBytes(String path) {
        try (InputStream in = readFile(path)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<FileInfo> listFiles(String path) {
        return http.json("GET", path("/files/list" + Http.query(Map.of("path", path))), null, new TypeReference<>() {
        });
    }

    public FileInfo stat(String path) {
        return http.json("GET", path("/files/stat" + Http.query(Map.of("path", path))), null, new TypeReference<>() {
        });
    }

    public void move(String oldPath, String newPath) {
        http.json("POST", path("/files/move"), new MoveRequest(oldPath, newPath), null);
    }

    public void chmod(String path, String mode) {
        http.json("POST", path("/files/chmod"), new ChmodRequest(path, mode), null);
    }

    public void delete(String path, boolean recursive) {
        Map<String, Object> query = new LinkedHashMap<>();
        query.put("path", path);
        query.put("recursive", recursive ? "true" : null);
        http.json("DELETE", path("/files" + Http.query(query)), null, null);
    }

    public List<String> glob(String pattern) {
        return http.json("GET", path("/files/glob" + Http.query(Map.of("pattern", pattern))), null, new TypeReference<>() {
        });
    }

    /** Unpacks a tar stream into {@code directory} in the sandbox. */
    public void putArchive(String directory, InputStream tar) {
        http.send(http.request(path("/files/archive" + Http.query(Map.of("path", directory))), Duration.ofHours(1))
                .header("Content-Type", "application/x-tar")
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> tar)).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding());
    }

    /** {@code directory} in the sandbox as a tar stream, to read to its end and close. */
    public InputStream getArchive(String directory) {
        return http.stream(http.request(path("/files/archive" + Http.query(Map.of("path", directory))), Duration.ofHours(1))
                .GET().build());
    }
}
