package dev.stacyvm.scheduler;

import dev.stacyvm.contract.api.HostCapacity;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A worker host the scheduler may place sandboxes on, as it last reported itself. */
@Entity
@Table(name = "worker")
public class Worker extends PanacheEntityBase {

    public static final String READY = "ready";
    public static final String LOST = "lost";
    /** Shut down cleanly: no new sandboxes; its sandboxes wait for it (or for the lost timeout). */
    public static final String STOPPING = "stopping";

    /** The fencing generation: raised whenever a new process of this worker takes it over. */
    @Column(nullable = false)
    public long generation;

    /** The process instance that holds the current generation. */
    @Column(name = "instance_id")
    public String instanceId;

    @Id
    public String id;

    @Column(nullable = false)
    public String endpoint;

    @Column(nullable = false)
    public String status;

    @Column(nullable = false)
    public int capacity;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    public List<String> providers;

    /** The OCI runtimes its engine offers sandboxes, as it last advertised (runc only before it did). */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    public List<String> runtimes;

    /**
     * The provider/runtime pairs certified on its host ({@code docker/runsc}), as it last advertised:
     * placement puts a sandbox only on a certified pair unless the operator allows others.
     */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    public List<String> certified;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    public Map<String, String> labels;

    /** MiB of sandbox memory the host holds in all, as advertised; null: nothing advertised. */
    @Column(name = "host_memory_mb")
    public Long hostMemoryMb;

    /** vCPUs the host's sandboxes may hold together (cores times the worker's overcommit ratio). */
    @Column(name = "host_vcpus")
    public Long hostVcpus;

    /** The sum of pids_limit the host's sandboxes may hold together. */
    @Column(name = "host_pids")
    public Long hostPids;

    /** The host's cores: the most vCPUs one sandbox may have there. */
    @Column(name = "host_cores")
    public Long hostCores;

    /** The largest pids_limit one sandbox may have on this host. */
    @Column(name = "host_max_pids_limit")
    public Long hostMaxPidsLimit;

    /** The sum of disk_mb (MiB) the host's sandboxes may declare together. */
    @Column(name = "host_disk_mb")
    public Long hostDiskMb;

    /** The largest disk_mb (MiB) one sandbox may have on this host. */
    @Column(name = "host_max_disk_mb")
    public Long hostMaxDiskMb;

    /** MiB free on the engine's data root at the last heartbeat, less the host's reserve. */
    @Column(name = "host_disk_free_mb")
    public Long hostDiskFreeMb;

    @Column(name = "registered_at", nullable = false)
    public Instant registeredAt;

    @Column(name = "last_heartbeat", nullable = false)
    public Instant lastHeartbeat;

    /** What the host can hold as last advertised, or null when the worker advertised nothing. */
    public HostCapacity host() {
        if (hostMemoryMb == null || hostVcpus == null || hostPids == null || hostCores == null
                || hostMaxPidsLimit == null) {
            return null;
        }
        return new HostCapacity(hostMemoryMb, hostVcpus, hostPids, hostCores, hostMaxPidsLimit,
                hostDiskMb == null ? 0 : hostDiskMb, hostMaxDiskMb == null ? 0 : hostMaxDiskMb,
                hostDiskFreeMb == null ? 0 : hostDiskFreeMb);
    }
}
