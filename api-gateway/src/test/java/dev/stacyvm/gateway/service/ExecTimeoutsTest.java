package dev.stacyvm.gateway.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.ErrorCode;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The timeout an exec runs with: asked, default, and never past the owner's maximum. */
class ExecTimeoutsTest {

    private static final Duration DEFAULT = Duration.ofSeconds(60);

    @Test
    void noTimeoutAskedIsTheDefaultCappedByTheOwnersMaximum() {
        assertEquals(DEFAULT, ExecTimeouts.of(null, DEFAULT, Duration.ofHours(1)));
        assertEquals(DEFAULT, ExecTimeouts.of(" ", DEFAULT, Duration.ofHours(1)));
        assertEquals(Duration.ofSeconds(10), ExecTimeouts.of(null, DEFAULT, Duration.ofSeconds(10)));
    }

    @Test
    void anAskedTimeoutUpToTheMaximumIsKept() {
        assertEquals(Duration.ofMinutes(90), ExecTimeouts.of("1h30m", DEFAULT, Duration.ofHours(2)));
        assertEquals(Duration.ofHours(2), ExecTimeouts.of("2h", DEFAULT, Duration.ofHours(2)));
    }

    @Test
    void aTimeoutPastTheMaximumIsAResourceLimitThatNoWaitingHelps() {
        ApiException refused = assertThrows(ApiException.class, () -> ExecTimeouts.of("2h1s", DEFAULT, Duration.ofHours(2)));
        assertEquals(ErrorCode.RESOURCE_LIMIT, refused.code());
        assertNull(refused.retryAfterSeconds());
    }

    @Test
    void aTimeoutThatIsNotAPositiveGoDurationIsABadRequest() {
        for (String bad : new String[] {"soon", "-5s", "0s", "10"}) {
            assertEquals(ErrorCode.BAD_REQUEST, assertThrows(ApiException.class, () -> ExecTimeouts.of(bad, DEFAULT,
                    Duration.ofHours(1))).code(), bad);
        }
    }
}
