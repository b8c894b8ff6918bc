package dev.stacyvm.contract.api;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The body of {@code POST /api/v1/sandboxes/{id}/files/chmod} (StacyVM's REST API); {@code mode} is octal. */
@Schema(description = "The body of POST /api/v1/sandboxes/{id}/files/chmod (StacyVM's REST API): sets the "
        + "permission bits of a file or directory, as the sandbox's user.")
public record ChmodRequest(
        @Schema(description = "Required: an absolute path inside the sandbox without a .. component.",
                examples = "/workspace/run.sh")
        String path,
        @Schema(description = "Required: the permission bits in octal, \"755\" or \"0755\".", examples = "0755")
        String mode) {
}
