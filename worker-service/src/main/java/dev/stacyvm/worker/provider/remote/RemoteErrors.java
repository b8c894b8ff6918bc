package dev.stacyvm.worker.provider.remote;

import dev.stacyvm.contract.remote.RemoteRuntimeProtocol.Error;
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

/**
 * The remote runtime contract's error kinds ({@link Error}, docs/remote-runtime.md) and the
 * worker's typed failures, both ways: what a remote runtime's answer means to the worker, and (for
 * a runtime written in Java over a {@link dev.stacyvm.worker.provider.SandboxProvider}, as the
 * reference implementation is) what each failure answers with its HTTP status.
 */
public final class RemoteErrors {

    private RemoteErrors() {
    }

    /**
     * The worker's failure for a remote runtime's error answer about {@code sandboxId}; an unknown
     * kind is the runtime's failure ({@code provider_error}) and keeps its message.
     *
     * @param pid the process a signal was for, when it was one (a {@code no_such_process} names it)
     */
    public static SandboxOperationException toException(Error error, String sandboxId, Integer pid) {
        String message = error.message() != null ? error.message() : error.error();
        String kind = error.error() != null ? error.error() : Error.RUNTIME_ERROR;
        return switch (kind) {
            case Error.RUNTIME_NOT_FOUND -> new RuntimeNotFoundException(sandboxId);
            case Error.RUNTIME_NOT_RUNNING -> new RuntimeNotRunningException(sandboxId);
            case Error.INVALID_REQUEST -> new InvalidRequestException(message);
            case Error.NO_SUCH_PROCESS -> pid != null ? new NoSuchProcessException(pid, sandboxId)
                    : new ProviderFailureException("the remote runtime: " + message);
            case Error.PROTECTED_PROCESS -> new ProtectedProcessException(message);
            case Error.NOT_PERMITTED -> new NotPermittedInSandboxException(message);
            case Error.EXCEEDS_HOST_CAPACITY -> new ExceedsHostCapacityException(message);
            case Error.UNAUTHORIZED -> new ProviderFailureException(
                    "the remote runtime refused this worker's credential (stacyvm.worker.remote.token)");
            default -> new ProviderFailureException("the remote runtime failed: " + message);
        };
    }

    /** The error kind a worker failure answers, for a runtime that serves the contract over a provider. */
    public static Error of(SandboxOperationException failure) {
        String kind = switch (failure) {
            case RuntimeNotFoundException missing -> Error.RUNTIME_NOT_FOUND;
            case RuntimeNotRunningException stopped -> Error.RUNTIME_NOT_RUNNING;
            case InvalidRequestException refused -> Error.INVALID_REQUEST;
            case NoSuchProcessException missing -> Error.NO_SUCH_PROCESS;
            case ProtectedProcessException protectedProcess -> Error.PROTECTED_PROCESS;
            case NotPermittedInSandboxException denied -> Error.NOT_PERMITTED;
            case ExceedsHostCapacityException tooLarge -> Error.EXCEEDS_HOST_CAPACITY;
            // the files API and builds do not cross this contract: they run as helper commands
            case SandboxFileNotFoundException missing -> Error.RUNTIME_ERROR;
            case DirectoryNotEmptyInSandboxException notEmpty -> Error.RUNTIME_ERROR;
            case SandboxDiskFullException full -> Error.RUNTIME_ERROR;
            case ImageInUseException inUse -> Error.RUNTIME_ERROR;
            case ImageNotFoundException missing -> Error.RUNTIME_ERROR;
            case BackgroundLimitException limit -> Error.RUNTIME_ERROR;
            case WorkerUnavailableException unavailable -> Error.RUNTIME_ERROR;
            case ProviderFailureException failed -> Error.RUNTIME_ERROR;
        };
        return new Error(kind, failure.getMessage());
    }

    /** The HTTP status an error kind answers with (docs/remote-runtime.md). */
    public static int status(String kind) {
        return switch (kind) {
            case Error.RUNTIME_NOT_FOUND, Error.NO_SUCH_PROCESS -> 404;
            case Error.RUNTIME_NOT_RUNNING, Error.PROTECTED_PROCESS -> 409;
            case Error.INVALID_REQUEST -> 400;
            case Error.NOT_PERMITTED -> 403;
            case Error.EXCEEDS_HOST_CAPACITY -> 422;
            case Error.UNAUTHORIZED -> 401;
            default -> 500;
        };
    }
}
