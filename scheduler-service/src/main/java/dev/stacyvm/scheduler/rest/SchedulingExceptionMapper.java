package dev.stacyvm.scheduler.rest;

import dev.stacyvm.contract.api.ErrorCode;
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
import dev.stacyvm.support.error.ErrorResponses;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/**
 * The one place a scheduling failure becomes an error answer ({@code ErrorCode}'s status and
 * typed body, with Retry-After where the failure gives one): the switch is over the sealed kinds,
 * so a new kind does not compile until it is mapped here.
 */
@Provider
public class SchedulingExceptionMapper implements ExceptionMapper<SchedulingException> {

    @Override
    public Response toResponse(SchedulingException failure) {
        return ErrorResponses.of(codeOf(failure), failure.getMessage(), failure.retryAfterSeconds());
    }

    /** The error code each kind of failure answers. */
    static ErrorCode codeOf(SchedulingException failure) {
        return switch (failure) {
            case InvalidRequestException refused -> ErrorCode.BAD_REQUEST;
            case SandboxNotFoundException missing -> ErrorCode.NOT_FOUND;
            case WorkerNotFoundException missing -> ErrorCode.NOT_FOUND;
            case CredentialNotFoundException missing -> ErrorCode.NOT_FOUND;
            case StateConflictException conflict -> ErrorCode.CONFLICT;
            case WorkerUnavailableException unavailable -> ErrorCode.UNAVAILABLE;
            case ExceedsHostCapacityException tooLarge -> ErrorCode.EXCEEDS_HOST_CAPACITY;
            case CapacityExhaustedException full -> ErrorCode.CAPACITY_EXHAUSTED;
            case QuotaExceededException overQuota -> ErrorCode.RESOURCE_LIMIT;
            case ProviderFailureException failed -> ErrorCode.PROVIDER_ERROR;
        };
    }
}
