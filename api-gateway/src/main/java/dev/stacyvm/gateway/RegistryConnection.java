package dev.stacyvm.gateway;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.List;

/** A tenant's credential for one registry; {@code secret} is sealed ({@code RegistrySecrets}). */
@Entity
@Table(name = "registry_connection")
public class RegistryConnection extends PanacheEntityBase {

    @Id
    public String id;

    @Column(nullable = false)
    public String tenant;

    @Column(name = "owner_id", nullable = false)
    public String ownerId;

    @Column(nullable = false)
    public String provider;

    @Column(nullable = false)
    public String registry;

    @Column(nullable = false)
    public String username;

    @Column(nullable = false)
    public byte[] secret;

    @Column(name = "is_default", nullable = false)
    public boolean isDefault;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    /** The tenant's connections, by registry, the default of each first. */
    public static List<RegistryConnection> ofTenant(String tenant) {
        return list("tenant = ?1 order by registry, isDefault desc, createdAt", tenant);
    }
}
