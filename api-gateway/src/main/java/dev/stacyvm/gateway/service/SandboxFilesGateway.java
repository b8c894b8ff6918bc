package dev.stacyvm.gateway.service;

import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.ChmodRequest;
import dev.stacyvm.contract.api.FileInfo;
import dev.stacyvm.contract.api.MoveRequest;
import dev.stacyvm.contract.api.SandboxView;
import dev.stacyvm.contract.api.StatusResponse;
import dev.stacyvm.contract.api.WriteFileRequest;
import dev.stacyvm.support.client.WorkerApi;
import dev.stacyvm.support.limits.RelayedRequestBody;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;

/**
 * The files API: the caller must be allowed to see the sandbox and it must be running; the work
 * itself happens on the sandbox's worker, inside the sandbox. Every change and every read of
 * contents is audited (with the path, never the contents).
 */
@ApplicationScoped
public class SandboxFilesGateway {

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(90);
    private static final String TAR = "application/x-tar";

    @Inject
    SandboxGateway sandboxes;

    @Inject
    InternalServices services;

    @Inject
    WorkerStreams streams;

    @Inject
    WorkerUploads uploads;

    @Inject
    AuditTrail audit;

    public StatusResponse write(String id, WriteFileRequest request) {
        SandboxView sandbox = sandboxes.runningForCommand(id);
        return audit.around("file.write", sandbox, sandbox.ownerId(),
                () -> worker(sandbox).writeFile(id, request), done -> "path " + (request == null ? null : request.path()));
    }

    public StatusResponse delete(String id, String path, boolean recursive) {
        SandboxView sandbox = sandboxes.runningForCommand(id);
        return audit.around("file.delete", sandbox, sandbox.ownerId(),
                () -> worker(sandbox).deleteFile(id, path, recursive), done -> "path " + path + (recursive ? " recursive" : ""));
    }

    public List<FileInfo> list(String id, String path) {
        SandboxView sandbox = sandboxes.runningForCommand(id);
        return worker(sandbox).listFiles(id, path);
    }

    public FileInfo stat(String id, String path) {
        SandboxView sandbox = sandboxes.runningForCommand(id);
        return worker(sandbox).statFile(id, path);
    }

    public StatusResponse move(String id, MoveRequest request) {
        SandboxView sandbox = sandboxes.runningForCommand(id);
        return audit.around("file.move", sandbox, sandbox.ownerId(), () -> worker(sandbox).moveFile(id, request),
                done -> request == null ? null : request.oldPath() + " -> " + request.newPath());
    }

    public StatusResponse chmod(String id, ChmodRequest request) {
        SandboxView sandbox = sandboxes.runningForCommand(id);
        return audit.around("file.chmod", sandbox, sandbox.ownerId(), () -> worker(sandbox).chmodFile(id, request),
                done -> request == null ? null : request.path() + " " + request.mode());
    }

    public List<String> glob(String id, String pattern) {
        SandboxView sandbox = sandboxes.runningForCommand(id);
        return worker(sandbox).glob(id, pattern);
    }

    /** A file's bytes, streamed from the sandbox; refusals (missing, not a file, ...) come before any byte. */
    public StreamingOutput read(String id, String path) {
        SandboxView sandbox = sandboxes.runningForCommand(id);
        InputStream body = audit.around("file.read", sandbox, sandbox.ownerId(),
                () -> streams.download(endpoint(sandbox), filesPath(id, "") + "?" + WorkerStreams.query("path", path)),
                started -> "path " + path);
        return copying(body);
    }

    public StreamingOutput readArchive(String id, String path) {
        SandboxView sandbox = sandboxes.runningForCommand(id);
        InputStream body = audit.around("file.archive_read", sandbox, sandbox.ownerId(),
                () -> streams.download(endpoint(sandbox), filesPath(id, "/archive") + "?" + WorkerStreams.query("path", path)),
                started -> "path " + path);
        return copying(body);
    }

    /**
     * Relays an uploaded tar into the sandbox as it arrives, holding none of it (see {@link WorkerUploads}).
     *
     * @throws ApiException the sandbox is not running or not the caller's; the worker's refusal (a dangerous
     *                      entry, a full disk); the body's (too large, idle, cut short)
     */
    public StatusResponse writeArchive(String id, String path, RelayedRequestBody archive) {
        SandboxView sandbox = sandboxes.runningForCommand(id);
        return audit.around("file.archive_write", sandbox, sandbox.ownerId(), () -> {
            uploads.put(endpoint(sandbox), filesPath(id, "/archive") + "?" + WorkerStreams.query("path", path), TAR, archive);
            return new StatusResponse("extracted");
        }, done -> "path " + path);
    }

    private static StreamingOutput copying(InputStream body) {
        return output -> {
            try (body) {
                body.transferTo(output);
            }
        };
    }

    private WorkerApi worker(SandboxView sandbox) {
        return services.worker(sandbox.workerId(), CALL_TIMEOUT);
    }

    private String endpoint(SandboxView sandbox) {
        return services.workerEndpoint(sandbox.workerId());
    }

    private static String filesPath(String id, String suffix) {
        return "/internal/sandboxes/" + id + "/files" + suffix;
    }
}
