package dev.stacyvm.support.auth;

import io.smallrye.config.ConfigMapping;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The credentials services present to each other on internal HTTP routes. The control plane
 * (gateway, scheduler) shares the service token; a worker holds only the token's SHA-256 (to
 * check who calls it) and its own worker credential (to call the scheduler as itself).
 */
@ConfigMapping(prefix = "stacyvm.service")
public interface ServiceCredential {

    /** Header of the control plane's service token. */
    String HEADER = "X-Service-Token";
    /** Header of a worker's own credential. */
    String WORKER_HEADER = "X-Worker-Credential";

    /**
     * The control plane's token, sent in {@value #HEADER} on every internal call; `./stacyvm up`
     * generates one. Workers are not given it.
     */
    Optional<String> token();

    /**
     * The lower-case hex SHA-256 of the service token, for a service that checks callers but never
     * calls the control plane itself (a worker). When absent, the hash of {@link #token()} is used.
     */
    Optional<String> tokenSha256();

    /** This worker's own credential, sent in {@value #WORKER_HEADER} to the scheduler. */
    Optional<String> workerCredential();

    /** Whether {@code presented} is the service token; compared as hashes, in constant time. */
    default boolean isServiceToken(String presented) {
        Optional<String> expected = tokenSha256().map(String::trim).filter(hash -> !hash.isEmpty())
                .or(() -> token().filter(token -> !token.isEmpty()).map(ServiceCredential::sha256));
        if (presented == null || presented.isEmpty() || expected.isEmpty()) {
            return false;
        }
        return MessageDigest.isEqual(sha256(presented).getBytes(StandardCharsets.US_ASCII),
                expected.get().toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
    }

    /** Lower-case hex SHA-256 of a secret's UTF-8 bytes: the only form in which credentials are stored. */
    static String sha256(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
