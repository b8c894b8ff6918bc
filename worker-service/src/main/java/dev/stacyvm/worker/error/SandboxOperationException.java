package dev.stacyvm.worker.error;

/**
 * Why a sandbox operation could not be done, as the worker's services and providers say it: one
 * type per kind of failure, none of them HTTP-shaped. The REST layer maps each kind to its error
 * code once ({@code dev.stacyvm.worker.rest.SandboxOperationExceptionMapper}). The message is
 * shown to the caller as it is, so it never carries an internal cause; no stack trace is kept,
 * since these are answers, not bugs.
 */
public abstract sealed class SandboxOperationException extends RuntimeException
        permits InvalidRequestException, RuntimeNotFoundException, RuntimeNotRunningException,
        WorkerUnavailableException, ProviderFailureException, ExceedsHostCapacityException, NoSuchProcessException,
        ProtectedProcessException, NotPermittedInSandboxException, SandboxFileNotFoundException,
        DirectoryNotEmptyInSandboxException, SandboxDiskFullException, ImageInUseException, ImageNotFoundException,
        BackgroundLimitException {

    protected SandboxOperationException(String message) {
        super(message, null, false, false);
    }
}
