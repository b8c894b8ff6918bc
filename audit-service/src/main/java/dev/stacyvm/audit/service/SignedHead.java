package dev.stacyvm.audit.service;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;

/**
 * A chain head the audit service exported outside the database: the newest record's id
 * ({@code sequence}) and hash when it was written, the id of the last record hashed without the
 * key ({@code keyed_since}), the time, and an HMAC of all four with the chain key. Someone who
 * rewrites and re-hashes the table cannot make it agree with a head already exported.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record SignedHead(long sequence, String hash, long keyedSince, Instant exportedAt, String signature) {

    /** What the signature covers, one canonical line. */
    public String text() {
        return sequence + "|" + hash + "|" + keyedSince + "|" + exportedAt.toString();
    }

    public static SignedHead sign(ChainKey key, long sequence, String hash, long keyedSince, Instant exportedAt) {
        SignedHead unsigned = new SignedHead(sequence, hash, keyedSince, exportedAt, null);
        return new SignedHead(sequence, hash, keyedSince, exportedAt, key.sign(unsigned.text()));
    }

    public boolean signedBy(ChainKey key) {
        return hash != null && exportedAt != null && key.signed(text(), signature);
    }
}
