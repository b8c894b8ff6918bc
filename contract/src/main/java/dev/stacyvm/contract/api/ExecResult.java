package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/** What an exec answers: {@code duration} is a Go duration string; {@code timed_out} is ours. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ExecResult(int exitCode, String stdout, String stderr, String duration, boolean timedOut) {
}
