package dev.stacyvm.worker.provider.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.LogConfig;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.Ulimit;
import com.github.dockerjava.api.model.Volume;
import dev.stacyvm.worker.config.WorkerConfig;
import dev.stacyvm.worker.error.InvalidRequestException;
import dev.stacyvm.worker.error.ProviderFailureException;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts containers hardened for untrusted code: every capability dropped, {@code no-new-privileges},
 * the project's own seccomp profile ({@code seccomp/sandbox.json}: Docker's default minus io_uring,
 * bpf, perf_event_open, userfaultfd and the keyring calls), a pids limit, memory (without swap) and
 * CPU limits, no network unless asked, an init process, a disk size ({@code --storage-opt size}) on
 * its writable layer, which holds everything it can write (its root filesystem, {@code /workspace},
 * home, {@code /tmp} and {@code /var/tmp}: no tmpfs, no volume), an output log the engine rotates
 * and caps, and the worker's fixed non-root user ({@code stacyvm.worker.sandbox-user}) whatever the
 * image names, unless the shape says root (a template an administrator allowed). Every exec and
 * file operation inherits the container's user. {@code /workspace} is made owned by that user
 * before the container starts, and with a read-only root filesystem {@code /workspace},
 * {@code /tmp} and {@code /var/tmp} are tmpfs mounts (counted against memory). The sandbox agent is mounted
 * read-only at {@link #AGENT_PATH}, and the worker's own {@code /etc/hosts}, {@code /etc/hostname} and
 * {@code /etc/resolv.conf} ({@link ResolutionFiles}) read-only over the engine's. Cold creates and the
 * warm pool both start their containers here, so both are hardened alike.
 */
@ApplicationScoped
public class HardenedContainers {

    /** Where every sandbox sees the agent: an absolute path, so no exec depends on the user's PATH. */
    public static final String AGENT_PATH = "/.stacyvm/bin/stacyvm-agent";
    /** How long a create waits for its agent to serve before the sandbox runs everything through the engine. */
    private static final java.time.Duration AGENT_PATIENCE = java.time.Duration.ofSeconds(3);
    private static final long MIB = 1024L * 1024L;
    /** The sandbox's workspace and home; writable by the sandbox user whatever the image. */
    static final String WORKSPACE = "/workspace";
    private static final String SECCOMP_RESOURCE = "seccomp/sandbox.json";

    /**
     * What a build's sandbox keeps (docs/images.md, Builds): the file ownership capabilities apt and
     * dpkg need to install packages as root, a subset of Docker's default set; never network, mount,
     * trace or administration capabilities.
     */
    static final Capability[] BUILDER_CAPABILITIES = {Capability.CHOWN, Capability.DAC_OVERRIDE, Capability.FOWNER,
        Capability.FSETID, Capability.SETUID, Capability.SETGID};

    /** The shipped seccomp profile, as the engine takes it in a {@code seccomp=} security option. */
    private final String seccompProfile = loadSeccompProfile();
    @Inject
    DockerClient docker;

    @Inject
    WorkerConfig config;

    @Inject
    SandboxAgents agents;

    /** Refuses to start a worker whose sandbox user is not a numeric, non-root uid:gid. */
    void checkSandboxUser(@jakarta.enterprise.event.Observes io.quarkus.runtime.StartupEvent started) {
        Log.infof("sandboxes run as %s unless a template allows root", SandboxUser.parse(config.sandboxUser()).spec());
    }

    @Inject
    DiskEnforcement disk;

    @Inject
    NetworkFence fence;

    @Inject
    ResolutionFiles resolutionFiles;

    @Inject
    ImagePulls images;

    /**
     * Creates and starts a container of this shape under {@code name}; a container of that name
     * already there (a retried create) is started and reused. Answers the started container.
     * {@code imageRequest} says how its image is got (a credential, a pull policy, who hears progress).
     */
    InspectContainerResponse start(String name, ContainerShape shape, List<String> env, Map<String, String> labels,
            ImageRequest imageRequest) {
        disk.requireUsable();
        // pulled first when missing (the policy and the operator's mirrors), or private: the name to create from
        String image = images.ensure(shape.image(), imageRequest.credential(), imageRequest.policy(),
                imageRequest.progress());
        long imageBytes = requireImage(image);
        String nameFiles = resolutionFiles.prepare(shape.networked());
        java.util.Optional<String> agent;
        try {
            agent = agents.prepare(shape);
        } catch (ProviderFailureException e) {
            resolutionFiles.discard(nameFiles);
            throw e;
        }
        labels = new java.util.HashMap<>(labels);
        labels.put(ResolutionFiles.LABEL, nameFiles);
        if (agent.isPresent()) {
            labels.put(SandboxAgents.LABEL, agent.get());
        }
        SandboxUser user = shape.root() ? SandboxUser.ROOT : SandboxUser.parse(config.sandboxUser());
        Map<String, String> tmpfs = new java.util.LinkedHashMap<>();
        if (shape.readOnlyRoot()) {
            // the only writable places left: memory-backed, size-bounded, owned by the sandbox user
            tmpfs.put("/tmp", "rw,nosuid,nodev,size=256m,mode=1777");
            tmpfs.put("/var/tmp", "rw,nosuid,nodev,size=256m,mode=1777");
            tmpfs.put(WORKSPACE, "rw,nosuid,nodev,size=" + config.readOnlyWorkspaceMb() + "m,mode=0755,uid="
                    + user.uid() + ",gid=" + user.gid());
        }
        HostConfig host = HostConfig.newHostConfig()
                .withCapDrop(Capability.ALL)
                .withCapAdd(shape.builder() ? BUILDER_CAPABILITIES : new Capability[0])
                .withSecurityOpts(List.of("no-new-privileges:true", "seccomp=" + seccompProfile))
                .withPidsLimit(shape.enginePidsLimit())
                .withMemory(shape.memoryMb() * MIB)
                .withMemorySwap(shape.memoryMb() * MIB)
                .withNanoCPUs(shape.vcpus() * 1_000_000_000L)
                // networked sandboxes join the isolated sandbox network, never Docker's default bridge
                .withNetworkMode(shape.networked() ? fence.ensureNetwork() : "none")
                .withInit(true)
                // runc, or runsc (gVisor): the engine registers it with its network stack off (docs/providers.md)
                .withRuntime(shape.runtime())
                .withReadonlyRootfs(shape.readOnlyRoot())
                .withTmpFs(tmpfs)
                // the agent every exec runs through, and the worker's name files over the engine's
                // (which sit outside the disk size): read-only, so the sandbox changes neither
                .withBinds(binds(nameFiles, agent))
                // the engine rotates the output log: writes to /proc/1/fd/1 cannot fill the host
                .withLogConfig(new LogConfig(LogConfig.LoggingType.JSON_FILE, Map.of(
                        "max-size", config.containerLogs().maxSize(),
                        "max-file", String.valueOf(config.containerLogs().maxFile()))));
        if (shape.runtime().equals("runsc")) {
            // gVisor's kernel counts the sandbox's processes itself: at this limit a fork fails in
            // the sandbox (EAGAIN), as at runc's pids limit, long before gVisor's own threads reach
            // the cgroup's (enginePidsLimit), which would end the whole sandbox
            host.withUlimits(List.of(new Ulimit("nproc", (long) shape.pidsLimit(), (long) shape.pidsLimit())));
        }
        if (disk.enforced()) {
            // /tmp and /var/tmp are in the writable layer (not a tmpfs), so this bounds them too
            host.withStorageOpt(Map.of("size", disk.storageSize(shape.diskMb(), imageBytes)));
        }
        List<String> environment = new ArrayList<>();
        if (!shape.root() || shape.readOnlyRoot()) {
            // the forced user may have no home in the image's passwd (Docker would say "/"), and a
            // read-only root leaves only the workspace writable; the caller's env may still override
            environment.add("HOME=" + WORKSPACE);
        }
        environment.addAll(env);
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
        try (CreateContainerCmd create = docker.createContainerCmd(image)) {
            create.withName(name)
                    .withLabels(labels)
                    .withHostConfig(host)
                    .withEnv(environment)
                    .withUser(user.spec())
                    .withHostName(ResolutionFiles.HOSTNAME)
                    .withExposedPorts(exposed)
                    .withCmd(SandboxAgents.command(agent))
                    .withEntrypoint(List.of())
                    .withStopSignal("SIGKILL")
                    .exec();
        } catch (ConflictException alreadyThere) {
            Log.infof("container %s already exists; reusing it for a retried create", name);
            resolutionFiles.discard(nameFiles);
            agents.discard(agent.orElse(null));
            agent = java.util.Optional.empty(); // the existing container has its own (awaited when it started)
        } catch (DockerException e) {
            Log.warnf("docker refused to create %s: %s", name, firstLine(e.getMessage()));
            resolutionFiles.discard(nameFiles);
            agents.discard(agent.orElse(null));
            throw new ProviderFailureException("docker could not create the sandbox");
        }
        if (!shape.readOnlyRoot()) {
            giveWorkspaceTo(name, user);
        }
        try {
            docker.startContainerCmd(name).exec();
        } catch (NotModifiedException alreadyRunning) {
            // a retried create found it running
        } catch (DockerException e) {
            Log.warnf("docker could not start %s: %s", name, firstLine(e.getMessage()));
            remove(name);
            throw new ProviderFailureException("docker could not start the sandbox");
        }
        // before the create answers, so before any code of the owner's runs in it
        agents.awaitReady(agent, AGENT_PATIENCE);
        InspectContainerResponse started = docker.inspectContainerCmd(name).exec();
        // the host name on the address the container got; pins come with its network policy
        resolutionFiles.writeHosts(started, config.sandboxNetwork(), "");
        return started;
    }

    private List<Bind> binds(String nameFiles, java.util.Optional<String> agent) {
        List<Bind> binds = new ArrayList<>();
        binds.add(new Bind(config.agentPath(), new Volume(AGENT_PATH), AccessMode.ro));
        binds.addAll(resolutionFiles.binds(nameFiles));
        binds.addAll(agents.binds(agent));
        return binds;
    }

    /**
     * Makes {@code /workspace} a directory owned by the sandbox user (mode 0755) in the container's
     * own layer, before it starts: the image may lack it or give it to root. The engine extracts
     * the one-entry archive with the entry's owner, so no capability inside the sandbox is needed.
     */
    private void giveWorkspaceTo(String name, SandboxUser user) {
        try {
            docker.copyArchiveToContainerCmd(name).withRemotePath("/")
                    .withTarInputStream(new java.io.ByteArrayInputStream(directoryTar(WORKSPACE.substring(1), user)))
                    .exec();
        } catch (DockerException e) {
            Log.warnf("could not prepare the workspace of %s: %s", name, firstLine(e.getMessage()));
            remove(name);
            throw new ProviderFailureException("docker could not prepare the sandbox's workspace");
        }
    }

    /** A tar archive (POSIX ustar) holding one directory entry, owned by the user, mode 0755. */
    static byte[] directoryTar(String directory, SandboxUser user) {
        byte[] archive = new byte[512 * 3];
        byte[] header = new byte[512];
        put(header, 0, directory + "/");
        put(header, 100, "0000755\0");
        put(header, 108, String.format("%07o\0", user.uid()));
        put(header, 116, String.format("%07o\0", user.gid()));
        put(header, 124, "00000000000\0");
        put(header, 136, String.format("%011o\0", java.time.Instant.now().getEpochSecond()));
        put(header, 148, "        ");
        header[156] = '5';
        put(header, 257, "ustar\0");
        put(header, 263, "00");
        int sum = 0;
        for (byte b : header) {
            sum += b & 0xff;
        }
        put(header, 148, String.format("%06o\0 ", sum));
        System.arraycopy(header, 0, archive, 0, 512);
        return archive;
    }

    private static void put(byte[] header, int offset, String text) {
        byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, header, offset, bytes.length);
    }

    private static String loadSeccompProfile() {
        try (var in = HardenedContainers.class.getClassLoader().getResourceAsStream(SECCOMP_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the seccomp profile " + SECCOMP_RESOURCE + " is missing from the worker");
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("could not read the seccomp profile " + SECCOMP_RESOURCE, e);
        }
    }

    /** Removes a container, its anonymous volumes and its name files; one that is not there is no error. */
    void remove(String name) {
        try {
            String nameFiles = null;
            String agentFolder = null;
            try {
                Map<String, String> labels = docker.inspectContainerCmd(name).exec().getConfig().getLabels();
                nameFiles = labels == null ? null : labels.get(ResolutionFiles.LABEL);
                agentFolder = labels == null ? null : labels.get(SandboxAgents.LABEL);
            } catch (NotFoundException notCreated) {
                // nothing to read the files from; the sweep finds any left behind
            }
            docker.removeContainerCmd(name).withForce(true).withRemoveVolumes(true).exec();
            resolutionFiles.discard(nameFiles);
            agents.discard(agentFolder);
        } catch (NotFoundException alreadyGone) {
            // idempotent: nothing left to remove
        } catch (ConflictException removalInProgress) {
            Log.debugf("removal of %s already in progress", name);
        }
    }

    /** The image's size in bytes; {@code bad_request} when it is not there (removed since it was pulled). */
    private long requireImage(String image) {
        try {
            Long size = docker.inspectImageCmd(image).exec().getSize();
            return size == null ? 0 : size;
        } catch (NotFoundException missing) {
            throw new InvalidRequestException("image \"" + image + "\" is not present on this worker");
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
