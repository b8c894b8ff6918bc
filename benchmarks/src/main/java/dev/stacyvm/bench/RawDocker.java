package dev.stacyvm.bench;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Statistics;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The same operations done directly with docker-java against the same engine: the floor the suite
 * is measured against. Containers get the hardening the worker gives sandboxes.
 */
final class RawDocker {

    static final String LABEL = "dev.stacyvm.benchmark";
    private static final long MIB = 1024 * 1024;
    final DockerClient docker;
    private final String image;

    RawDocker(String host, String image) {
        var config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(host).build();
        this.docker = DockerClientImpl.getInstance(config, new ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost()).maxConnections(100).build());
        this.image = image;
    }

    String createAndStart() {
        return createAndStart("runc");
    }

    /** A container like a sandbox's (no capabilities, limits, no network), under the OCI runtime named. */
    String createAndStart(String runtime) {
        HostConfig host = HostConfig.newHostConfig().withRuntime(runtime).withCapDrop(Capability.ALL)
                .withSecurityOpts(List.of("no-new-privileges:true")).withPidsLimit(256L)
                .withMemory(512 * MIB).withMemorySwap(512 * MIB).withNanoCPUs(1_000_000_000L)
                .withNetworkMode("none").withInit(true)
                .withTmpFs(Map.of("/tmp", "rw,nosuid,nodev,size=256m,mode=1777"));
        String id = docker.createContainerCmd(image).withHostConfig(host).withLabels(Map.of(LABEL, "true"))
                .withCmd("/bin/sh", "-c", "while :; do sleep 3600 & wait $!; done").withEntrypoint(List.of())
                .exec().getId();
        docker.startContainerCmd(id).exec();
        return id;
    }

    /** Runs a command to its end; answers how many bytes it wrote. */
    long exec(String container, String... command) throws InterruptedException {
        String exec = docker.execCreateCmd(container).withCmd(command).withAttachStdout(true).withAttachStderr(true)
                .exec().getId();
        AtomicLong bytes = new AtomicLong();
        docker.execStartCmd(exec).exec(new ResultCallback.Adapter<Frame>() {
            @Override
            public void onNext(Frame frame) {
                bytes.addAndGet(frame.getPayload().length);
            }
        }).awaitCompletion(5, TimeUnit.MINUTES);
        Long exit = docker.inspectExecCmd(exec).exec().getExitCodeLong();
        if (exit == null || exit != 0) {
            throw new IllegalStateException("raw exec exited with " + exit);
        }
        return bytes.get();
    }

    void write(String container, String directory, InputStream tar) {
        docker.copyArchiveToContainerCmd(container).withRemotePath(directory).withTarInputStream(tar).exec();
    }

    long read(String container, String path) throws Exception {
        try (InputStream tar = docker.copyArchiveFromContainerCmd(container, path).exec()) {
            return tar.transferTo(java.io.OutputStream.nullOutputStream());
        }
    }

    /** The host port a container's {@code port} is published on. */
    String publishedPort(String container, int port) {
        var bindings = docker.inspectContainerCmd(container).exec().getNetworkSettings().getPorts().getBindings();
        return bindings.get(com.github.dockerjava.api.model.ExposedPort.tcp(port))[0].getHostPortSpec();
    }

    void remove(String container) {
        docker.removeContainerCmd(container).withForce(true).exec();
    }

    /** The memory a container uses now, as the engine reports it. */
    long memoryBytes(String container) throws InterruptedException {
        AtomicReference<Statistics> stats = new AtomicReference<>();
        docker.statsCmd(container).withNoStream(true).exec(new ResultCallback.Adapter<Statistics>() {
            @Override
            public void onNext(Statistics statistics) {
                stats.compareAndSet(null, statistics);
            }
        }).awaitCompletion(30, TimeUnit.SECONDS);
        Statistics s = stats.get();
        return s == null || s.getMemoryStats() == null || s.getMemoryStats().getUsage() == null ? 0
                : s.getMemoryStats().getUsage();
    }
}
