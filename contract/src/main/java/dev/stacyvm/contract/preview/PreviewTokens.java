package dev.stacyvm.contract.preview;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Tokens that open one private preview, {@code (sandbox, port)}, until they expire: the gateway
 * issues them, the preview-router checks them, and both only need the shared secret. A token is
 * {@code base64url(sandbox|port|expiry|generation)} and an HMAC-SHA256 of it, so it cannot be moved
 * to another sandbox or port, prolonged, or carried past a revocation without the secret.
 *
 * <p>The generation is the sandbox's preview generation when the token was issued; rotating it
 * (the scheduler publishes the new generation with the sandbox's preview route) revokes every token
 * of an earlier generation. Tokens from before generations existed carry three fields and count as
 * generation 0.
 */
public final class PreviewTokens {

    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
    private static final int MAX_TOKEN_LENGTH = 512;

    private final SecretKeySpec key;

    public PreviewTokens(String secret) {
        if (secret == null || secret.length() < 16) {
            throw new IllegalArgumentException("the preview token secret must be at least 16 characters");
        }
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    }

    /** A token of generation 0, for sandboxes whose preview secret was never rotated. */
    public String issue(String sandboxId, int port, Instant expiresAt) {
        return issue(sandboxId, port, 0, expiresAt);
    }

    /**
     * A token for one port of one sandbox, valid until {@code expiresAt} (whole seconds) while the
     * sandbox's preview generation is still {@code generation}.
     */
    public String issue(String sandboxId, int port, long generation, Instant expiresAt) {
        String claims = ENCODER.encodeToString((sandboxId + "|" + port + "|" + expiresAt.getEpochSecond() + "|" + generation)
                .getBytes(StandardCharsets.UTF_8));
        return claims + "." + ENCODER.encodeToString(mac(claims));
    }

    /** Why the token does not open this preview now, or empty when it does (generation 0). */
    public Optional<String> refusal(String token, String sandboxId, int port, Instant now) {
        return refusal(token, sandboxId, port, 0, now);
    }

    /**
     * Why the token does not open this preview now, or empty when it does: it must be genuine, for
     * this sandbox and port, unexpired, and of the sandbox's current preview generation or a later
     * one (a token issued just after a rotation the router has not seen yet).
     */
    public Optional<String> refusal(String token, String sandboxId, int port, long currentGeneration, Instant now) {
        if (token == null || token.isEmpty()) {
            return Optional.of("a preview token is required");
        }
        int dot = token.indexOf('.');
        if (token.length() > MAX_TOKEN_LENGTH || dot < 1) {
            return Optional.of("the preview token is malformed");
        }
        String claims = token.substring(0, dot);
        byte[] signature;
        String[] fields;
        try {
            signature = DECODER.decode(token.substring(dot + 1));
            fields = new String(DECODER.decode(claims), StandardCharsets.UTF_8).split("\\|");
        } catch (IllegalArgumentException notBase64) {
            return Optional.of("the preview token is malformed");
        }
        if (!MessageDigest.isEqual(signature, mac(claims)) || fields.length < 3 || fields.length > 4) {
            return Optional.of("the preview token is not valid");
        }
        if (!fields[0].equals(sandboxId) || !fields[1].equals(String.valueOf(port))) {
            return Optional.of("the preview token is for another preview");
        }
        if (Long.parseLong(fields[2]) <= now.getEpochSecond()) {
            return Optional.of("the preview token has expired");
        }
        long generation = fields.length == 4 ? Long.parseLong(fields[3]) : 0;
        if (generation < currentGeneration) {
            return Optional.of("the preview token was revoked (the sandbox's preview secret was rotated)");
        }
        return Optional.empty();
    }

    /**
     * The expiry a genuine token carries, or empty for a token that is not genuine; lets a holder
     * (or a test) read how long a token lives without waiting for it to run out.
     */
    public Optional<Instant> expiry(String token) {
        if (token == null || token.length() > MAX_TOKEN_LENGTH || token.indexOf('.') < 1) {
            return Optional.empty();
        }
        int dot = token.indexOf('.');
        String claims = token.substring(0, dot);
        try {
            if (!MessageDigest.isEqual(DECODER.decode(token.substring(dot + 1)), mac(claims))) {
                return Optional.empty();
            }
            String[] fields = new String(DECODER.decode(claims), StandardCharsets.UTF_8).split("\\|");
            return Optional.of(Instant.ofEpochSecond(Long.parseLong(fields[2])));
        } catch (IllegalArgumentException malformed) {
            return Optional.empty();
        }
    }

    private byte[] mac(String claims) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(claims.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
