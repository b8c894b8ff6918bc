package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * How full the system is, as the scheduler sees it: live sandboxes in all and of one owner, and
 * how many the ready workers accept in all ({@code capacity}) and can still take ({@code free}).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record CapacityView(long activeSandboxes, long activeOwnerSandboxes, long capacity, long free) {
}
