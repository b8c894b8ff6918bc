package dev.stacyvm.contract.internal;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/**
 * What a build asks the worker to make of its build sandbox ({@code POST /internal/sandboxes/{id}/commit}):
 * the sandbox's filesystem as a new image named {@code reference}, with the configuration a
 * Dockerfile's instructions gave it over {@code baseImage}'s. A null list or string keeps the base
 * image's value; {@code cmd} set without {@code entrypoint} keeps the base's entrypoint, and an
 * {@code entrypoint} set without {@code cmd} clears the base's cmd, as Docker's builder does.
 *
 * @param env          {@code NAME=value} entries set over the base image's environment, in order
 * @param exposedPorts {@code port/tcp} or {@code port/udp}
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ImageCommit(
        String reference,
        String baseImage,
        List<String> env,
        List<String> cmd,
        List<String> entrypoint,
        String workdir,
        String user,
        List<String> exposedPorts,
        Map<String, String> labels) {

    /**
     * The configuration of a build sandbox's image ({@code GET /internal/sandboxes/{id}/image-config}):
     * what a Dockerfile's steps start from.
     *
     * @param env     {@code NAME=value} entries
     * @param workdir its working directory ("" for none)
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Base(List<String> env, String workdir, String user) {
    }

    /**
     * The image a commit made.
     *
     * @param image     the reference it was tagged with
     * @param digest    the image's id ({@code sha256:...}): a committed image has no registry digest
     * @param sizeBytes the image's size in bytes, its base's layers included
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Result(String image, String digest, long sizeBytes) {
    }
}
