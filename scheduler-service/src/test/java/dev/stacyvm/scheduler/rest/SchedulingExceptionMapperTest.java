package dev.stacyvm.scheduler.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.stacyvm.contract.api.ApiError;
import dev.stacyvm.scheduler.error.CapacityExhaustedException;
import dev.stacyvm.scheduler.error.CredentialNotFoundException;
import dev.stacyvm.scheduler.error.ExceedsHostCapacityException;
import dev.stacyvm.scheduler.error.InvalidRequestException;
import dev.stacyvm.scheduler.error.ProviderFailureException;
import dev.stacyvm.scheduler.error.QuotaExceededException;
import dev.stacyvm.scheduler.error.SandboxNotFoundException;
import dev.stacyvm.scheduler.error.SchedulingException;
import dev.stacyvm.scheduler.error.StateConflictException;
import dev.stacyvm.scheduler.error.WorkerNotFoundException;
import dev.stacyvm.scheduler.error.WorkerUnavailableException;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each kind of scheduling failure answers its documented code, its message, and Retry-After where it gives one. */
class SchedulingExceptionMapperTest {

    private final SchedulingExceptionMapper mapper = new SchedulingExceptionMapper();

    @Test
    void everyKindAnswersItsDocumentedCode() {
        Map<SchedulingException, String> expected = Map.ofEntries(
                Map.entry(new InvalidRequestException("worker id is required"), "400 bad_request"),
                Map.entry(new SandboxNotFoundException("sb-1"), "404 not_found"),
                Map.entry(new WorkerNotFoundException("w-1"), "404 not_found"),
                Map.entry(new CredentialNotFoundException("w-1", "wcr_1"), "404 not_found"),
                Map.entry(new StateConflictException("sandbox sb-1 is destroyed and cannot become running"), "409 conflict"),
                Map.entry(new WorkerUnavailableException("no worker is available to run sandboxes", 5L), "503 unavailable"),
                Map.entry(new ExceedsHostCapacityException("memory_mb 99999 is more than any host has"),
                        "422 exceeds_host_capacity"),
                Map.entry(new CapacityExhaustedException("no worker has room now", 10L), "429 capacity_exhausted"),
                Map.entry(new QuotaExceededException("max_sandboxes (2) reached", 10L), "429 resource_limit"),
                Map.entry(new ProviderFailureException("the worker failed to start the sandbox"), "500 provider_error"));
        expected.forEach((failure, answer) -> {
            Response response = mapper.toResponse(failure);
            assertEquals(answer, response.getStatus() + " " + ((ApiError) response.getEntity()).code(),
                    failure.getClass().getSimpleName());
            assertEquals(failure.getMessage(), ((ApiError) response.getEntity()).message());
        });
    }

    @Test
    void retryAfterIsSentOnlyWhenWaitingCouldHelp() {
        assertEquals("10", mapper.toResponse(new QuotaExceededException("max_sandboxes (2) reached", 10L))
                .getHeaderString("Retry-After"));
        assertNull(mapper.toResponse(new QuotaExceededException("could never fit", null)).getHeaderString("Retry-After"));
        assertNull(mapper.toResponse(new ExceedsHostCapacityException("too large")).getHeaderString("Retry-After"));
    }
}
