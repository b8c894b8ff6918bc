package dev.stacyvm.scheduler;

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

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    public Map<String, String> labels;

    @Column(name = "registered_at", nullable = false)
    public Instant registeredAt;

    @Column(name = "last_heartbeat", nullable = false)
    public Instant lastHeartbeat;
}
