package dev.stacyvm.contract.internal;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/** What one owner's live sandboxes hold right now: how many, and their memory, vCPUs and disk (MiB) in total. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record OwnerUsage(String ownerId, long sandboxes, long memoryMb, long vcpus, long diskMb) {

    /** Usage without disk (as counted before sandboxes had a disk size). */
    public OwnerUsage(String ownerId, long sandboxes, long memoryMb, long vcpus) {
        this(ownerId, sandboxes, memoryMb, vcpus, 0);
    }

    public static OwnerUsage none(String ownerId) {
        return new OwnerUsage(ownerId, 0, 0, 0);
    }
}
