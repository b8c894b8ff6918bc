package dev.stacyvm.scheduler.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DestroyBackoffTest {

    private final Duration max = Duration.ofMinutes(5);

    @Test
    void theWaitDoublesFromTwoSecondsUpToTheMaximum() {
        assertEquals(Duration.ofSeconds(2), DestroyBackoff.after(1, max));
        assertEquals(Duration.ofSeconds(4), DestroyBackoff.after(2, max));
        assertEquals(Duration.ofSeconds(8), DestroyBackoff.after(3, max));
        assertEquals(Duration.ofSeconds(256), DestroyBackoff.after(8, max));
        assertEquals(max, DestroyBackoff.after(9, max));
        assertEquals(max, DestroyBackoff.after(1000, max));
    }

    @Test
    void aMaximumBelowTheFirstWaitWins() {
        assertEquals(Duration.ofSeconds(1), DestroyBackoff.after(1, Duration.ofSeconds(1)));
    }
}
