package dev.stacyvm.worker.provider.docker;

import dev.stacyvm.contract.internal.RuntimeSpec;
import dev.stacyvm.contract.internal.SandboxSpec;
import java.util.List;

/**
 * Everything about a sandbox container that is fixed when it is created, apart from its identity
 * and environment: two sandboxes of one shape get the same container settings. {@code diskMb} is
 * the size (MiB) of everything the container may write. {@code builder} (a build's sandbox, always
 * root) adds the file ownership capabilities package managers need. {@code runtime} is the engine's
 * OCI runtime the container runs under ({@code runc} or {@code runsc}).
 */
record ContainerShape(String image, int memoryMb, int vcpus, int pidsLimit, boolean networked, List<Integer> ports,
                      boolean root, boolean readOnlyRoot, int diskMb, boolean builder, String runtime) {

    /**
     * Marks pooled containers started with the current hardening (forced user, shipped seccomp
     * profile, worker-held read-only name files, the agent as the main process): a worker upgraded
     * from an older one removes the older pooled containers instead of adopting them.
     */
    static final String HARDENING = "h4";

    ContainerShape {
        ports = ports == null ? List.of() : List.copyOf(ports);
        runtime = runtime == null ? SandboxSpec.DEFAULT_RUNTIME : runtime;
    }

    /** The shape a spec asks for; a spec without a disk size gets {@code defaultDiskMb}. */
    static ContainerShape of(RuntimeSpec spec, int defaultDiskMb) {
        return new ContainerShape(spec.image(), spec.memoryMb(), spec.vcpus(), spec.pidsLimit(),
                "bridge".equals(spec.network()), spec.ports(), spec.runAsRoot() || spec.builder(), spec.readOnlyRoot(),
                spec.diskMb() > 0 ? spec.diskMb() : defaultDiskMb, spec.builder(), spec.runtimeOrDefault());
    }

    /**
     * A shape without network or published ports, non-root, writable and under runc: the only kind a
     * warm pool keeps.
     */
    static ContainerShape isolated(String image, int memoryMb, int vcpus, int pidsLimit, int diskMb) {
        return new ContainerShape(image, memoryMb, vcpus, pidsLimit, false, List.of(), false, false, diskMb, false,
                SandboxSpec.DEFAULT_RUNTIME);
    }

    /**
     * The pids limit the engine enforces on the container's cgroup: the sandbox's own under runc;
     * under runsc room for gVisor's threads too, so that the sandbox meets its own limit (a fork
     * refused inside it) before gVisor meets the cgroup's, which would end the whole sandbox.
     */
    long enginePidsLimit() {
        return SandboxSpec.hostPids(runtime, pidsLimit, 1);
    }

    /**
     * The value of a pooled container's pool label: the shape, the hardening, the digest of the
     * agent it mounts and whether that agent serves a socket, as one string. A running container
     * keeps the agent binary and main process it was started with, so a pooled container of an
     * older agent, or one made while the socket was off, is never adopted after a restart.
     */
    String poolKey(String agentDigest, boolean agentSocket) {
        return image + "|" + memoryMb + "m|" + vcpus + "cpu|" + pidsLimit + "pids" + (networked ? "|bridge" : "") + (ports.isEmpty() ? "" : "|" + ports)
                + (root ? "|root" : "") + (builder ? "|builder" : "") + (readOnlyRoot ? "|ro" : "") + "|" + diskMb + "disk|" + HARDENING + "|agent-" + agentDigest
                + (agentSocket ? "" : "|no-socket") + (runtime.equals(SandboxSpec.DEFAULT_RUNTIME) ? "" : "|" + runtime);
    }
}
