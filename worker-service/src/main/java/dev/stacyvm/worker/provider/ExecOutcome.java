package dev.stacyvm.worker.provider;

import java.time.Duration;

/**
 * How a command ended: its exit code, how long it ran, whether its timeout ended it, and whether
 * it was killed because the receiver of its output went away.
 */
public record ExecOutcome(int exitCode, Duration took, boolean timedOut, boolean abandoned) {
}
