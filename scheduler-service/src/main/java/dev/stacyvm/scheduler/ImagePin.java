package dev.stacyvm.scheduler;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;

/** An image a service declared that no worker's garbage collection may remove. */
@Entity
@Table(name = "image_pin")
public class ImagePin extends PanacheEntityBase {

    /** The declaring service and the image reference. */
    @Embeddable
    public record Id(@Column(name = "source") String source, @Column(name = "image") String image)
            implements Serializable {
    }

    @EmbeddedId
    public Id id;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;
}
