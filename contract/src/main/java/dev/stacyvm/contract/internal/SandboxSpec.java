package dev.stacyvm.contract.internal;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.stacyvm.contract.api.NetworkPolicy;
import dev.stacyvm.contract.api.OwnerIds;
import dev.stacyvm.contract.image.RegistryCredential;
import java.util.List;
import java.util.Map;

/**
 * A create request after the gateway has authenticated, validated and filled in every default:
 * what the gateway asks the scheduler to create. {@code ttl_seconds} is already capped;
 * {@code owner_limits} are the owner's quota totals, which the scheduler enforces atomically
 * ({@code null}: none); {@code worker_labels} are labels the chosen worker must carry.
 * {@code key_limits} and {@code tenant_limits} are the totals of every owner of the owner's key
 * ({@link OwnerIds#keyIdOf}) and tenant, enforced in the same admission ({@code null}: none).
 * {@code run_as_root} is true only for a create from a template an administrator allowed to run as
 * root; {@code read_only_root} mounts the image read-only.
 * {@code disk_mb} is the size (MiB) of everything the sandbox may write, counted against the
 * {@code max_disk_mb} of each of those limits. {@code network_policy} is the effective egress policy
 * of a {@code network: "bridge"} sandbox, already bounded by its tenant's ({@code null} with no network).
 * {@code registry_credential} is the owner's tenant's credential for the image's registry, which the
 * worker pulls with; the scheduler passes it on and never stores it ({@code null}: an anonymous pull).
 * {@code pull_policy} ({@code if-not-present}, {@code always}, {@code never}) overrides the worker's
 * for this sandbox's image ({@code null}: the worker's). {@code builder} is true only for a build's
 * sandbox ({@link #asBuilder}). {@code runtime} is the OCI runtime that isolates it ({@link #RUNTIMES};
 * docs/providers.md): the scheduler places it only on a worker whose engine has it.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record SandboxSpec(
        String ownerId,
        String image,
        String provider,
        int memoryMb,
        int vcpus,
        long ttlSeconds,
        Map<String, String> metadata,
        Map<String, String> env,
        String network,
        List<Integer> ports,
        boolean publicPreview,
        int pidsLimit,
        OwnerLimits ownerLimits,
        Map<String, String> workerLabels,
        OwnerLimits keyLimits,
        OwnerLimits tenantLimits,
        boolean runAsRoot,
        boolean readOnlyRoot,
        int diskMb,
        NetworkPolicy networkPolicy,
        RegistryCredential registryCredential,
        String pullPolicy,
        boolean builder,
        String runtime) {

    /** The OCI runtime a sandbox gets unless it names one: runc (namespaces, cgroups, seccomp). */
    public static final String DEFAULT_RUNTIME = "runc";

    /**
     * The OCI runtimes a sandbox may name: {@code runc}, and {@code runsc} (gVisor: a kernel in user
     * space between the sandbox's processes and the host's, on its ptrace platform; network none only).
     */
    public static final java.util.List<String> RUNTIMES = java.util.List.of(DEFAULT_RUNTIME, "runsc");

    /**
     * What gVisor adds in a runsc sandbox's pids cgroup on the host: its own threads (its kernel in
     * user space and its file proxy, about 45 idle). On its ptrace platform a host process with
     * threads stands behind every process of the sandbox too (about 5.3 host pids each, measured:
     * {@link #GVISOR_HOST_PIDS_PER_PROCESS}); docs/providers.md.
     */
    public static final int GVISOR_PIDS_OVERHEAD = 128;

    /** Host pids per process of a runsc sandbox, rounded up (see {@link #GVISOR_PIDS_OVERHEAD}). */
    public static final int GVISOR_HOST_PIDS_PER_PROCESS = 6;

    /**
     * The host pids {@code sandboxes} sandboxes of one runtime whose {@code pids_limit}s add up to
     * {@code pidsLimits} may take: the limits themselves under runc, under runsc each limit times
     * {@link #GVISOR_HOST_PIDS_PER_PROCESS} plus {@link #GVISOR_PIDS_OVERHEAD} per sandbox. The
     * engine's pids limit of a sandbox, and what placement counts against a host's pids.
     */
    public static long hostPids(String runtime, long pidsLimits, long sandboxes) {
        return "runsc".equals(runtime)
                ? pidsLimits * GVISOR_HOST_PIDS_PER_PROCESS + sandboxes * GVISOR_PIDS_OVERHEAD
                : pidsLimits;
    }

    /**
     * The provider that keeps sandboxes in a worker's memory and runs no programs (docs/providers.md):
     * for demos and client tests, so never the default provider and never placed unless named.
     */
    public static final String MOCK_PROVIDER = "mock";

    /**
     * The OCI runtime {@code runtime} means: itself, or {@link #DEFAULT_RUNTIME} when it is null or
     * blank (a caller or a record that predates runtimes).
     */
    public static String runtimeOrDefault(String runtime) {
        return runtime == null || runtime.isBlank() ? DEFAULT_RUNTIME : runtime;
    }

    /**
     * The worker label every worker carries implicitly, with its own id as the value: a create that
     * names it in {@code worker_labels} is placed on that worker only (a build's image is only there).
     */
    public static final String WORKER_LABEL = "stacyvm.dev/worker";

    /** This spec run as root: only for a create from a template an administrator allowed to. */
    public SandboxSpec asRoot() {
        return new SandboxSpec(ownerId, image, provider, memoryMb, vcpus, ttlSeconds, metadata, env, network, ports,
                publicPreview, pidsLimit, ownerLimits, workerLabels, keyLimits, tenantLimits, true, readOnlyRoot, diskMb,
                networkPolicy, registryCredential, pullPolicy, builder, runtime);
    }

    /** The metadata key that marks build {@code id}'s sandbox; no client's create may set it. */
    public static final String BUILD_METADATA = "stacyvm.build";

    /**
     * This spec as build {@code buildId}'s sandbox: root with the capabilities package managers
     * need, marked with {@link #BUILD_METADATA}; never from a client's create (only the gateway's
     * builds make one).
     */
    public SandboxSpec asBuilder(String buildId) {
        Map<String, String> marked = new java.util.LinkedHashMap<>(metadata == null ? Map.of() : metadata);
        marked.put(BUILD_METADATA, buildId);
        return new SandboxSpec(ownerId, image, provider, memoryMb, vcpus, ttlSeconds, marked, env, network, ports,
                publicPreview, pidsLimit, ownerLimits, workerLabels, keyLimits, tenantLimits, true, readOnlyRoot, diskMb,
                networkPolicy, registryCredential, pullPolicy, true, runtime);
    }
}
