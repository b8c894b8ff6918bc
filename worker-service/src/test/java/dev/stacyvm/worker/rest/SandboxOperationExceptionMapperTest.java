package dev.stacyvm.worker.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.stacyvm.contract.api.ApiError;
import dev.stacyvm.worker.error.DirectoryNotEmptyInSandboxException;
import dev.stacyvm.worker.error.ExceedsHostCapacityException;
import dev.stacyvm.worker.error.InvalidRequestException;
import dev.stacyvm.worker.error.NoSuchProcessException;
import dev.stacyvm.worker.error.NotPermittedInSandboxException;
import dev.stacyvm.worker.error.ProtectedProcessException;
import dev.stacyvm.worker.error.ProviderFailureException;
import dev.stacyvm.worker.error.RuntimeNotFoundException;
import dev.stacyvm.worker.error.RuntimeNotRunningException;
import dev.stacyvm.worker.error.SandboxDiskFullException;
import dev.stacyvm.worker.error.SandboxFileNotFoundException;
import dev.stacyvm.worker.error.SandboxOperationException;
import dev.stacyvm.worker.error.WorkerUnavailableException;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each kind of sandbox failure answers the status and code docs/api.md gives it, with its message as it is. */
class SandboxOperationExceptionMapperTest {

    private final SandboxOperationExceptionMapper mapper = new SandboxOperationExceptionMapper();

    @Test
    void everyKindAnswersItsDocumentedCodeAndItsOwnMessage() {
        Map<SandboxOperationException, String> expected = Map.ofEntries(
                Map.entry(new InvalidRequestException("path must be absolute"), "400 bad_request"),
                Map.entry(new RuntimeNotFoundException("sb-1"), "404 not_found"),
                Map.entry(new SandboxFileNotFoundException("/workspace/x"), "404 not_found"),
                Map.entry(new NoSuchProcessException(42, "sb-1"), "404 not_found"),
                Map.entry(new RuntimeNotRunningException("sb-1"), "409 conflict"),
                Map.entry(new DirectoryNotEmptyInSandboxException("/workspace/d"), "409 conflict"),
                Map.entry(new ProtectedProcessException("process 1 is the sandbox's init"), "409 protected_process"),
                Map.entry(new NotPermittedInSandboxException("may not signal process 1"), "403 forbidden"),
                Map.entry(new ExceedsHostCapacityException("pids_limit 99999 is more than this host allows"),
                        "422 exceeds_host_capacity"),
                Map.entry(new SandboxDiskFullException("the sandbox's disk is full"), "507 disk_full"),
                Map.entry(new WorkerUnavailableException("worker is shutting down"), "503 unavailable"),
                Map.entry(new ProviderFailureException("docker could not start the sandbox"), "500 provider_error"));
        expected.forEach((failure, answer) -> {
            Response response = mapper.toResponse(failure);
            ApiError error = (ApiError) response.getEntity();
            assertEquals(answer, response.getStatus() + " " + error.code(), failure.getClass().getSimpleName());
            assertEquals(failure.getMessage(), error.message());
        });
    }

    @Test
    void theMessagesNameWhatWasMissing() {
        assertEquals("sandbox runtime not found: sb-1", new RuntimeNotFoundException("sb-1").getMessage());
        assertEquals("sandbox sb-1 is not running", new RuntimeNotRunningException("sb-1").getMessage());
        assertEquals("no process 7 in sandbox sb-1", new NoSuchProcessException(7, "sb-1").getMessage());
        assertEquals("no such file or directory: /x", new SandboxFileNotFoundException("/x").getMessage());
    }
}
