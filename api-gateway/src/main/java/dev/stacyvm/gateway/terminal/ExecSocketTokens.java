package dev.stacyvm.gateway.terminal;

import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.gateway.auth.Caller;
import dev.stacyvm.gateway.auth.Role;
import dev.stacyvm.gateway.service.ApiKeys;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Short-lived, single-use tokens that open one sandbox's exec WebSocket as the caller who made
 * them: a browser cannot set headers on a WebSocket, so it asks for a token with its key
 * ({@code POST /api/v1/sandboxes/{id}/exec/ws/token}) and opens
 * {@code /api/v1/sandboxes/{id}/exec/ws?token=...}. Stored in the database (only their SHA-256),
 * so any gateway redeems them; redeeming deletes the token, and the key it came from must still be
 * live then.
 */
@ApplicationScoped
public class ExecSocketTokens {

    /** How long a token stays redeemable: long enough to open a socket, short enough to leak little. */
    public static final Duration LIFETIME = Duration.ofSeconds(60);

    private static final SecureRandom RANDOM = new SecureRandom();

    @Inject
    ApiKeys apiKeys;

    /** A token made, and when it stops being redeemable. */
    public record Grant(String token, Instant expiresAt) {
    }

    /**
     * Makes a token that opens {@code sandboxId}'s exec WebSocket as {@code caller}, for
     * {@link #LIFETIME}; {@code apiKeyId} and {@code credentialExpiresAt} are the making
     * credential's stored key and expiry (either null), which the socket opened with it inherits.
     */
    public Grant mint(Caller caller, String apiKeyId, Instant credentialExpiresAt, String sandboxId) {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String token = "est_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        Instant expires = Instant.now().plus(LIFETIME);
        QuarkusTransaction.requiringNew().run(() -> {
            ExecSocketToken.delete("expiresAt < ?1", Instant.now());
            ExecSocketToken row = new ExecSocketToken();
            row.tokenSha256 = sha256(token);
            row.sandboxId = sandboxId;
            row.tenant = caller.tenant();
            row.keyName = caller.keyName();
            row.ownerKey = caller.key();
            row.role = caller.role().wireName();
            row.userId = caller.userId();
            row.apiKeyId = apiKeyId;
            row.credentialExpiresAt = credentialExpiresAt;
            row.expiresAt = expires;
            row.persist();
        });
        return new Grant(token, expires);
    }

    /**
     * What a redeemed token stands for: its caller, the stored API key that made it (null for the
     * bootstrap key and bearer tokens), whose revocation ends the socket opened with it, and when
     * the credential that made it expires (a bearer token; else null), which ends the socket too.
     */
    public record Redeemed(Caller caller, String apiKeyId, Instant validUntil) {
    }

    /**
     * Redeems a token for the sandbox it was made for: the caller it stands for, once.
     *
     * @throws ApiException {@code unauthorized} for a token that is unknown, used, expired, made for
     *                      another sandbox, or whose key was revoked (whose bearer token expired) since
     */
    public Redeemed redeem(String token, String sandboxId) {
        if (token == null || token.isEmpty() || token.length() > 128) {
            throw refused();
        }
        ExecSocketToken row = QuarkusTransaction.requiringNew().call(() -> {
            ExecSocketToken found = ExecSocketToken.findById(sha256(token), LockModeType.PESSIMISTIC_WRITE);
            if (found != null) {
                found.delete();
            }
            return found;
        });
        if (row == null || row.expiresAt.isBefore(Instant.now()) || !row.sandboxId.equals(sandboxId)
                || (row.credentialExpiresAt != null && !row.credentialExpiresAt.isAfter(Instant.now()))
                || (row.apiKeyId != null && !apiKeys.isLive(row.apiKeyId))) {
            throw refused();
        }
        return new Redeemed(new Caller(row.tenant, row.keyName, row.ownerKey, Role.fromWireName(row.role), row.userId),
                row.apiKeyId, row.credentialExpiresAt);
    }

    private static ApiException refused() {
        return new ApiException(ErrorCode.UNAUTHORIZED, "exec socket token unknown, used, expired or not for this sandbox");
    }

    private static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
