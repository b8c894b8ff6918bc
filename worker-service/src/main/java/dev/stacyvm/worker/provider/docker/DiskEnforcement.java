package dev.stacyvm.worker.provider.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Info;
import dev.stacyvm.contract.api.SandboxDefaults;
import dev.stacyvm.worker.config.WorkerConfig;
import dev.stacyvm.worker.error.WorkerUnavailableException;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Whether the engine can hold a container to a disk size ({@code --storage-opt size}), found out
 * once by asking it to create (not start) a container with one: btrfs (with quotas), zfs and
 * overlay2 on XFS with project quotas can; overlay2 on ext4 cannot. With
 * {@code stacyvm.worker.disk.enforcement=required} a worker whose engine cannot takes no
 * sandboxes; with {@code best-effort} it starts them without a disk limit.
 */
@ApplicationScoped
public class DiskEnforcement {

    /** A size (MiB, beside the image where the driver counts it) every driver that supports the option accepts. */
    static final long PROBE_MB = 64;

    @Inject
    DockerClient docker;

    @Inject
    WorkerConfig config;

    private volatile Verdict verdict;

    /** The sysfs folder of the btrfs filesystem holding the engine's data root, when it is one. */
    private volatile Optional<Path> btrfsFilesystem = Optional.empty();

    /**
     * What the probe found: whether sizes are enforced, why in words, and whether the size the
     * engine holds a container to may count its image: on btrfs it does unless the data root has
     * simple quotas at the time of a create ({@link #sizeCountsImage()}); overlay2 on XFS and zfs
     * limit only what the container writes.
     */
    public record Verdict(boolean enforced, String reason, boolean sizeIncludesImage) {

        Verdict(boolean enforced, String reason) {
            this(enforced, reason, false);
        }
    }

    /**
     * The {@code size} storage option that lets a container write {@code diskMb} MiB: on an engine
     * whose size counts the image too, the image's own size is added, so {@code disk_mb} is always
     * what the sandbox itself may write.
     */
    String storageSize(int diskMb, long imageBytes) {
        long extraMb = sizeCountsImage() ? (imageBytes + MIB - 1) / MIB : 0;
        return (diskMb + extraMb) + "M";
    }

    /**
     * Whether a container created now is held to a size that counts its image: on btrfs, yes
     * unless the data root keeps simple quotas now. Read at each create, since the engine turns
     * quotas off when it stops and full ones on at its next sized create
     * ({@link BtrfsQuotas}); when the worker cannot read the mode it adds the image, so that a
     * sandbox can always start (under simple quotas it may then write up to the image's size more).
     */
    boolean sizeCountsImage() {
        return verdict().sizeIncludesImage() && BtrfsQuotas.of(btrfsFilesystem) != BtrfsQuotas.SIMPLE;
    }

    private static final long MIB = 1024L * 1024L;

    void probeAtStart(@Observes StartupEvent started) {
        verdict();
    }

    /** Whether containers get a disk size; probes the engine the first time (and again after a failed probe). */
    public boolean enforced() {
        return verdict().enforced();
    }

    /** The probe's verdict; an engine that does not answer is probed again on the next call. */
    public Verdict verdict() {
        Verdict known = verdict;
        if (known != null) {
            return known;
        }
        synchronized (this) {
            if (verdict == null) {
                Verdict probed = probe();
                if (probed == null) {
                    return new Verdict(false, "the engine did not answer the disk probe");
                }
                verdict = probed;
                if (probed.enforced()) {
                    Log.infof("disk: the engine enforces sandbox disk sizes (%s)", probed.reason());
                } else if (required()) {
                    Log.errorf("disk: enforcement is required but the engine cannot limit a container's disk (%s);"
                            + " this worker takes no sandboxes until it can (docs/operations.md, Disk)", probed.reason());
                } else {
                    Log.warnf("disk: the engine cannot limit a container's disk (%s); sandboxes start WITHOUT a disk"
                            + " limit (stacyvm.worker.disk.enforcement=best-effort)", probed.reason());
                }
            }
            return verdict;
        }
    }

    /** Whether enforcement is required: a worker without it takes no sandboxes and is not ready. */
    public boolean required() {
        return config.disk().enforcement() == WorkerConfig.Disk.Enforcement.REQUIRED;
    }

    /** Whether this worker may start sandboxes: sizes are enforced, or enforcement is not required. */
    public boolean mayStartSandboxes() {
        return enforced() || !required();
    }

    /** Refuses (503 {@code unavailable}) a container start that would not be held to its disk size when it must be. */
    void requireUsable() {
        if (!mayStartSandboxes()) {
            throw new WorkerUnavailableException("this worker cannot limit sandbox disk (" + verdict().reason()
                    + ") and stacyvm.worker.disk.enforcement is required");
        }
    }

    private long imageBytes(String image) {
        Long size = docker.inspectImageCmd(image).exec().getSize();
        return size == null ? 0 : size;
    }

    /** Asks the engine for a container with a disk size; {@code null} when the engine does not answer. */
    private Verdict probe() {
        String driver;
        try {
            Info info = docker.infoCmd().exec();
            driver = info.getDriver();
            if ("btrfs".equals(driver) && info.getDockerRootDir() != null) {
                btrfsFilesystem = BtrfsQuotas.filesystemOf(BtrfsQuotas.SYSFS, Path.of(info.getDockerRootDir()));
            }
        } catch (RuntimeException unreachable) {
            return null;
        }
        String image = config.warmPool().images().isEmpty() ? SandboxDefaults.IMAGE
                : config.warmPool().images().get(0).trim();
        // not named stacyvm-...: that prefix marks sandbox containers, which reconciliation adopts
        String name = "disk-probe-" + UUID.randomUUID();
        boolean includesImage = "btrfs".equals(driver);
        try (CreateContainerCmd create = docker.createContainerCmd(image)) {
            long imageMb = includesImage ? (imageBytes(image) + MIB - 1) / MIB : 0;
            create.withName(name)
                    .withHostConfig(HostConfig.newHostConfig()
                            .withStorageOpt(Map.of("size", (PROBE_MB + imageMb) + "M"))
                            .withNetworkMode("none"))
                    .withCmd(List.of("true"))
                    .exec();
            return new Verdict(true, "storage driver " + driver + " accepts --storage-opt size"
                    + (includesImage ? " (quotas now: " + BtrfsQuotas.of(btrfsFilesystem).name().toLowerCase() + ")" : ""),
                    includesImage);
        } catch (NotFoundException missingImage) {
            // no image to probe with: judge by the driver alone
            boolean sized = "btrfs".equals(driver) || "zfs".equals(driver);
            return new Verdict(sized, "storage driver " + driver + (sized ? " supports" : " cannot be probed for")
                    + " --storage-opt size (probe image " + image + " is missing)", includesImage);
        } catch (DockerException refused) {
            return new Verdict(false, "storage driver " + driver + " refuses --storage-opt size: "
                    + HardenedContainers.firstLine(refused.getMessage()));
        } finally {
            try {
                docker.removeContainerCmd(name).withForce(true).exec();
            } catch (RuntimeException alreadyGone) {
                // never created, or gone
            }
        }
    }
}
