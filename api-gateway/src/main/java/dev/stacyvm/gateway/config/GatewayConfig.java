package dev.stacyvm.gateway.config;

import dev.stacyvm.contract.api.SandboxDefaults;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;

@ConfigMapping(prefix = "stacyvm.gateway")
public interface GatewayConfig {

    /** The bootstrap admin API key; `./stacyvm up` generates one and prints it. */
    String adminApiKey();

    /** The tenant the bootstrap admin key belongs to. */
    @WithDefault("default")
    String adminTenant();

    /** Where the scheduler's internal API answers. */
    @WithDefault("http://127.0.0.1:7424")
    String schedulerUrl();

    /** Where the audit service's internal API answers. */
    @WithDefault("http://127.0.0.1:7426")
    String auditUrl();

    /** How long the gateway waits for the scheduler (a create includes starting the container). */
    @WithDefault("150s")
    Duration schedulerTimeout();

    /** Defaults and bounds for sandboxes. */
    Sandboxes sandboxes();

    /** Defaults and bounds for exec. */
    Exec exec();

    /**
     * The default quota of every owner, beside {@code sandboxes.max-per-owner},
     * {@code sandboxes.max-ttl} and {@code exec.max-timeout}; administrators override it per owner.
     */
    Quotas quotas();

    /** Tokens for private previews. */
    Preview preview();

    /** Uploads under way at once (file writes, archive uploads, any streamed body). */
    Uploads uploads();

    interface Uploads {
        /**
         * Uploads one owner, and separately one API key, may have under way at once; one more is
         * {@code 429 too_many_uploads} with Retry-After.
         */
        @WithDefault("4")
        int maxConcurrentPerCaller();

        /** The Retry-After a refused upload is sent with. */
        @WithDefault("5s")
        Duration retryAfter();
    }

    interface Preview {
        /** The secret preview tokens are signed with; the preview-router checks them with the same one. */
        String tokenSecret();

        /**
         * How long a preview token opens its preview (never beyond the sandbox's expiry). Short,
         * because a token in the wrong hands opens the app until then or until the sandbox's
         * preview is rotated; clients fetch a new one when it runs out.
         */
        @WithDefault("15m")
        Duration tokenTtl();

        /**
         * Where previews are served, as http or https origins whose host may start with {@code *.}
         * ({@code http://*.localhost:7480}: the preview domain with a wildcard for its
         * {@code {port}-{id}} hosts): the only origins the web console frames. Left out, the console
         * frames any http or https origin; {@code ./stacyvm up} sets it from the scheduler's preview
         * scheme, domain and port unless it is set.
         */
        java.util.Optional<List<String>> origins();
    }

    /**
     * The secret tenants' registry credentials are sealed under at rest ({@code RegistrySecrets});
     * changing it makes every stored connection unusable until saved again.
     */
    String registrySecretsKey();

    /** Builds (docs/images.md, Builds): their sandboxes' size, how many run at once, how long one may take. */
    Builds builds();

    interface Builds {
        /** Builds this gateway runs at once; more wait, {@code queued}. */
        @WithDefault("2")
        int concurrency();

        /** Builds one owner may have queued or running at once; past it {@code 429 resource_limit}. */
        @WithDefault("2")
        int maxPerOwner();

        /** Builds one tenant may have queued or running at once; past it {@code 429 resource_limit}. */
        @WithDefault("8")
        int maxPerTenant();

        /** Builds waiting in this gateway at once; past it a new build is {@code 429 capacity_exhausted}. */
        @WithDefault("32")
        int maxQueued();

        /** The longest a build may run, from its start to its image; past it the build fails. */
        @WithDefault("20m")
        Duration timeout();

        /** The build sandbox's memory (MiB). */
        @WithDefault("1024")
        int memoryMb();

        /** The build sandbox's vCPUs. */
        @WithDefault("1")
        int vcpus();

        /** The build sandbox's disk (MiB): everything its steps may write. */
        @WithDefault("4096")
        int diskMb();

        /** The build sandbox's pids limit. */
        @WithDefault("512")
        int pidsLimit();

        /** The largest Dockerfile build context (MiB). */
        @WithDefault("64")
        int maxContextMb();

        /** How much of a build's log is kept (bytes; the newest). */
        @WithDefault("1048576")
        int maxLogBytes();
    }

    /** Limits on templates. */
    Templates templates();

    interface Templates {
        /** The most warm sandboxes one template may ask each worker to keep ({@code pool_size}). */
        @WithDefault("4")
        int maxPoolSize();
    }

    /** How OIDC bearer tokens map to callers (Quarkus OIDC's own settings verify them). */
    Oidc oidc();

    interface Oidc {
        /** The token claim that names the caller's tenant. */
        @WithDefault("stacyvm_tenant")
        String tenantClaim();

        /** The tenant of a token without that claim. */
        @WithDefault("default")
        String defaultTenant();

        /**
         * The public client the web console signs in with (OAuth 2.0 authorization code with PKCE,
         * RFC 7636), when OIDC is on; its tokens must carry this gateway's audience like any other.
         */
        @WithDefault("stacyvm-console")
        String consoleClientId();
    }

