package dev.stacyvm.scheduler;

import dev.stacyvm.contract.internal.ImagePins;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.List;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** The warm pools one service asks every worker to keep. */
@Entity
@Table(name = "warm_pool_demand")
public class WarmPoolDemands extends PanacheEntityBase {

    @Id
    public String source;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    public List<ImagePins.WarmPoolDemand> pools;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;
}
