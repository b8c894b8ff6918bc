package dev.stacyvm.contract.internal;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.Map;

/**
 * A worker's answer about a runtime it started: the provider's id for it (a container id on
 * Docker), the host ports its preview ports were published on, keyed by sandbox port, and the
 * address those host ports listen on ({@code preview_host}), and the digest of the image it runs
 * ({@code image_digest}: the registry's manifest digest, or the image id of one built on the worker).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record RuntimeHandle(String sandboxId, String runtimeId, String workerId, Map<Integer, Integer> publishedPorts,
                            String previewHost, String imageDigest) {
}
