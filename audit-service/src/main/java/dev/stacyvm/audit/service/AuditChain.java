package dev.stacyvm.audit.service;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The hash of one audit record over the previous record's hash and every stored field, each
 * length-prefixed so that no two different records can produce the same input: plain SHA-256 for
 * records written before the chain was keyed ({@link #hash}), HMAC-SHA256 with the chain key for
 * every record after ({@link #keyed}), which nobody without the key can recompute.
 */
public final class AuditChain {

    private AuditChain() {
    }

    /** The plain SHA-256 hash (records up to the chain's {@code keyed_since}), 64 hex digits. */
    public static String hash(String previousHash, Object... fields) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(encode(previousHash, fields)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The keyed hash: HMAC-SHA256 with {@code key} over the same input as {@link #hash}, 64 hex digits. */
    public static String keyed(byte[] key, String previousHash, Object... fields) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(encode(previousHash, fields)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] encode(String previousHash, Object... fields) {
        ByteArrayOutputStream input = new ByteArrayOutputStream();
        update(input, previousHash);
        for (Object field : fields) {
            update(input, field == null ? null : field instanceof Instant instant ? instant.toString() : field.toString());
        }
        return input.toByteArray();
    }

    private static void update(ByteArrayOutputStream input, String value) {
        if (value == null) {
            input.write(0);
            return;
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        input.write(1);
        input.writeBytes(HexFormat.of().formatHex(intBytes(bytes.length)).getBytes(StandardCharsets.US_ASCII));
        input.writeBytes(bytes);
    }

    private static byte[] intBytes(int value) {
        return new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
    }
}
