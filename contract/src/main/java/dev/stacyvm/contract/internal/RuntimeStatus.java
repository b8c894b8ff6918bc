package dev.stacyvm.contract.internal;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * A runtime as its worker finds it now: which sandbox it belongs to, whether it runs, and the
 * provider's own word for its state (Docker's {@code running}, {@code exited}, ...). The scheduler
 * reconciles its records against these.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record RuntimeStatus(String sandboxId, String runtimeId, boolean running, String state) {
}
