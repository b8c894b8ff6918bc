package dev.stacyvm.scheduler.error;

/** The worker has no credential of this id: answered {@code not_found}. */
public final class CredentialNotFoundException extends SchedulingException {

    public CredentialNotFoundException(String workerId, String credentialId) {
        super("worker " + workerId + " has no credential " + credentialId);
    }
}
