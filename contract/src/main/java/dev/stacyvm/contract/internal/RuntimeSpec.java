package dev.stacyvm.contract.internal;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.stacyvm.contract.api.NetworkPolicy;
import dev.stacyvm.contract.image.RegistryCredential;
import java.util.List;
import java.util.Map;

/**
 * What the scheduler asks a worker to start for one sandbox it has placed there.
 *
 * @param runAsRoot     true only for a sandbox made from a template an administrator allowed to run
 *                      as root; every other sandbox runs as the worker's fixed non-root user
 * @param readOnlyRoot  true to mount the image's root filesystem read-only (the sandbox's
 *                      workspace, home and temporary folders stay writable)
 * @param diskMb        the size (MiB) of everything the sandbox may write; 0 (a scheduler that
 *                      predates it) means the worker's default
 * @param networkPolicy the sandbox's effective egress policy (already bounded by its tenant's), used
 *                      when {@code network} is {@code "bridge"}; {@code null} there means open egress
 *                      to public addresses (the always-refused ranges still apply)
 * @param registryCredential the sandbox's tenant's credential for its image's registry; {@code null}
 *                      pulls anonymously (and an image pulled with another tenant's credential is
 *                      then pulled again, anonymously, before it runs)
 * @param pullPolicy    {@code if-not-present}, {@code always} or {@code never} for this sandbox's
 *                      image (a template's or the create's); {@code null}: the worker's own
 * @param builder       true only for a build's sandbox (docs/images.md, Builds): root with the file
 *                      ownership capabilities package managers need ({@code CHOWN}, {@code DAC_OVERRIDE},
 *                      {@code FOWNER}, {@code FSETID}, {@code SETUID}, {@code SETGID}) and nothing else
 * @param runtime       the OCI runtime to run the container with ({@link SandboxSpec#RUNTIMES});
 *                      {@code null} (a scheduler that predates it) means {@link SandboxSpec#DEFAULT_RUNTIME}
 * @param provider      the sandbox provider to create it with ({@code docker}, {@code mock}:
 *                      docs/providers.md); {@code null} (a scheduler that predates it) means the
 *                      worker's first
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record RuntimeSpec(
        String sandboxId,
        String ownerId,
        String image,
        int memoryMb,
        int vcpus,
        Map<String, String> env,
        String network,
        List<Integer> ports,
        int pidsLimit,
        boolean runAsRoot,
        boolean readOnlyRoot,
        int diskMb,
        NetworkPolicy networkPolicy,
        RegistryCredential registryCredential,
        String pullPolicy,
        boolean builder,
        String runtime,
        String provider) {

    /** The OCI runtime to use: the one asked for, or runc when none was. */
    public String runtimeOrDefault() {
        return SandboxSpec.runtimeOrDefault(runtime);
    }
}