    interface Quotas {
        /** The memory all of one owner's live sandboxes may hold together. */
        @WithDefault("32768")
        int maxMemoryMb();

        /** The vCPUs all of one owner's live sandboxes may hold together. */
        @WithDefault("32")
        int maxVcpus();

        /** The disk (MiB) all of one owner's live sandboxes may ask for together ({@code disk_mb}). */
        @WithDefault("524288")
        int maxDiskMb();

        /** Requests one owner may make per minute (a token bucket); 0 is no limit. */
        @WithDefault("0")
        int requestsPerMinute();
    }

    interface Sandboxes {
        /** The image a create without {@code image} gets: the base image `./stacyvm up` builds. */
        @WithDefault(SandboxDefaults.IMAGE)
        String defaultImage();

        /**
         * Providers a create may name ({@code docker}, {@code mock}: docs/providers.md); the first
         * is the default, mock excepted: it is never one, so a create must name it.
         */
        @WithDefault("docker")
        List<String> providers();

        /** The provider a create without {@code provider} gets: the first listed other than mock; none when mock is all. */
        default java.util.Optional<String> defaultProvider() {
            return providers().stream()
                    .filter(name -> !name.equals(dev.stacyvm.contract.internal.SandboxSpec.MOCK_PROVIDER)).findFirst();
        }

        /**
         * The OCI runtime a create without {@code runtime} gets, one of
         * {@link dev.stacyvm.contract.internal.SandboxSpec#RUNTIMES} ({@code runsc}: every sandbox
         * under gVisor unless it asks for runc). Mock sandboxes take none.
         */
        @WithDefault(dev.stacyvm.contract.internal.SandboxSpec.DEFAULT_RUNTIME)
        String defaultRuntime();

        @WithDefault(SandboxDefaults.MEMORY_MB)
        int defaultMemoryMb();

        @WithDefault("8192")
        int maxMemoryMb();

        @WithDefault(SandboxDefaults.VCPUS)
        int defaultVcpus();

        @WithDefault("8")
        int maxVcpus();

        @WithDefault("30m")
        Duration defaultTtl();

        /** A longer {@code ttl} is capped to this. */
        @WithDefault("24h")
        Duration maxTtl();

        @WithDefault(SandboxDefaults.PIDS_LIMIT)
        int defaultPidsLimit();

        /** Live sandboxes one owner may have at once; a create beyond is {@code resource_limit}. */
        @WithDefault("50")
        int maxPerOwner();

        @WithDefault("4096")
        int maxPidsLimit();

        /** The disk (MiB) a create without {@code disk_mb} gets: all it may write, /tmp included. */
        @WithDefault(SandboxDefaults.DISK_MB)
        int defaultDiskMb();

        /** The largest {@code disk_mb} a create may ask for. */
        @WithDefault("1048576")
        int maxDiskMb();

        /** How long {@code GET /sandboxes/{id}} waits for the worker's disk figure before leaving it out. */
        @WithDefault("2s")
        Duration diskUsageTimeout();
    }

    interface Exec {
        @WithDefault("60s")
        Duration defaultTimeout();

        /** A longer {@code timeout} is refused with {@code resource_limit} (no retry can help). */
        @WithDefault("1h")
        Duration maxTimeout();
    }

    /** {@code GET /api/v1/events}, the Server-Sent Event streams. */
    Events events();

    interface Events {
        /** Streams one gateway serves at once (each holds a Kafka consumer and a worker thread). */
        @WithDefault("64")
        int maxStreams();

        /** Streams one key (its namespace, end users included) holds at once on one gateway. */
        @WithDefault("8")
        int maxStreamsPerKey();

        /** A quiet stream sends a comment this often, so proxies keep it and a gone client is noticed. */
        @WithDefault("15s")
        Duration heartbeat();

        /**
         * A stream ends after this long and its client reconnects with its last id (EventSource does
         * by itself): the bound on how long a revoked key goes on seeing events.
         */
        @WithDefault("10m")
        Duration maxDuration();

        /** The reconnection delay a stream tells EventSource clients ({@code retry:}). */
        @WithDefault("2s")
        Duration retry();
    }

    /** What the gateway records beyond the callers' own actions. */
    DeniedLookupAudit deniedLookups();

    interface DeniedLookupAudit {
        /**
         * How many lookups of another owner's sandbox or template one caller may leave in the audit
         * log per minute, one record each; the rest of that minute are counted and recorded as one
         * summary, so a flood of guesses cannot flood the log.
         */
        @WithDefault("20")
        int perCallerPerMinute();
    }

    /** How many requests refused for their credential the audit log takes (anyone can send them). */
    DeniedAuthenticationAudit deniedAuthentications();

    interface DeniedAuthenticationAudit {
        /** Records of one source address per minute; the rest are counted and recorded as one summary. */
        @WithDefault("20")
        int perAddressPerMinute();

        /** Records of all addresses together per minute, so many addresses cannot flood the log either. */
        @WithDefault("600")
        int totalPerMinute();
    }
}
