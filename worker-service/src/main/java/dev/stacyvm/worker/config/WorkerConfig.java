package dev.stacyvm.worker.config;

import dev.stacyvm.contract.api.SandboxDefaults;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

@ConfigMapping(prefix = "stacyvm.worker")
public interface WorkerConfig {

    /** This worker's stable id; {@code worker-<hostname>} when not set. */
    Optional<String> id();

    /** The URL the scheduler and the gateway reach this worker at. */
    @WithDefault("http://127.0.0.1:7425")
    String advertisedEndpoint();

    /** How many live sandboxes this worker accepts. */
    @WithDefault("100")
    int capacity();

    /** Labels a sandbox's placement may ask for. */
    Map<String, String> labels();

    /** The scheduler this worker registers and heartbeats with. */
    @WithDefault("http://127.0.0.1:7424")
    String schedulerUrl();

    /** How often this worker renews its registration with the scheduler. */
    @WithDefault("5s")
    Duration heartbeatInterval();

    /** Docker engine endpoint. */
    @WithDefault("unix:///var/run/docker.sock")
    String dockerHost();

    /** Address preview ports are published on: loopback on a single host, a private interface beyond. */
    @WithDefault("127.0.0.1")
    String previewBindAddress();

    /**
     * Bytes of JSON one logs answer may hold (the newest lines that fit, oldest left out first);
     * the worker never holds more than this of a sandbox's logs.
     */
    @WithDefault("1048576")
    int logsMaxBytes();

    /** Bytes of stdout, and of stderr, an exec keeps; the rest is dropped and marked. */
    @WithDefault("16777216")
    int execOutputLimitBytes();

    /** The timeout of an exec that names none (the gateway normally always names one). */
    @WithDefault("60s")
    Duration execDefaultTimeout();

    /** How long after an exec's own timeout the worker stops waiting for it regardless. */
    @WithDefault("5s")
    Duration execTimeoutGrace();

    /** Containers started ahead of time, so that a create of their shape only has to claim one. */
    WarmPool warmPool();

    /**
     * The Docker network networked sandboxes join: a bridge with inter-container communication off,
     * which the worker creates when it is missing (and refuses to use when ICC is on).
     */
    @WithDefault("stacyvm-sandboxes")
    String sandboxNetwork();

    /** The locally built image (deploy/images/build-netctl-image.sh) that loads a sandbox's egress rules. */
    @WithDefault("stacyvm/netctl:1")
    String netctlImage();

    interface WarmPool {
        /** Containers kept ready per image; 0 turns the pool off. */
        @WithDefault("0")
        int size();

        /** The images to keep containers of; each pool has the shape below, without network or ports. */
        @WithDefault(SandboxDefaults.IMAGE)
        List<String> images();

        @WithDefault(SandboxDefaults.MEMORY_MB)
        int memoryMb();

        @WithDefault(SandboxDefaults.VCPUS)
        int vcpus();

        @WithDefault(SandboxDefaults.PIDS_LIMIT)
        int pidsLimit();

        /** How often pooled containers are checked, dead ones replaced and the pools topped up. */
        @WithDefault("5s")
        Duration checkInterval();
    }
}
