package dev.stacyvm.contract.internal;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * How full the system is, as the scheduler sees it: live sandboxes in all, what one owner's hold
 * ({@code owner}; empty when no owner was asked for), and how many the ready workers accept in
 * all ({@code capacity}) and can still take ({@code free}). {@code key} and {@code tenant} are what
 * every owner of that owner's key and tenant hold together ({@code null} when no owner was asked for).
 * {@code host_refusal} says why no worker host could take a sandbox of the shape asked for now
 * ({@code null}: one could, or no shape was asked for).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record CapacityView(long activeSandboxes, OwnerUsage owner, long capacity, long free, OwnerUsage key,
        OwnerUsage tenant, String hostRefusal) {
}
