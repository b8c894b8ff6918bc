package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/** The body of {@code POST /api/v1/sandboxes/{id}/files/move}. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record MoveRequest(String oldPath, String newPath) {
}
