package dev.stacyvm.gateway;

import dev.stacyvm.contract.image.ImagePolicy;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** The image policy an administrator set for a tenant: the images its sandboxes may name. */
@Entity
@Table(name = "tenant_image_policy")
public class TenantImagePolicy extends PanacheEntityBase {

    @Id
    public String tenant;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    public ImagePolicy policy;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;
}
