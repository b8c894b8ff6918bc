package dev.stacyvm.gateway.auth;

import java.io.IOException;

/**
 * Thrown by a streamed response whose credential was revoked or expired while it ran
 * ({@link CredentialSessions}): the response is cut, which its client sees as a stream without its
 * end. Expected, so it is answered {@code unauthorized} (when nothing was sent yet) and never
 * logged as an incident.
 */
public final class CredentialEndedException extends IOException {

    public CredentialEndedException(String message) {
        super(message);
    }
}
