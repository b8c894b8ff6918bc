package dev.stacyvm.scheduler.service;

import java.time.Duration;

/** When a failed destroy is tried again: 2 s after the first failure, doubling, never beyond a maximum. */
public final class DestroyBackoff {

    static final Duration FIRST = Duration.ofSeconds(2);

    private DestroyBackoff() {
    }

    public static Duration after(int failures, Duration max) {
        if (failures <= 1) {
            return FIRST.compareTo(max) < 0 ? FIRST : max;
        }
        int doublings = Math.min(failures - 1, 30);
        Duration wait = FIRST.multipliedBy(1L << doublings);
        return wait.compareTo(max) < 0 ? wait : max;
    }
}
