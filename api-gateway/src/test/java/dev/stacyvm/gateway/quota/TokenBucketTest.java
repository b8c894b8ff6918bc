package dev.stacyvm.gateway.quota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TokenBucketTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void aFullBucketLetsAMinutesWorthThroughThenRefuses() {
        TokenBucket bucket = new TokenBucket(6, 0);
        for (int remaining = 5; remaining >= 0; remaining--) {
            TokenBucket.Take take = bucket.take(0);
            assertTrue(take.allowed());
            assertEquals(remaining, take.remaining());
        }
        TokenBucket.Take refused = bucket.take(0);
        assertFalse(refused.allowed());
        assertEquals(10, refused.retryAfterSeconds(), "six a minute is one every ten seconds");
    }

    @Test
    void tokensComeBackAtTheSteadyRateAndNeverBeyondTheLimit() {
        TokenBucket bucket = new TokenBucket(60, 0);
        for (int i = 0; i < 60; i++) {
            bucket.take(0);
        }
        assertFalse(bucket.take(0).allowed());
        assertTrue(bucket.take(SECOND).allowed(), "one token a second");
        assertFalse(bucket.take(SECOND).allowed());
        assertFalse(bucket.fullAt(30 * SECOND));
        assertTrue(bucket.fullAt(61 * SECOND));
        assertEquals(59, bucket.take(3600 * SECOND).remaining(), "the bucket holds at most a minute's worth");
    }

    @Test
    void retryAfterIsAtLeastOneSecond() {
        TokenBucket bucket = new TokenBucket(1_000_000, 0);
        for (int i = 0; i < 1_000_000; i++) {
            bucket.take(0);
        }
        assertEquals(1, bucket.take(0).retryAfterSeconds());
    }
}
