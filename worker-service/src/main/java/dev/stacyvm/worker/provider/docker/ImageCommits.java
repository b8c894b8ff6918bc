package dev.stacyvm.worker.provider.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.ContainerConfig;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import dev.stacyvm.contract.image.ImageReference;
import dev.stacyvm.contract.internal.ImageCommit;
import dev.stacyvm.worker.error.InvalidRequestException;
import dev.stacyvm.worker.error.ProviderFailureException;
import dev.stacyvm.worker.error.RuntimeNotFoundException;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Makes a build's sandbox into an image (docs/images.md, Builds). The sandbox's filesystem is
 * committed first; its container configuration (the agent as entrypoint, the sandbox's own
 * environment) is then replaced whole by the base image's with the build's changes over it, by
 * committing a never-started container of the intermediate image with exactly that configuration:
 * the engine's commit would otherwise merge the sandbox's environment into the image.
 */
@ApplicationScoped
public class ImageCommits {

    /** The prefix of the labels the worker gives its containers ({@code dev.stacyvm.managed}, ...). */
    static final String WORKER_LABELS = "dev.stacyvm.";

    @Inject
    PoolClaims claims;

    @Inject
    DockerClient docker;

    @Inject
    ImageUsage usage;

    /**
     * The configuration of build sandbox {@code sandboxId}'s image: its environment, working
     * directory and user.
     *
     * @throws RuntimeNotFoundException when the sandbox has no container
     * @throws InvalidRequestException when the sandbox is not a build's
     */
    public ImageCommit.Base baseOf(String sandboxId) {
        InspectContainerResponse sandbox = builder(sandboxId);
        ContainerConfig base = docker.inspectImageCmd(sandbox.getImageId()).exec().getConfig();
        return new ImageCommit.Base(base == null || base.getEnv() == null ? List.of() : List.of(base.getEnv()),
                base == null || base.getWorkingDir() == null ? "" : base.getWorkingDir(),
                base == null || base.getUser() == null ? "" : base.getUser());
    }

    /** The container of a build's sandbox, refusing any other. */
    private InspectContainerResponse builder(String sandboxId) {
        InspectContainerResponse sandbox;
        try {
            sandbox = docker.inspectContainerCmd(claims.ref(sandboxId)).exec();
        } catch (NotFoundException missing) {
            throw new RuntimeNotFoundException(sandboxId);
        }
        // decided by what the worker gave the container, which no image can set: labels can come
        // from an image (a build's image carries its build sandbox's), capabilities cannot
        List<Capability> added = sandbox.getHostConfig() == null || sandbox.getHostConfig().getCapAdd() == null
                ? List.of() : List.of(sandbox.getHostConfig().getCapAdd());
        if (!added.containsAll(List.of(HardenedContainers.BUILDER_CAPABILITIES))
                || !SandboxUser.ROOT.spec().equals(sandbox.getConfig().getUser())) {
            throw new InvalidRequestException("sandbox " + sandboxId + " is not a build's sandbox");
        }
        return sandbox;
    }

    /**
     * Commits sandbox {@code sandboxId}'s container as {@code commit.reference()}.
     *
     * @throws RuntimeNotFoundException when the sandbox has no container
     * @throws InvalidRequestException when the sandbox is not a build's, or the reference is not a build's image name
     * @throws ProviderFailureException when the engine fails
     */
    public ImageCommit.Result commit(String sandboxId, ImageCommit commit) {
        ImageReference target;
        try {
            target = ImageReference.parse(commit.reference());
        } catch (IllegalArgumentException malformed) {
            throw new InvalidRequestException("reference \"" + commit.reference() + "\": " + malformed.getMessage());
        }
        if (!target.built() || target.digest() != null) {
            throw new InvalidRequestException("a build's image is named " + ImageReference.BUILDS_REGISTRY
                    + "/...:tag, not \"" + commit.reference() + "\"");
        }
        String container = claims.ref(sandboxId);
        InspectContainerResponse sandbox = builder(sandboxId);
        try {
            docker.inspectImageCmd(commit.reference()).exec();
            throw new InvalidRequestException("image " + commit.reference() + " already exists");
        } catch (NotFoundException free) {
            // a new name, as every build's is
        }
        InspectImageResponse base = docker.inspectImageCmd(sandbox.getImageId()).exec();
        String layered = ImageReference.BUILDS_REGISTRY + "/commit/" + sandboxId + ":layers";
        String staging = "stacyvm-commit-" + sandboxId;
        try {
            docker.commitCmd(container).withRepository(layered.substring(0, layered.lastIndexOf(':')))
                    .withTag("layers").withPause(true).exec();
            removeQuietly(staging);
            ImageConfig config = ImageConfig.over(base.getConfig(), commit);
            // the engine merges the sandbox's labels into what it commits and none can be dropped:
            // the worker's own are emptied, so no container made from the image passes for the worker's
            Map<String, String> labels = new java.util.LinkedHashMap<>(config.labels());
            ContainerConfig layeredConfig = docker.inspectImageCmd(layered).exec().getConfig();
            if (layeredConfig != null && layeredConfig.getLabels() != null) {
                layeredConfig.getLabels().keySet().stream()
                        .filter(key -> key.startsWith(WORKER_LABELS) && !labels.containsKey(key))
                        .forEach(key -> labels.put(key, ""));
            }
            var create = docker.createContainerCmd(layered).withName(staging)
                    .withEnv(config.env()).withWorkingDir(config.workdir()).withUser(config.user())
                    .withLabels(labels)
                    .withExposedPorts(config.exposedPorts().stream().map(ExposedPort::parse).toList())
                    .withHostConfig(HostConfig.newHostConfig().withNetworkMode("none"));
            // the engine refuses a container with neither: such an image gets /bin/sh as its entrypoint
            create.withEntrypoint(config.entrypoint().isEmpty() && config.cmd().isEmpty() ? List.of("/bin/sh")
                    : config.entrypoint());
            create.withCmd(config.cmd());
            create.exec();
            docker.commitCmd(staging).withRepository(target.registry() + "/" + target.repository())
                    .withTag(target.tag()).withPause(false).exec();
            InspectImageResponse made = docker.inspectImageCmd(commit.reference()).exec();
            usage.used(made.getId());
            Log.infof("committed build sandbox %s as %s (%s)", sandboxId, commit.reference(), made.getId());
            return new ImageCommit.Result(commit.reference(), made.getId(), made.getSize() == null ? 0 : made.getSize());
        } catch (DockerException failed) {
            Log.warnf("could not commit %s as %s: %s", sandboxId, commit.reference(), failed.getMessage());
            throw new ProviderFailureException("docker could not commit the build's sandbox");
        } finally {
            removeQuietly(staging);
            try {
                // the name only: its layers are the new image's
                docker.removeImageCmd(layered).withNoPrune(false).exec();
            } catch (DockerException gone) {
                Log.debugf("intermediate image %s: %s", layered, gone.getMessage());
            }
        }
    }

