package dev.stacyvm.worker.config;

import dev.stacyvm.contract.api.SandboxDefaults;
import dev.stacyvm.worker.provider.docker.ImagePulls;
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

    /**
     * The sandbox providers this worker runs, by name, the first being where a sandbox whose provider
     * the worker does not know is looked for ({@code docker}; {@code mock} keeps sandboxes in memory,
     * for demos and client tests: docs/providers.md). A name no provider of this build has stops the
     * worker at start.
     */
    @WithDefault("docker")
    List<String> providers();

    /**
     * Folders of certification reports ({@code ./stacyvm certify}'s JSON files: docs/certification.md)
     * this worker's certification state is decided from: the host's own, and the published ones of
     * the same host configuration. None: nothing is certified.
     */
    Optional<List<java.nio.file.Path>> certificationDirs();

    /** The {@code proot} provider's settings (docs/providers.md "proot"). */
    Proot proot();

    /**
     * Where PRoot sandboxes' images come from: a folder of root filesystem archives
     * ({@code <reference with / and : as _>.tar}, its environment in {@code .env} beside it). Default:
     * {@code <state-dir>/proot-images}, which the launcher fills from the engine's base image.
     */
    interface Proot {
        Optional<java.nio.file.Path> imagesDir();
    }

    /** The {@code microvm} provider's settings (docs/providers.md "microvm"). */
    Microvm microvm();

    /**
     * Where microVM sandboxes come from. {@code images-dir}: ext4 root disks made from images
     * ({@code <reference with / and : as _>.ext4}, the environment in {@code .env} beside it;
     * default {@code <state-dir>/microvm-images}, which the launcher fills from the engine's base
     * image). {@code guest-dir}: the kernel ({@code vmlinuz}) and initramfs ({@code initramfs.cpio})
     * every guest boots (default {@code <state-dir>/microvm-guest}, built by the launcher).
     * {@code accel}: QEMU's accelerator, {@code tcg} (software emulation, works anywhere, not a
     * security boundary) or {@code kvm} (hardware virtualisation).
     */
    interface Microvm {
        Optional<java.nio.file.Path> imagesDir();

        Optional<java.nio.file.Path> guestDir();

        @WithDefault("tcg")
        String accel();

        /**
         * Whether sandboxes start from a snapshot of a booted guest (one per image, memory and vCPUs,
         * taken at the first create of each) rather than booting: a restore takes a fraction of a boot.
         */
        @WithDefault("true")
        boolean snapshots();
    }

    /** The runtime the {@code remote} provider drives (docs/remote-runtime.md). */
    Remote remote();

    /**
     * A runtime a team runs itself, spoken to over the remote runtime contract: its base URL
     * ({@code http} or {@code https}; its {@code /v1} calls and WebSocket sessions live under it)
     * and the bearer token it wants. Without a URL the {@code remote} provider is unhealthy and
     * offers nothing.
     */
    interface Remote {
        Optional<java.net.URI> url();

        Optional<String> token();

        /** How long a unary call (create, destroy, stats, ...) may take before it fails as {@code provider_error}. */
        @WithDefault("60s")
        Duration callTimeout();
    }

    /** Docker engine endpoint. */
    @WithDefault("unix:///var/run/docker.sock")
    String dockerHost();

    /**
     * The numeric {@code uid:gid} every sandbox runs as (its container, every exec and every file
     * operation), whatever user its image names; root ({@code 0}) is refused at start. Only a
     * sandbox made from a template an administrator allowed to run as root runs as root.
     */
    @WithDefault("1000:1000")
    String sandboxUser();

    /**
     * Size in MiB of {@code /workspace} when a sandbox's root filesystem is read-only: it is then a
     * memory-backed tmpfs owned by the sandbox user, so its contents count against the sandbox's memory.
     */
    @WithDefault("1024")
    int readOnlyWorkspaceMb();

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

    /**
     * Host path of the static sandbox agent ({@code agent/}), bind-mounted read-only into every
     * sandbox at {@code /.stacyvm/bin/stacyvm-agent}; every exec runs through it. The launcher sets
     * it to its build; it must be readable by the Docker engine and mode 0755.
     */
    @WithDefault("/usr/lib/stacyvm/stacyvm-agent")
    String agentPath();

    /**
     * Whether each sandbox's agent serves the worker on a Unix socket (docs/agent-protocol.md), which
     * runs execs and file operations without the engine's exec API; false runs them all through the
     * engine, as it does for a sandbox whose agent does not answer.
     */
    @WithDefault("true")
    boolean agentSocket();

    /**
     * A folder of the worker's own (mode 0700, on the host the engine runs on), holding what it
     * keeps beside the engine: each sandbox's name files ({@code resolution-files/}), which the
     * engine bind-mounts read-only. The launcher sets it to {@code $STACYVM_HOME/worker}.
     */
    @WithDefault("/var/lib/stacyvm/worker")
    String stateDir();

    /** Containers started ahead of time, so that a create of their shape only has to claim one. */
    WarmPool warmPool();

    /** What this worker's host can hold, advertised on every heartbeat; placement never passes it. */
    Host host();

    interface Host {
        /** The host's memory in MiB; read from /proc/meminfo (MemTotal) when not set. */
        Optional<Long> memoryMb();

        /** MiB kept for the host itself (engine, services, page cache): never given to sandboxes. */
        @WithDefault("2048")
        long memoryReserveMb();

        /** The host's cores; the processors this JVM sees when not set. */
        Optional<Integer> cpus();

        /**
         * vCPUs sandboxes may hold together per host core: a sandbox's vcpus is a ceiling it may
         * burst to, not a reservation, so mostly idle sandboxes can share a core.
         */
        @WithDefault("8")
        double vcpuOvercommit();

        /**
         * The sum of pids_limit this host's sandboxes may hold together; when not set, the
         * smaller of kernel.pid_max and kernel.threads-max less {@code pids-reserve}.
         */
        Optional<Long> pids();

        /** Processes and threads kept for the host itself when the pids budget is derived. */
        @WithDefault("8192")
        long pidsReserve();

        /** The largest pids_limit one sandbox may have on this host; a larger one is refused. */
        @WithDefault("1024")
        int maxPidsLimit();

        /**
         * MiB of disk sandboxes may use on this host, the largest disk_mb one may have; when not
         * set, the size of the filesystem holding the engine's data root less {@code disk-reserve-mb}.
         */
        Optional<Long> diskMb();

        /** MiB of the data root's filesystem kept free for the host (images, logs, the engine itself). */
        @WithDefault("2048")
        long diskReserveMb();

        /**
         * The sum of disk_mb this host's sandboxes may declare together per MiB of {@code disk-mb}:
         * a disk_mb is a ceiling the engine enforces on what a sandbox writes, not space set aside,
         * so most sandboxes leave most of theirs unused. A new sandbox also needs its disk_mb free.
         */
        @WithDefault("8")
        double diskOvercommit();
    }

    /** How much a sandbox may write, and whether the engine must be able to hold it to that. */
    Disk disk();

    /** How the disk a sandbox has written is measured for {@code GET /sandboxes/{id}}. */
    DiskUsage diskUsage();

    /** The size of each container's output log on the host (the engine's json-file driver). */
    ContainerLogs containerLogs();

    /** How the worker gets images it lacks (docs/images.md). */
    Images images();

    interface Images {
        /**
         * {@code if-not-present}: a missing image is pulled; {@code always}: every create pulls;
         * {@code never}: a missing image is refused ({@code bad_request}).
         */
        @WithDefault("if-not-present")
        ImagePulls.PullPolicy pullPolicy();

        /**
         * Registries that serve Docker Hub's images, asked first and in order for a reference
         * without a registry ({@code alpine:latest}), as the engine's {@code registry-mirrors}:
         * URLs ({@code http://127.0.0.1:5000}) or {@code host:port}. Set by the launcher from
         * {@code STACYVM_REGISTRY_MIRRORS} (comma-separated).
         */
        Optional<List<String>> registryMirrors();

        /**
         * Whether Docker Hub's images come from the mirrors alone, Docker Hub itself never asked:
         * an air-gapped site's setting (the launcher's {@code STACYVM_REGISTRY_MIRRORS_ONLY}).
         */
        @WithDefault("false")
        boolean mirrorsOnly();

        /**
         * Registries at private, loopback or link-local addresses that references may name
         * ({@code host} for any port, or {@code host:port}); any other such registry is refused
         * before the engine is asked (the launcher's {@code STACYVM_PRIVATE_REGISTRIES}).
         */
        Optional<List<String>> privateRegistries();

        /**
         * The longest a pull may take; a create waiting longer is {@code unavailable}. Below the
         * scheduler's {@code worker-call-timeout} (120 s), which a create's pull is part of, so
         * the caller hears of a slow pull from the worker, not a timeout from the scheduler.
         */
        @WithDefault("90s")
        Duration pullTimeout();

        /**
         * MiB the engine's images may take before garbage collection removes unused ones (sizes
         * as the engine reports them, shared layers counted with each image); 0 turns it off.
         */
        @WithDefault("20480")
        long diskBudgetMb();

        /** How long an image must have gone unused before garbage collection may remove it. */
        @WithDefault("1h")
        Duration unusedFor();

        /** How often garbage collection looks. */
        @WithDefault("5m")
        Duration gcInterval();
    }

    interface Disk {
        /** MiB a sandbox may write when its spec names none (a scheduler that predates {@code disk_mb}). */
        @WithDefault(SandboxDefaults.DISK_MB)
        int defaultMb();

        /**
         * {@code required}: a worker whose engine cannot limit a container's writable layer
         * ({@code --storage-opt size}) takes no sandboxes and is not ready; {@code best-effort}:
         * it starts them without a disk limit and says so in its log.
         */
        @WithDefault("best-effort")
        Enforcement enforcement();

        /** Whether a disk limit the engine cannot enforce stops the worker. */
        enum Enforcement {
            REQUIRED, BEST_EFFORT
        }
    }

    interface DiskUsage {
        /**
         * How long a measured figure is answered again while no call that could write has reached
         * the sandbox (what a background process writes shows after at most this long).
         */
        @WithDefault("30s")
        Duration maxAge();

        /** How long a caller waits for a new measurement (they run one at a time per worker). */
        @WithDefault("10s")
        Duration maxWait();
    }

    interface ContainerLogs {
        /** The largest one log file grows before the engine rotates it (json-file {@code max-size}, e.g. 10m). */
        @WithDefault("10m")
        String maxSize();

        /** How many log files (the current one and rotated ones) the engine keeps per container. */
        @WithDefault("3")
        int maxFile();
    }
    /**
     * The Docker network networked sandboxes join: a bridge with inter-container communication off,
     * which the worker creates when it is missing (and refuses to use when ICC is on).
     */
    @WithDefault("stacyvm-sandboxes")
    String sandboxNetwork();

    /** The locally built image (deploy/images/build-netctl-image.sh) that loads a sandbox's egress rules. */
    @WithDefault("stacyvm/netctl:1")
    String netctlImage();

    /**
     * The IPv4 name servers in a networked sandbox's {@code /etc/resolv.conf} under open egress
     * (port 53 to them passes its rules, even at private addresses). Default: the host's own, from
     * {@code /etc/resolv.conf} or systemd-resolved's upstream list, loopback ones left out. Never
     * the engine's embedded DNS, which names every sandbox on the network.
     */
    Optional<List<String>> sandboxDns();

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

        /** MiB each pooled container may write. */
        @WithDefault(SandboxDefaults.DISK_MB)
        int diskMb();

        /** How often pooled containers are checked, dead ones replaced and the pools topped up. */
        @WithDefault("5s")
        Duration checkInterval();

        /**
         * The most warm containers this worker keeps for templates' {@code pool_size} together,
         * beyond its own pools: templates are their owners' to save, the host is the operator's.
         */
        @WithDefault("8")
        int maxTemplateContainers();

        /** How often the templates' pools are read from the scheduler. */
        @WithDefault("15s")
        Duration demandInterval();
    }
}
