package dev.stacyvm.gateway;

import dev.stacyvm.contract.api.NetworkPolicy;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** The egress policy an administrator set for a tenant: the bound of its sandboxes' policies. */
@Entity
@Table(name = "tenant_network_policy")
public class TenantNetworkPolicy extends PanacheEntityBase {

    @Id
    public String tenant;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    public NetworkPolicy policy;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;
}
