package dev.stacyvm.contract.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * {@code GET /pool/status}: StacyVM's answer with its pool mode (many end users sharing one VM)
 * off, which is the only mode here, since every sandbox is its own container (StacyVM's SDKs read
 * {@code enabled}); plus the warm pools of ready containers the workers keep, per worker for
 * operators and administrators.
 *
 * @param enabled     always {@code false}: no VM is shared between end users
 * @param warmReady   ready warm containers over every reachable worker
 * @param warmTarget  how many the workers keep ready, over every reachable worker
 * @param workers     each worker's pools; operators and administrators only, else left out
 */
@Schema(description = "GET /api/v1/pool/status: StacyVM's pool mode (end users sharing one VM) is off, the only mode "
        + "here; plus the workers' warm pools of ready containers.")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PoolStatus(
        @Schema(description = "Always false: every sandbox is its own container.", examples = "false")
        boolean enabled,
        @Schema(description = "Ready warm containers over every reachable worker.", examples = "2")
        Integer warmReady,
        @Schema(description = "How many warm containers the reachable workers keep ready.", examples = "2")
        Integer warmTarget,
        @Schema(description = "Each worker's warm pools; operators and administrators only.")
        List<WorkerPools> workers) {

    /** StacyVM's answer alone. */
    public PoolStatus(boolean enabled) {
        this(enabled, null, null, null);
    }

    /**
     * One worker's warm pools, as it reports them ({@code reachable: false} and no pools when it did
     * not answer in time).
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record WorkerPools(
            @Schema(examples = "worker-1") String workerId,
            @Schema(description = "Whether the worker answered.") boolean reachable,
            @Schema(description = "One per image it keeps ready containers of.") List<WarmPool> pools) {
    }

    /** One warm pool: its image and shape, how many it keeps and has ready, its hits and misses. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record WarmPool(
            @Schema(examples = "stacyvm/base:bookworm") String image,
            @Schema(examples = "512") int memoryMb,
            @Schema(examples = "1") int vcpus,
            @Schema(description = "Ready containers it keeps.", examples = "2") int target,
            @Schema(description = "Ready containers now.", examples = "2") int ready,
            @Schema(description = "Creates served from it (hits) since the worker started.", examples = "14") long claimed,
            @Schema(description = "Creates that found it empty (misses) since the worker started.", examples = "1") long missed) {
    }
}
