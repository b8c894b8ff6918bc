package dev.stacyvm.contract.internal;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * One warm pool of a worker: the shape of its containers, how many it keeps ready ({@code target})
 * and holds now ({@code ready}), and since the worker started, how many creates claimed one
 * ({@code claimed}) and how many matching creates found it empty and started cold ({@code missed}).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record WarmPoolStatus(String image, int memoryMb, int vcpus, int pidsLimit, int target, int ready,
                             long claimed, long missed) {
}
