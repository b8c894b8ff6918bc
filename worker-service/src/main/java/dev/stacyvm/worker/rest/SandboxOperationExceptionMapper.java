package dev.stacyvm.worker.rest;

import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.support.error.ErrorResponses;
import dev.stacyvm.worker.error.BackgroundLimitException;
import dev.stacyvm.worker.error.DirectoryNotEmptyInSandboxException;
import dev.stacyvm.worker.error.ExceedsHostCapacityException;
import dev.stacyvm.worker.error.ImageInUseException;
import dev.stacyvm.worker.error.ImageNotFoundException;
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
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/**
 * The one place a sandbox operation's failure becomes an error answer ({@code ErrorCode}'s status
 * and typed body, docs/api.md): the switch is over the sealed kinds, so a new kind does not
 * compile until it is mapped here.
 */
@Provider
public class SandboxOperationExceptionMapper implements ExceptionMapper<SandboxOperationException> {

    @Override
    public Response toResponse(SandboxOperationException failure) {
        return ErrorResponses.of(codeOf(failure), failure.getMessage());
    }

    /** The error code each kind of failure answers. */
    static ErrorCode codeOf(SandboxOperationException failure) {
        return switch (failure) {
            case InvalidRequestException refused -> ErrorCode.BAD_REQUEST;
            case RuntimeNotFoundException missing -> ErrorCode.NOT_FOUND;
            case SandboxFileNotFoundException missing -> ErrorCode.NOT_FOUND;
            case NoSuchProcessException missing -> ErrorCode.NOT_FOUND;
            case RuntimeNotRunningException stopped -> ErrorCode.CONFLICT;
            case DirectoryNotEmptyInSandboxException notEmpty -> ErrorCode.CONFLICT;
            case ImageInUseException inUse -> ErrorCode.CONFLICT;
            case ImageNotFoundException missing -> ErrorCode.NOT_FOUND;
            case NotPermittedInSandboxException denied -> ErrorCode.FORBIDDEN;
            case ProtectedProcessException protectedProcess -> ErrorCode.PROTECTED_PROCESS;
            case ExceedsHostCapacityException tooLarge -> ErrorCode.EXCEEDS_HOST_CAPACITY;
            case SandboxDiskFullException full -> ErrorCode.DISK_FULL;
            case WorkerUnavailableException unavailable -> ErrorCode.UNAVAILABLE;
            case ProviderFailureException failed -> ErrorCode.PROVIDER_ERROR;
            case BackgroundLimitException limit -> ErrorCode.RESOURCE_LIMIT;
        };
    }
}
