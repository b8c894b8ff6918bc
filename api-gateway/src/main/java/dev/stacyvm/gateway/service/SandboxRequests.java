package dev.stacyvm.gateway.service;

import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.CreateSandboxRequest;
import dev.stacyvm.contract.api.NetworkPolicy;
import dev.stacyvm.contract.image.ImageReference;
import dev.stacyvm.contract.internal.SandboxSpec;
import dev.stacyvm.contract.time.GoDuration;
import dev.stacyvm.gateway.auth.Caller;
import dev.stacyvm.gateway.auth.UserIds;
import dev.stacyvm.gateway.config.GatewayConfig;
import dev.stacyvm.gateway.quota.OwnerQuota;
import dev.stacyvm.gateway.quota.Quotas;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Validates a create request and fills in every default: the one place that decides what a
 * create body means. Empty strings and nulls mean "the default", as StacyVM clients send them.
 */
@ApplicationScoped
public class SandboxRequests {

    static final int MAX_METADATA_ENTRIES = 64;
    static final int MAX_METADATA_KEY = 128;
    static final int MAX_METADATA_VALUE = 1024;
    static final int MAX_PORTS = 16;
    static final int MIN_MEMORY_MB = 64;
    /** The smallest disk a sandbox may have: room for a few files beside what the image holds. */
    static final int MIN_DISK_MB = 64;

    @Inject
    GatewayConfig config;

    @Inject
    Quotas quotas;

    @Inject
    NetworkPolicies networkPolicies;

    @Inject
    ImagePolicies imagePolicies;

    @Inject
    RegistryConnections registryConnections;

    @Inject
    dev.stacyvm.gateway.build.Builds builds;

