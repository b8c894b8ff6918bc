package dev.stacyvm.scheduler.service;

import dev.stacyvm.contract.api.NetworkPolicy;
import dev.stacyvm.contract.api.SandboxState;
import dev.stacyvm.contract.api.SandboxView;
import dev.stacyvm.scheduler.Sandbox;
import dev.stacyvm.scheduler.config.SchedulerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns a record into what the API shows, with the preview URL of each declared port.
 * {@code preview_domain} carries the router's port when it is not the scheme's default
 * ({@code localhost:7480}): StacyVM's SDKs build {@code http://{port}-{id}.{preview_domain}}, which
 * then reaches the router.
 */
@ApplicationScoped
public class SandboxViews {

    @Inject
    SchedulerConfig config;

    /** A bridge sandbox without a stored policy (created before policies) runs with open egress. */
    private static NetworkPolicy effective(NetworkPolicy stored) {
        return stored == null ? NetworkPolicy.OPEN : stored;
    }

    public SandboxView view(Sandbox sandbox) {
        Map<String, String> previewUrls = new LinkedHashMap<>();
        int defaultPort = config.previewScheme().equals("https") ? 443 : 80;
        String portSuffix = config.previewPort() == defaultPort ? "" : ":" + config.previewPort();
        for (Integer port : sandbox.ports) {
            previewUrls.put(String.valueOf(port),
                    config.previewScheme() + "://" + port + "-" + sandbox.id + "." + config.previewDomain() + portSuffix);
        }
        return new SandboxView(sandbox.id, sandbox.state.wireName(), sandbox.provider, sandbox.image,
                sandbox.imageDigest, sandbox.memoryMb, sandbox.vcpus, sandbox.createdAt, sandbox.expiresAt, sandbox.metadata,
                config.previewDomain() + portSuffix, sandbox.ownerId, sandbox.workerId, previewUrls, sandbox.publicPreview, sandbox.error,
                sandbox.diskMb == 0 ? null : sandbox.diskMb, sandbox.network,
                "bridge".equals(sandbox.network) ? effective(sandbox.networkPolicy) : null, null, null,
                sandbox.state == SandboxState.CREATING ? sandbox.progress : null, sandbox.runtime, sandbox.certified);
    }
}
