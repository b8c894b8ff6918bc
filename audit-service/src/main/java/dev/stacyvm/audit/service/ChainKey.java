package dev.stacyvm.audit.service;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The audit chain's key ({@code stacyvm.audit.chain-key}, {@code STACYVM_AUDIT_CHAIN_KEY}): held by
 * the audit service only, never stored in the database, so someone who can write the database can
 * change rows but cannot compute the hashes that would hide it. It keys every record's hash after
 * {@code keyed_since} and signs the chain heads the service exports.
 */
public final class ChainKey {

    /** Distinguishes a head signature from a record hash made with the same key. */
    private static final String HEAD_DOMAIN = "stacyvm-audit-chain-head\n";

    private final byte[] key;

    /** @throws IllegalArgumentException for a key shorter than 16 characters */
    public ChainKey(String secret) {
        if (secret == null || secret.length() < 16) {
            throw new IllegalArgumentException("the audit chain key (STACYVM_AUDIT_CHAIN_KEY) must be at least 16 characters");
        }
        this.key = secret.getBytes(StandardCharsets.UTF_8);
    }

    /** A record's keyed hash (see {@link AuditChain#keyed}). */
    public String hash(String previousHash, Object... fields) {
        return AuditChain.keyed(key, previousHash, fields);
    }

    /** The signature of a chain head's canonical text, 64 hex digits. */
    public String sign(String headText) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal((HEAD_DOMAIN + headText).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether {@code signature} is this key's signature of {@code headText} (constant time). */
    public boolean signed(String headText, String signature) {
        return signature != null && MessageDigest.isEqual(sign(headText).getBytes(StandardCharsets.US_ASCII),
                signature.getBytes(StandardCharsets.US_ASCII));
    }
}