    public SandboxSpec resolve(CreateSandboxRequest request, Caller caller) {
        CreateSandboxRequest body = request != null ? request
                : new CreateSandboxRequest(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
        var sandboxes = config.sandboxes();
        String image = present(body.image()) ? body.image().trim() : sandboxes.defaultImage();
        if (image.length() > 255 || !image.matches("[A-Za-z0-9][A-Za-z0-9._/:@-]*")) {
            throw ApiException.badRequest("image is not a valid image reference: \"" + body.image() + "\"");
        }
        String provider = present(body.provider()) ? body.provider() : sandboxes.defaultProvider().orElseThrow(() ->
                ApiException.badRequest("provider is required: this deployment offers only " + sandboxes.providers()));
        if (!sandboxes.providers().contains(provider)) {
            throw ApiException.badRequest("unknown provider \"" + provider + "\"; available: " + sandboxes.providers());
        }
        int memoryMb = orDefault(body.memoryMb(), sandboxes.defaultMemoryMb());
        if (memoryMb < MIN_MEMORY_MB || memoryMb > sandboxes.maxMemoryMb()) {
            throw ApiException.badRequest("memory_mb must be between " + MIN_MEMORY_MB + " and " + sandboxes.maxMemoryMb());
        }
        int vcpus = orDefault(body.vcpus(), sandboxes.defaultVcpus());
        if (vcpus < 1 || vcpus > sandboxes.maxVcpus()) {
            throw ApiException.badRequest("vcpus must be between 1 and " + sandboxes.maxVcpus());
        }
        int pidsLimit = orDefault(body.pidsLimit(), sandboxes.defaultPidsLimit());
        if (pidsLimit < 16 || pidsLimit > sandboxes.maxPidsLimit()) {
            throw ApiException.badRequest("pids_limit must be between 16 and " + sandboxes.maxPidsLimit());
        }
        int diskMb = orDefault(body.diskMb(), sandboxes.defaultDiskMb());
        if (diskMb < MIN_DISK_MB || diskMb > sandboxes.maxDiskMb()) {
            throw ApiException.badRequest("disk_mb must be between " + MIN_DISK_MB + " and " + sandboxes.maxDiskMb());
        }
        List<Integer> ports = ports(body.ports(), Boolean.TRUE.equals(body.publicPreview()));
        String network = network(body.network(), !ports.isEmpty());
        boolean mock = provider.equals(SandboxSpec.MOCK_PROVIDER);
        // a mock sandbox runs no programs, a proot or microvm one no OCI runtime: the deployment's default runtime is neither's
        boolean unnetworked = UNNETWORKED_PROVIDERS.contains(provider);
        String runtime = runtime(body.runtime(), network,
                mock || unnetworked ? SandboxSpec.DEFAULT_RUNTIME : sandboxes.defaultRuntime());
        if (mock) {
            mockRefusals(runtime, network, body);
        }
        if (unnetworked && (!network.equals("none") || !ports.isEmpty() || !runtime.equals(SandboxSpec.DEFAULT_RUNTIME)
                || Boolean.TRUE.equals(body.readOnlyRoot()))) {
            throw ApiException.badRequest("provider " + provider + " has no network, runs no OCI runtime and has no read-only root:"
                    + " use network \"none\", no ports, no public_preview, no runtime and no read_only_root");
        }
        if (provider.equals(REMOTE_PROVIDER) && !ports.isEmpty()) {
            // the preview router reaches a sandbox's ports through its worker's engine (docs/remote-runtime.md)
            throw ApiException.badRequest("provider remote has no previews: ask for no ports and no public_preview");
        }
        String userId = caller.userId() != null ? caller.userId() : UserIds.validate(blankToNull(body.ownerId()));
        // a user named in the body is, like X-User-ID, one of the caller's own end users
        Caller owner = caller.forUser(userId);
        String ownerId = owner.ownerId();
        Map<String, String> labels = workerLabels(body.workerLabels());
        if (isBuilt(image)) {
            // a build's image: the caller's own builds only (their base passed the policy), on the
            // worker that holds it
            labels = new LinkedHashMap<>(labels);
            labels.put(SandboxSpec.WORKER_LABEL, builds.workerOfImage(owner, image));
        } else {
            imagePolicies.check(owner.tenant(), image);
        }
        OwnerQuota quota = quotas.of(ownerId);
        Duration ttl = ttl(body.ttl(), quota.maxTtl());
        NetworkPolicy networkPolicy = networkPolicies.effective(network, body.networkPolicy(), owner.tenant());
        return new SandboxSpec(ownerId, image, provider, memoryMb, vcpus, ttl.toSeconds(), metadata(body.metadata()),
                env(body.env()), network, ports, Boolean.TRUE.equals(body.publicPreview()), pidsLimit, quota.limits(),
                labels, quotas.ofKey(owner.keyId()).limits(),
                quotas.ofTenant(owner.tenant()).limits(), false, Boolean.TRUE.equals(body.readOnlyRoot()), diskMb,
                networkPolicy, registryConnections.credentialFor(owner.tenant(), image),
                pullPolicy(body.pullPolicy()), false, runtime);
    }

    /**
     * The OCI runtime asked for, checked (docs/providers.md): {@code defaultRuntime} (the
     * deployment's, {@code STACYVM_DEFAULT_RUNTIME}) when none. gVisor (runsc) runs here on its ptrace
     * platform with its network stack off, so a runsc sandbox has no network at all: a networked
     * create under it is refused (400), never quietly given another runtime.
     */
    static String runtime(String asked, String network, String defaultRuntime) {
        boolean named = present(asked);
        String runtime = named ? asked.trim() : defaultRuntime;
        if (!SandboxSpec.RUNTIMES.contains(runtime)) {
            throw ApiException.badRequest("runtime must be one of " + SandboxSpec.RUNTIMES + ", not \"" + asked + "\"");
        }
        if (!runtime.equals(SandboxSpec.DEFAULT_RUNTIME) && !network.equals("none")) {
            throw ApiException.badRequest("runtime " + runtime + (named ? "" : " (this deployment's default)")
                    + " runs sandboxes without a network: use network \"none\" and no preview ports"
                    + (named ? "" : ", or ask for runtime \"runc\""));
        }
        return runtime;
    }

    /** The provider that drives a team's own runtime over HTTP (docs/remote-runtime.md). */
    static final String REMOTE_PROVIDER = "remote";
    /**
     * Providers whose sandboxes have no network device and run no OCI runtime (docs/providers.md):
     * proot (hosts without a container engine) and microvm (a virtual machine per sandbox).
     */
    static final java.util.Set<String> UNNETWORKED_PROVIDERS = java.util.Set.of("proot", "microvm");

    /** The mock provider runs nothing (docs/providers.md): a create that asks for what it lacks is refused whole. */
    private static void mockRefusals(String runtime, String network, CreateSandboxRequest body) {
        if (!runtime.equals(SandboxSpec.DEFAULT_RUNTIME)) {
            throw ApiException.badRequest("provider mock runs no programs, so it takes no runtime");
        }
        if (!network.equals("none") || (body.ports() != null && !body.ports().isEmpty())
                || Boolean.TRUE.equals(body.publicPreview())) {
            throw ApiException.badRequest("provider mock has no network: use network \"none\", no ports and no "
                    + "public_preview");
        }
    }

    /** Whether the reference names a build's image ({@code stacyvm.invalid/...}). */
    static boolean isBuilt(String image) {
        try {
            return ImageReference.parse(image).built();
        } catch (IllegalArgumentException malformed) {
            return false; // refused as malformed where it is pulled
        }
    }

    /** The pull policies a create or template may name (docs/images.md). */
    static final List<String> PULL_POLICIES = List.of("if-not-present", "always", "never");

    /** The pull policy asked for, checked; null when none (the worker's own applies). */
    private static String pullPolicy(String asked) {
        if (!present(asked)) {
            return null;
        }
        String policy = asked.trim();
        if (!PULL_POLICIES.contains(policy)) {
            throw ApiException.badRequest("pull_policy must be one of " + PULL_POLICIES + ", not \"" + asked + "\"");
        }
        return policy;
    }

    /** The requested TTL (the default when none), capped by the owner's maximum. */
    private Duration ttl(String text, Duration max) {
        Duration ttl = config.sandboxes().defaultTtl();
        if (present(text)) {
            ttl = GoDuration.parsePositiveField("ttl", text);
            if (ttl.compareTo(Duration.ofSeconds(1)) < 0) {
                throw ApiException.badRequest("ttl must be at least 1s");
            }
        }
        return ttl.compareTo(max) > 0 ? max : ttl;
    }

    private static List<Integer> ports(List<Integer> ports, boolean publicPreview) {
        if (ports == null || ports.isEmpty()) {
            return publicPreview ? List.of(3000) : List.of();
        }
        if (ports.size() > MAX_PORTS) {
            throw ApiException.badRequest("at most " + MAX_PORTS + " preview ports");
        }
        for (Integer port : ports) {
            if (port == null || port < 1 || port > 65535) {
                throw ApiException.badRequest("ports must be between 1 and 65535");
            }
        }
        return ports.stream().distinct().toList();
    }

    private static String network(String network, boolean hasPorts) {
        if (!present(network)) {
            return hasPorts ? "bridge" : "none";
        }
        if (!network.equals("none") && !network.equals("bridge")) {
            throw ApiException.badRequest("network must be \"none\" or \"bridge\"");
        }
        if (network.equals("none") && hasPorts) {
            throw ApiException.badRequest("preview ports need a network; use \"bridge\" or leave network empty");
        }
        return network;
    }

    private static Map<String, String> metadata(Map<String, String> metadata) {
        if (metadata == null) {
            return Map.of();
        }
        if (metadata.size() > MAX_METADATA_ENTRIES) {
            throw ApiException.badRequest("at most " + MAX_METADATA_ENTRIES + " metadata entries");
        }
        Map<String, String> copy = new LinkedHashMap<>();
        metadata.forEach((key, value) -> {
            if (key.equals(SandboxSpec.BUILD_METADATA)) {
                throw ApiException.badRequest("metadata may not set " + SandboxSpec.BUILD_METADATA
                        + ": it marks a build's sandbox");
            }
            if (key.isEmpty() || key.length() > MAX_METADATA_KEY) {
                throw ApiException.badRequest("metadata keys must be 1 to " + MAX_METADATA_KEY + " characters");
            }
            if (value != null && value.length() > MAX_METADATA_VALUE) {
                throw ApiException.badRequest("metadata values must be at most " + MAX_METADATA_VALUE + " characters");
            }
            copy.put(key, value == null ? "" : value);
        });
        return copy;
    }

    private static Map<String, String> env(Map<String, String> env) {
        if (env == null) {
            return Map.of();
        }
        env.forEach((name, value) -> {
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw ApiException.badRequest("invalid environment variable name: \"" + name + "\"");
            }
            if (value != null && value.indexOf('\0') >= 0) {
                throw ApiException.badRequest("environment values may not contain NUL bytes");
            }
        });
        return env;
    }

    private static Map<String, String> workerLabels(Map<String, String> labels) {
        if (labels == null) {
            return Map.of();
        }
        if (labels.size() > MAX_METADATA_ENTRIES) {
            throw ApiException.badRequest("at most " + MAX_METADATA_ENTRIES + " worker_labels");
        }
        labels.forEach((key, value) -> {
            if (key.isEmpty() || key.length() > MAX_METADATA_KEY || value == null || value.length() > MAX_METADATA_VALUE) {
                throw ApiException.badRequest("worker_labels need keys of 1 to " + MAX_METADATA_KEY + " characters and values");
            }
            if (key.equals(SandboxSpec.WORKER_LABEL)) {
                // placement on one named worker is the gateway's own, for a build's image
                throw ApiException.badRequest("worker_labels may not name " + SandboxSpec.WORKER_LABEL
                        + ": it is reserved for placing a build's image");
            }
        });
        return labels;
    }

    private static int orDefault(Integer value, int fallback) {
        return value == null || value == 0 ? fallback : value;
    }

    private static boolean present(String value) {
        return value != null && !value.isBlank();
    }

    private static String blankToNull(String value) {
        return present(value) ? value : null;
    }
}