    private void removeQuietly(String container) {
        try {
            docker.removeContainerCmd(container).withForce(true).exec();
        } catch (NotFoundException gone) {
            // nothing to remove
        } catch (DockerException failed) {
            Log.debugf("could not remove %s: %s", container, failed.getMessage());
        }
    }

    /**
     * The configuration a built image gets: the base image's, with the build's settings over it as
     * Docker's builder applies Dockerfile instructions (ENV by name, CMD and ENTRYPOINT as a pair).
     */
    record ImageConfig(List<String> env, List<String> cmd, List<String> entrypoint, String workdir, String user,
                       List<String> exposedPorts, Map<String, String> labels) {

        static ImageConfig over(ContainerConfig base, ImageCommit commit) {
            Map<String, String> env = new LinkedHashMap<>();
            for (String entry : orEmpty(base == null ? null : base.getEnv())) {
                put(env, entry);
            }
            for (String entry : orEmpty(commit.env())) {
                put(env, entry);
            }
            List<String> baseCmd = orEmpty(base == null ? null : base.getCmd());
            List<String> baseEntrypoint = orEmpty(base == null ? null : base.getEntrypoint());
            List<String> entrypoint = commit.entrypoint() != null ? commit.entrypoint() : baseEntrypoint;
            // a new ENTRYPOINT drops the base's CMD, as Docker's builder does
            List<String> cmd = commit.cmd() != null ? commit.cmd() : commit.entrypoint() != null ? List.of() : baseCmd;
            String workdir = commit.workdir() != null ? commit.workdir() : base == null ? null : base.getWorkingDir();
            String user = commit.user() != null ? commit.user() : base == null ? null : base.getUser();
            Set<String> ports = new LinkedHashSet<>();
            if (base != null && base.getExposedPorts() != null) {
                Arrays.stream(base.getExposedPorts()).map(ExposedPort::toString).forEach(ports::add);
            }
            ports.addAll(orEmpty(commit.exposedPorts()));
            Map<String, String> labels = new LinkedHashMap<>();
            if (base != null && base.getLabels() != null) {
                labels.putAll(base.getLabels());
            }
            if (commit.labels() != null) {
                // the worker's own labels are never the build's to set
                commit.labels().forEach((key, value) -> {
                    if (!key.startsWith(WORKER_LABELS)) {
                        labels.put(key, value);
                    }
                });
            }
            List<String> environment = new ArrayList<>();
            env.forEach((name, value) -> environment.add(name + "=" + value));
            return new ImageConfig(environment, cmd, entrypoint, workdir == null ? "" : workdir,
                    user == null ? "" : user, List.copyOf(ports), labels);
        }

        private static void put(Map<String, String> env, String entry) {
            int equals = entry.indexOf('=');
            if (equals > 0) {
                env.put(entry.substring(0, equals), entry.substring(equals + 1));
            }
        }

        private static List<String> orEmpty(String[] values) {
            return values == null ? List.of() : List.of(values);
        }

        private static List<String> orEmpty(List<String> values) {
            return values == null ? List.of() : values;
        }
    }
}
