package dev.stacyvm.gateway;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.List;

/**
 * A build (StacyVM's {@code /environments/builds}), of a spec or of a Dockerfile: its state
 * ({@code queued}, {@code building}, {@code ready}, {@code failed}, {@code canceled}), its log, and
 * the image it makes on the worker that ran it.
 */
@Entity
@Table(name = "environment_build")
public class EnvironmentBuild extends PanacheEntityBase {

    public static final String QUEUED = "queued";
    public static final String BUILDING = "building";
    public static final String READY = "ready";
    public static final String FAILED = "failed";
    public static final String CANCELED = "canceled";

    @Id
    public String id;

    @Column(name = "spec_id")
    public String specId;

    @Column(nullable = false)
    public String tenant;

    @Column(name = "owner_id", nullable = false)
    public String ownerId;

    @Column(nullable = false)
    public String name;

    /** The image it starts from, checked against the tenant's image policy again at every create of its image. */
    @Column(name = "base_image", nullable = false)
    public String baseImage;

    @Column(nullable = false)
    public String status;

    @Column(name = "current_step", nullable = false)
    public String currentStep;

    /** The newest of the build's log, at most {@code builds.max-log-bytes}. */
    @Column(nullable = false)
    public String log;

    /** How many characters of the log were dropped from its start to keep it within bounds. */
    @Column(name = "log_dropped", nullable = false)
    public long logDropped;

    public String error;

    @Column(nullable = false)
    public String image;

    public String digest;

    @Column(name = "image_size_bytes", nullable = false)
    public long imageSizeBytes;

    @Column(name = "worker_id")
    public String workerId;

    @Column(name = "sandbox_id")
    public String sandboxId;

    @Column(name = "cancel_requested", nullable = false)
    public boolean cancelRequested;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "started_at")
    public Instant startedAt;

    @Column(name = "finished_at")
    public Instant finishedAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    public boolean finished() {
        return READY.equals(status) || FAILED.equals(status) || CANCELED.equals(status);
    }

    public static EnvironmentBuild byImage(String image) {
        return find("image", image).firstResult();
    }

    public static List<EnvironmentBuild> listOwned(String ownerId, int limit) {
        return find("ownerId = ?1 order by createdAt desc", ownerId).page(0, limit).list();
    }

    public static List<EnvironmentBuild> listOfTenant(String tenant, int limit) {
        return find("tenant = ?1 order by createdAt desc", tenant).page(0, limit).list();
    }
}
