package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * A sandbox's preview generation (scheduler internal routes): preview tokens carry the generation
 * they were issued in, and the preview-router refuses tokens of an earlier generation than the
 * sandbox's current one, so moving it on revokes every token and cookie issued before.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record PreviewGeneration(String sandboxId, long generation) {
}
