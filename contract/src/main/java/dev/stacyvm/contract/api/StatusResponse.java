package dev.stacyvm.contract.api;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** StacyVM's one-word answers: {@code {"status":"destroyed"}}, {@code {"status":"written"}}, ... */
@Schema(description = "StacyVM's short answer to an action that has nothing else to show, such as "
        + "{\"status\":\"destroyed\"}.")
public record StatusResponse(
        @Schema(description = "What was done, as the route says: destroyed, written, deleted, moved, chmod applied, "
                + "extracted or revoked.", examples = "destroyed")
        String status) {

    /** The answer to a destroy, the same when the sandbox was destroyed already. */
    public static final StatusResponse DESTROYED = new StatusResponse("destroyed");
}
