package dev.stacyvm.worker.provider.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Frame;
import dev.stacyvm.contract.api.NetworkPolicy;
import dev.stacyvm.contract.internal.RuntimeHandle;
import dev.stacyvm.contract.internal.RuntimeSpec;
import dev.stacyvm.contract.internal.RuntimeStatus;
import dev.stacyvm.worker.config.WorkerConfig;
import dev.stacyvm.worker.error.ProviderFailureException;
import dev.stacyvm.worker.error.RuntimeNotFoundException;
import dev.stacyvm.worker.error.RuntimeNotRunningException;
import dev.stacyvm.worker.error.WorkerUnavailableException;
import dev.stacyvm.worker.provider.CommandResult;
import dev.stacyvm.worker.provider.ExecCommand;
import dev.stacyvm.worker.provider.ExecOutcome;
import dev.stacyvm.worker.provider.ExecOutputSink;
import dev.stacyvm.worker.provider.LogTail;
import dev.stacyvm.worker.provider.SandboxProvider;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Sandboxes as Docker containers, hardened for untrusted code as {@link HardenedContainers} says.
 * A sandbox's container is named {@code stacyvm-<sandbox id>}: either claimed from the
 * {@link WarmPool} (and renamed) or, when no pooled one fits, created cold and labelled with the
 * sandbox, owner and worker.
 */
@ApplicationScoped
@io.smallrye.common.annotation.Identifier(DockerSandboxProvider.NAME)
public class DockerSandboxProvider implements SandboxProvider {

    public static final String NAME = "docker";
    public static final String LABEL_MANAGED = "dev.stacyvm.managed";
    public static final String LABEL_SANDBOX = "dev.stacyvm.sandbox-id";
    public static final String LABEL_OWNER = "dev.stacyvm.owner-id";
    public static final String LABEL_WORKER = "dev.stacyvm.worker-id";

    private static final List<String> CAPABILITIES = dev.stacyvm.worker.provider.ProviderCapabilities.ALL;
    /** Every exec sees its sandbox's id here (pooled containers were started before they had one). */
    static final String SANDBOX_ID_ENV = "STACYVM_SANDBOX_ID";

    @Inject
    PoolClaims claims;

    @Inject
    DockerClient docker;

    @Inject
    WorkerConfig config;

    @Inject
    HardenedContainers containers;

    @Inject
    WarmPool warmPool;

    @Inject
    NetworkFence fence;

    @Inject
    DockerExecs execs;

    @Inject
    SandboxAgents agents;

    @Inject
    ImagePulls images;

    @Inject
    ImageUsage imageUsage;

    @Inject
    dev.stacyvm.worker.service.PullProgressReporter progress;

    @Inject
    ImageCommits commits;

    @Override
    public dev.stacyvm.contract.internal.ImageCommit.Result commit(String sandboxId,
            dev.stacyvm.contract.internal.ImageCommit commit) {
        return commits.commit(sandboxId, commit);
    }

    @Override
    public dev.stacyvm.contract.internal.ImageCommit.Base imageConfig(String sandboxId) {
        return commits.baseOf(sandboxId);
    }

    @Override
    public String name() {
        return NAME;
    }

    public static String containerName(String sandboxId) {
        return "stacyvm-" + sandboxId;
    }

    @Override
    public RuntimeHandle create(RuntimeSpec spec, String workerId) {
        List<String> offered = ociRuntimes();
        if (!offered.isEmpty() && !offered.contains(spec.runtimeOrDefault())) {
            // placement sends a runtime only to a worker that advertised it: the engine lost it since,
            // which is this worker's state, not the caller's mistake (an engine that did not answer
            // says nothing either way: the create itself will tell)
            throw new WorkerUnavailableException("this worker's engine has no runtime " + spec.runtimeOrDefault());
        }
        String name = containerName(spec.sandboxId());
        // a pooled container's image is the operator's (pulled without a credential), so a sandbox with
        // a credential for its registry starts its own, which proves its access first
        ImagePulls.PullPolicy pullPolicy = ImagePulls.PullPolicy.of(spec.pullPolicy());
        // and a sandbox that asks for a fresh pull (always) gets one
        // and a private image is pulled again for every sandbox, so it never comes from the pool either
        Optional<InspectContainerResponse> pooled = spec.registryCredential() == null
                && pullPolicy != ImagePulls.PullPolicy.ALWAYS && !images.isPrivate(spec.image())
                ? warmPool.claim(spec) : Optional.empty();
        InspectContainerResponse container = pooled.orElseGet(() -> {
            Map<String, String> labels = new HashMap<>();
            labels.put(LABEL_MANAGED, "true");
            labels.put(LABEL_SANDBOX, spec.sandboxId());
            labels.put(LABEL_OWNER, spec.ownerId());
            labels.put(LABEL_WORKER, workerId);
            List<String> env = new ArrayList<>();
            if (!spec.builder()) {
                // a build's sandbox becomes an image: nothing of the sandbox may go into its environment
                env.add(SANDBOX_ID_ENV + "=" + spec.sandboxId());
            }
            if (spec.env() != null) {
                spec.env().forEach((variable, value) -> env.add(variable + "=" + value));
            }
            return containers.start(name, ContainerShape.of(spec, config.disk().defaultMb()), env, labels,
                    new ImageRequest(spec.registryCredential(), pullPolicy, progress.forSandbox(spec.sandboxId())));
        });
        if (ContainerShape.of(spec, config.disk().defaultMb()).networked()) {
            try {
                fence.apply(container.getId(), spec.networkPolicy());
            } catch (RuntimeException unfenced) {
                // fail closed: a sandbox whose egress rules are not in force is never handed out
                containers.remove(container.getId());
                claims.forget(spec.sandboxId());
                throw unfenced;
            }
        }
        imageUsage.used(container.getImageId());
        return new RuntimeHandle(spec.sandboxId(), container.getId(), workerId, publishedPorts(container), previewHost(),
                images.digestOf(container.getImageId()));
    }

