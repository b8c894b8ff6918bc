package dev.stacyvm.gateway;

import dev.stacyvm.contract.api.TemplateRequest;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.List;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A named set of create settings; each owner has their own names. */
@Entity
@Table(name = "template")
@IdClass(Template.Key.class)
public class Template extends PanacheEntityBase {

    @Id
    @Column(name = "owner_id")
    public String ownerId;

    @Id
    public String name;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    public TemplateRequest spec;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    public record Key(String ownerId, String name) implements Serializable {
        public Key() {
            this(null, null);
        }
    }

    public static Template find(String ownerId, String name) {
        return findById(new Key(ownerId, name));
    }

    public static List<Template> listOwned(String ownerId) {
        return list("ownerId = ?1 order by name", ownerId);
    }
}
