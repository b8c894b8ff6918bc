package dev.stacyvm.support.auth;

import java.util.Optional;

/**
 * Knows the workers' credentials (the scheduler holds their hashes). A service with
 * {@link CalledByWorker} routes provides one bean of this type; without it such routes are refused.
 */
public interface WorkerCredentialVerifier {

    /**
     * The worker id a credential is bound to, or empty when the credential is unknown or revoked.
     *
     * @param presented the credential exactly as the caller sent it, never null
     */
    Optional<String> workerIdOf(String presented);
}