    /**
     * The address the preview-router reaches published ports on: the bind address, or the host of
     * this worker's advertised endpoint when ports are bound on every interface.
     */
    private String previewHost() {
        String bind = config.previewBindAddress();
        if (!bind.equals("0.0.0.0") && !bind.equals("::")) {
            return bind;
        }
        return java.net.URI.create(config.advertisedEndpoint()).getHost();
    }

    /**
     * Every sandbox container of this worker, found by its name: a container claimed from the warm
     * pool keeps the pool's labels, so the name is the one mark every sandbox container carries.
     */
    @Override
    public List<RuntimeStatus> runtimes(String workerId) {
        String prefix = containerName("");
        List<Container> containers = docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(LABEL_MANAGED, "true", LABEL_WORKER, workerId)).exec();
        // a claim's container keeps its pool's name for a moment; claims are held until the destroy
        // and read after the listing, so one made while the engine is listed is seen under one name
        // or the other
        Map<String, String> claimed = claims.bySandbox();
        List<RuntimeStatus> runtimes = new ArrayList<>();
        for (Container container : containers) {
            String name = WarmPool.nameOf(container);
            String sandboxId = name != null && name.startsWith(prefix + "sb-") ? name.substring(prefix.length())
                    : claimed.get(container.getId());
            if (sandboxId != null) {
                runtimes.add(new RuntimeStatus(sandboxId, container.getId(), "running".equals(container.getState()),
                        container.getState()));
            }
        }
        return runtimes;
    }

    private static Map<Integer, Integer> publishedPorts(InspectContainerResponse container) {
        Map<Integer, Integer> published = new LinkedHashMap<>();
        if (container.getNetworkSettings() == null || container.getNetworkSettings().getPorts() == null) {
            return published;
        }
        container.getNetworkSettings().getPorts().getBindings().forEach((port, bindings) -> {
            if (bindings != null && bindings.length > 0 && bindings[0].getHostPortSpec() != null) {
                published.put(port.getPort(), Integer.parseInt(bindings[0].getHostPortSpec()));
            }
        });
        return published;
    }

    @Override
    public boolean holds(String sandboxId) {
        try {
            docker.inspectContainerCmd(claims.ref(sandboxId)).exec();
            return true;
        } catch (NotFoundException gone) {
            return false;
        } catch (RuntimeException unanswered) {
            // an engine that does not answer holds nothing the worker could reach: the primary's call says why
            return false;
        }
    }

    @Override
    public void destroy(String sandboxId) {
        agents.forget(sandboxId);
        containers.remove(claims.ref(sandboxId));
        claims.forget(sandboxId);
    }

    @Override
    public ExecOutcome exec(String sandboxId, ExecCommand command, ExecOutputSink sink) {
        return execs.exec(sandboxId, command, sink);
    }

    @Override
    public dev.stacyvm.worker.provider.InteractiveExec openInteractive(String sandboxId, ExecCommand command,
                                                                       dev.stacyvm.worker.provider.TerminalSize terminal) {
        return execs.openInteractive(sandboxId, command, terminal);
    }

    @Override
    public CommandResult run(String sandboxId, List<String> argv, java.io.InputStream input,
                             java.io.OutputStream output, Duration timeout) {
        return execs.run(sandboxId, argv, input, output, timeout);
    }

    @Override
    public void requireWorkdir(String sandboxId, String workdir) {
        dev.stacyvm.worker.provider.agent.AgentCalls.requireWorkdir(this, HardenedContainers.AGENT_PATH, sandboxId, workdir);
    }

    @Override
    public String processes(String sandboxId) {
        requireRunning(sandboxId);
        return dev.stacyvm.worker.provider.agent.AgentCalls.processes(this, HardenedContainers.AGENT_PATH, sandboxId);
    }

    @Override
    public void signal(String sandboxId, int pid, String signal) {
        requireRunning(sandboxId);
        dev.stacyvm.worker.provider.agent.AgentCalls.signal(this, HardenedContainers.AGENT_PATH, sandboxId, pid, signal);
    }

    @Override
    public void requireRunning(String sandboxId) {
        runningContainer(sandboxId);
    }

    /** The sandbox's container as the engine sees it now; refused unless it runs. */
    private InspectContainerResponse runningContainer(String sandboxId) {
        InspectContainerResponse container;
        try {
            container = docker.inspectContainerCmd(claims.ref(sandboxId)).exec();
        } catch (NotFoundException gone) {
            throw new RuntimeNotFoundException(sandboxId);
        }
        if (container.getState() == null || !Boolean.TRUE.equals(container.getState().getRunning())) {
            throw new RuntimeNotRunningException(sandboxId);
        }
        return container;
    }

    @Override
    public void applyNetworkPolicy(String sandboxId, NetworkPolicy policy) {
        String name = claims.ref(sandboxId);
        try {
            docker.inspectContainerCmd(name).exec();
        } catch (NotFoundException gone) {
            throw new RuntimeNotFoundException(sandboxId);
        }
        fence.apply(name, policy);
    }

    @Override
    public dev.stacyvm.contract.api.SandboxStats stats(String sandboxId) {
        InspectContainerResponse container = runningContainer(sandboxId);
        // stream=false: the engine takes two samples about a second apart, as docker stats --no-stream does
        try (var sample = new com.github.dockerjava.core.InvocationBuilder.AsyncResultCallback<com.github.dockerjava.api.model.Statistics>()) {
            docker.statsCmd(claims.ref(sandboxId)).withNoStream(true).exec(sample);
            return ContainerStats.of(sandboxId, sample.awaitResult(), container.getHostConfig());
        } catch (NotFoundException gone) {
            throw new RuntimeNotFoundException(sandboxId);
        } catch (java.io.IOException closing) {
            throw new ProviderFailureException("reading the stats of " + sandboxId + ": " + closing.getMessage());
        }
    }

    @Override
    public long diskUsedBytes(String sandboxId) {
        try {
            // SizeRw: the bytes of the container's writable layer, which holds everything it wrote
            Long sizeRw = docker.inspectContainerCmd(claims.ref(sandboxId)).withSize(true).exec().getSizeRw();
            return sizeRw == null ? 0 : sizeRw;
        } catch (NotFoundException gone) {
            throw new RuntimeNotFoundException(sandboxId);
        }
    }

    @Override
    public LogTail.Result logs(String sandboxId, int lines, int maxBytes) {
        LogTail tail = new LogTail(maxBytes);
        try (var callback = docker.logContainerCmd(claims.ref(sandboxId))
                .withStdOut(true).withStdErr(true).withTail(lines)
                .exec(new ResultCallback.Adapter<Frame>() {
                    @Override
                    public void onNext(Frame frame) {
                        tail.accept(frame.getPayload());
                    }
                })) {
            callback.awaitCompletion(30, TimeUnit.SECONDS);
        } catch (NotFoundException gone) {
            throw new RuntimeNotFoundException(sandboxId);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WorkerUnavailableException("worker is shutting down");
        } catch (java.io.IOException e) {
            throw new ProviderFailureException("could not read the sandbox's logs");
        }
        return tail.finish();
    }

    @Override
    public List<String> capabilities() {
        return CAPABILITIES;
    }

    /**
     * The runtimes the engine has registered ({@code docker info}), among those a sandbox may name:
     * runc always, runsc when the operator registered gVisor (the launcher does, when it is
     * installed). Read again at most once a minute: registering a runtime restarts or reloads the
     * engine, not the worker.
     */
    @Override
    public List<String> ociRuntimes() {
        EngineFacts known = engineFacts();
        return known == null ? List.of() : known.runtimes();
    }

    /** Docker's server version ({@code docker version}'s Server.Version), read with the runtimes. */
    @Override
    public String engineVersion() {
        EngineFacts known = engineFacts();
        return known == null ? null : known.version();
    }

    /** The engine's runtimes and version, read again when a minute old; the last read when it does not answer. */
    private EngineFacts engineFacts() {
        EngineFacts known = engineFacts;
        if (known == null || known.readAt().plusSeconds(60).isBefore(java.time.Instant.now())) {
            try {
                java.util.Map<String, ?> registered = docker.infoCmd().exec().getRuntimes();
                List<String> offered = dev.stacyvm.contract.internal.SandboxSpec.RUNTIMES.stream()
                        .filter(name -> registered != null && registered.containsKey(name)).toList();
                known = new EngineFacts(offered, docker.versionCmd().exec().getVersion(), java.time.Instant.now());
                engineFacts = known;
            } catch (RuntimeException unanswered) {
                return known;
            }
        }
        return known;
    }

    /** The engine's runtimes and version as last read, and when. */
    private record EngineFacts(List<String> runtimes, String version, java.time.Instant readAt) {
    }

    private volatile EngineFacts engineFacts;

    @Override
    public boolean healthy() {
        try {
            docker.pingCmd().exec();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }
}
