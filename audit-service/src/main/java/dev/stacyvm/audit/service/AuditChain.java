package dev.stacyvm.audit.service;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

/**
 * The hash of one audit record: SHA-256 over the previous record's hash and every stored field,
 * each length-prefixed so that no two different records can produce the same input.
 */
public final class AuditChain {

    private AuditChain() {
    }

    public static String hash(String previousHash, Object... fields) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            update(digest, previousHash);
            for (Object field : fields) {
                update(digest, field == null ? null : field instanceof Instant instant ? instant.toString() : field.toString());
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void update(MessageDigest digest, String value) {
        if (value == null) {
            digest.update((byte) 0);
            return;
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        digest.update((byte) 1);
        digest.update(HexFormat.of().formatHex(intBytes(bytes.length)).getBytes(StandardCharsets.US_ASCII));
        digest.update(bytes);
    }

    private static byte[] intBytes(int value) {
        return new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
    }
}
