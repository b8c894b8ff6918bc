package dev.stacyvm.contract.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The body of {@code POST /environments/specs} (StacyVM's environments API, with our
 * {@code pip_index_url} and {@code network_policy}): a base image and the packages a build of it
 * installs.
 */
@Schema(description = "The body of POST /api/v1/environments/specs: a base image plus the apt and pip packages a build "
        + "of the spec installs (docs/images.md, Builds).")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record EnvironmentSpecRequest(
        @Schema(description = "StacyVM's field; a spec belongs to the caller (X-User-ID's end user when given), "
                + "whatever it says.")
        String ownerId,
        @Schema(description = "A name for the spec and the images built from it: 1 to 64 lower-case letters, digits, "
                + "'.', '_' or '-'.", examples = "data-tools")
        String name,
        @Schema(description = "The image the build starts from; the tenant's image policy applies.",
                examples = "stacyvm/base:bookworm")
        String baseImage,
        @Schema(description = "Python packages for pip (PEP 508 names with optional extras and versions).",
                examples = "[\"requests==2.32.3\"]")
        List<String> pythonPackages,
        @Schema(description = "Debian packages for apt-get (names with an optional =version).", examples = "[\"jq\"]")
        List<String> aptPackages,
        @Schema(description = "The Python version the image must have (3 or 3.11): a build of an image with another "
                + "fails, saying which it has.", examples = "3.11")
        String pythonVersion,
        @Schema(description = "The package index pip installs from (an http or https URL); left out: pip's default.",
                examples = "https://pypi.internal.example/simple")
        String pipIndexUrl,
        @Schema(description = "The egress a build of the spec has (the sandbox network_policy shape), bounded by the "
                + "tenant's; left out: the tenant's, or open egress to public addresses.")
        NetworkPolicy networkPolicy) {
}
