package dev.stacyvm.worker.provider.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Ports;
import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.worker.config.WorkerConfig;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts containers hardened for untrusted code: every capability dropped, {@code no-new-privileges},
 * the default seccomp profile, a pids limit, memory (without swap) and CPU limits, no network
 * unless asked, an init process, a size-bounded {@code /tmp}, and the image's own (non-root) user.
 * Cold creates and the warm pool both start their containers here, so both are hardened alike.
 */
@ApplicationScoped
public class HardenedContainers {

    /** Keeps the container alive without depending on any one program's flags (works with busybox too). */
    private static final List<String> KEEP_ALIVE = List.of("/bin/sh", "-c",
            "echo \"stacyvm: sandbox started\"; trap 'exit 0' TERM INT; "
                    + "while :; do sleep 3600 & wait $!; done");
    private static final long MIB = 1024L * 1024L;

    @Inject
    DockerClient docker;

    @Inject
    WorkerConfig config;

    @Inject
    NetworkFence fence;

    /**
     * Creates and starts a container of this shape under {@code name}; a container of that name
     * already there (a retried create) is started and reused. Answers the started container.
     */
    InspectContainerResponse start(String name, ContainerShape shape, List<String> env, Map<String, String> labels) {
        requireImage(shape.image());
        HostConfig host = HostConfig.newHostConfig()
                .withCapDrop(Capability.ALL)
                .withSecurityOpts(List.of("no-new-privileges:true"))
                .withPidsLimit((long) shape.pidsLimit())
                .withMemory(shape.memoryMb() * MIB)
                .withMemorySwap(shape.memoryMb() * MIB)
                .withNanoCPUs(shape.vcpus() * 1_000_000_000L)
                // networked sandboxes join the isolated sandbox network, never Docker's default bridge
                .withNetworkMode(shape.networked() ? fence.ensureNetwork() : "none")
                .withInit(true)
                .withTmpFs(Map.of("/tmp", "rw,nosuid,nodev,size=256m,mode=1777"));
        List<ExposedPort> exposed = new ArrayList<>();
        if (shape.networked() && !shape.ports().isEmpty()) {
            Ports bindings = new Ports();
            for (Integer port : shape.ports()) {
                ExposedPort exposedPort = ExposedPort.tcp(port);
                exposed.add(exposedPort);
                // an empty host port lets Docker pick one, on the worker's private address only
                bindings.bind(exposedPort, Ports.Binding.bindIp(config.previewBindAddress()));
            }
            host.withPortBindings(bindings);
        }
        try (CreateContainerCmd create = docker.createContainerCmd(shape.image())) {
            create.withName(name)
                    .withLabels(labels)
                    .withHostConfig(host)
                    .withEnv(env)
                    .withExposedPorts(exposed)
                    .withCmd(KEEP_ALIVE)
                    .withEntrypoint(List.of())
                    .withStopSignal("SIGKILL")
                    .exec();
        } catch (ConflictException alreadyThere) {
            Log.infof("container %s already exists; reusing it for a retried create", name);
        } catch (DockerException e) {
            Log.warnf("docker refused to create %s: %s", name, firstLine(e.getMessage()));
            throw ApiException.providerError("docker could not create the sandbox");
        }
        try {
            docker.startContainerCmd(name).exec();
        } catch (NotModifiedException alreadyRunning) {
            // a retried create found it running
        } catch (DockerException e) {
            Log.warnf("docker could not start %s: %s", name, firstLine(e.getMessage()));
            remove(name);
            throw ApiException.providerError("docker could not start the sandbox");
        }
        return docker.inspectContainerCmd(name).exec();
    }

    /** Removes a container and its anonymous volumes; one that is not there is no error. */
    void remove(String name) {
        try {
            docker.removeContainerCmd(name).withForce(true).withRemoveVolumes(true).exec();
        } catch (NotFoundException alreadyGone) {
            // idempotent: nothing left to remove
        } catch (ConflictException removalInProgress) {
            Log.debugf("removal of %s already in progress", name);
        }
    }

    private void requireImage(String image) {
        try {
            docker.inspectImageCmd(image).exec();
        } catch (NotFoundException missing) {
            throw ApiException.badRequest("image \"" + image + "\" is not present on this worker; StacyVM pulls "
                    + "from no registry, so build or load it locally (see deploy/images)");
        }
    }

    static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int newline = message.indexOf('\n');
        return (newline < 0 ? message : message.substring(0, newline)).trim();
    }
}
