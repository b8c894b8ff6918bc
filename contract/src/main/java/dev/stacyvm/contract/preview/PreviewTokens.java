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
 * {@code base64url(sandbox|port|expiry)} and an HMAC-SHA256 of it, so it cannot be moved to another
 * sandbox or port, or prolonged, without the secret.
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

    public String issue(String sandboxId, int port, Instant expiresAt) {
        String claims = ENCODER.encodeToString((sandboxId + "|" + port + "|" + expiresAt.getEpochSecond())
                .getBytes(StandardCharsets.UTF_8));
        return claims + "." + ENCODER.encodeToString(mac(claims));
    }

    /** Why the token does not open this preview now, or empty when it does. */
    public Optional<String> refusal(String token, String sandboxId, int port, Instant now) {
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
        if (!MessageDigest.isEqual(signature, mac(claims)) || fields.length != 3) {
            return Optional.of("the preview token is not valid");
        }
        if (!fields[0].equals(sandboxId) || !fields[1].equals(String.valueOf(port))) {
            return Optional.of("the preview token is for another preview");
        }
        if (Long.parseLong(fields[2]) <= now.getEpochSecond()) {
            return Optional.of("the preview token has expired");
        }
        return Optional.empty();
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
