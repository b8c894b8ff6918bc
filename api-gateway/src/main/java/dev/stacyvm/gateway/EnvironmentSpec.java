package dev.stacyvm.gateway;

import dev.stacyvm.contract.api.NetworkPolicy;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.List;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** An environment spec (StacyVM's {@code /environments/specs}): a base image plus packages to build. */
@Entity
@Table(name = "environment_spec")
public class EnvironmentSpec extends PanacheEntityBase {

    @Id
    public String id;

    @Column(nullable = false)
    public String tenant;

    @Column(name = "owner_id", nullable = false)
    public String ownerId;

    @Column(nullable = false)
    public String name;

    @Column(name = "base_image", nullable = false)
    public String baseImage;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "python_packages", nullable = false)
    public List<String> pythonPackages;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "apt_packages", nullable = false)
    public List<String> aptPackages;

    @Column(name = "python_version")
    public String pythonVersion;

    @Column(name = "pip_index_url")
    public String pipIndexUrl;

    /** The egress a build of it has (bounded by the tenant's policy); null: open egress to public addresses. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "network_policy")
    public NetworkPolicy networkPolicy;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    public static List<EnvironmentSpec> listOwned(String ownerId) {
        return list("ownerId = ?1 order by createdAt desc", ownerId);
    }

    public static List<EnvironmentSpec> listOfTenant(String tenant) {
        return list("tenant = ?1 order by createdAt desc", tenant);
    }
}
