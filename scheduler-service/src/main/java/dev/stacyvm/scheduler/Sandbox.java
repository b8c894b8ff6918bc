package dev.stacyvm.scheduler;

import dev.stacyvm.contract.api.NetworkPolicy;
import dev.stacyvm.contract.api.SandboxState;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** The scheduler's record of one sandbox: what was asked for, where it runs, what state it is in. */
@Entity
@Table(name = "sandbox")
public class Sandbox extends PanacheEntityBase {

    @Id
    public String id;

    @Column(name = "owner_id", nullable = false)
    public String ownerId;

    /** The tenant of the owner ({@link dev.stacyvm.contract.api.OwnerIds#tenantOf}). */
    @Column(name = "owner_tenant", nullable = false)
    public String ownerTenant;

    /** The key id whose namespace the owner lives in ({@link dev.stacyvm.contract.api.OwnerIds#keyIdOf}). */
    @Column(name = "owner_key", nullable = false)
    public String ownerKey;

    @Convert(converter = SandboxStateColumn.class)
    @Column(nullable = false)
    public SandboxState state;

    @Column(nullable = false)
    public String provider;

    /** The OCI runtime the sandbox runs under: runc or runsc (gVisor). */
    @Column(nullable = false)
    public String runtime;

    /**
     * Whether its provider and runtime were certified on its worker's host when it was placed; null
     * for a sandbox recorded before certification (docs/certification.md).
     */
    public Boolean certified;

    @Column(nullable = false)
    public String image;

    @Column(name = "memory_mb", nullable = false)
    public int memoryMb;

    @Column(nullable = false)
    public int vcpus;

    @Column(name = "pids_limit", nullable = false)
    public int pidsLimit;

    /** The disk the sandbox may write, in MiB (0: created before sandboxes had a disk size). */
    @Column(name = "disk_mb", nullable = false)
    public int diskMb;

    @Column(nullable = false)
    public String network;

    /** The effective egress policy of a bridge sandbox; null without a network (or from before policies: open). */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "network_policy")
    public NetworkPolicy networkPolicy;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    public List<Integer> ports;

    @Column(name = "public_preview", nullable = false)
    public boolean publicPreview;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    public Map<String, String> metadata;

    @Column(name = "worker_id")
    public String workerId;

    @Column(name = "runtime_id")
    public String runtimeId;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "published_ports", nullable = false)
    public Map<Integer, Integer> publishedPorts;

    /** How many destroys of this sandbox failed, and when the next attempt is due. */
    @Column(name = "destroy_attempts", nullable = false)
    public int destroyAttempts;

    @Column(name = "retry_at")
    public Instant retryAt;

    /** Where the published preview ports listen (the worker's preview address). */
    @Column(name = "preview_host")
    public String previewHost;

    /** The digest of the image it runs, as its worker answered; null until it runs. */
    @Column(name = "image_digest")
    public String imageDigest;

    /** While creating: how far its create has come (its image's pull), as its worker said; else null. */
    @Column(name = "progress")
    public String progress;

    /** Moved on by a preview rotation: tokens of an earlier generation are refused by the preview-router. */
    @Column(name = "preview_generation", nullable = false)
    public long previewGeneration;

    public String error;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "expires_at", nullable = false)
    public Instant expiresAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    @Version
    public long version;

    /** Whether this is a build's sandbox ({@link dev.stacyvm.contract.internal.SandboxSpec#BUILD_METADATA}). */
    public boolean isBuild() {
        return metadata != null && metadata.containsKey(dev.stacyvm.contract.internal.SandboxSpec.BUILD_METADATA);
    }

    /** Sandboxes not yet destroyed: one owner's, one tenant's, or all. */
    public static List<Sandbox> listVisible(String ownerId, String tenant) {
        if (ownerId != null) {
            return list("ownerId = ?1 and state <> ?2 order by createdAt", ownerId, SandboxState.DESTROYED);
        }
        if (tenant != null) {
            return list("ownerTenant = ?1 and state <> ?2 order by createdAt", tenant, SandboxState.DESTROYED);
        }
        return list("state <> ?1 order by createdAt", SandboxState.DESTROYED);
    }
}
