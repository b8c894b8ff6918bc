package dev.stacyvm.scheduler.service;

import dev.stacyvm.scheduler.Sandbox;
import dev.stacyvm.scheduler.config.SchedulerConfig;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.List;
import java.util.UUID;

/**
 * Leases in PostgreSQL for the background work that must run on one scheduler instance at a time
 * when several run: an instance does the work only while it holds the lease, renews it every round,
 * and any instance takes it over once it lapsed ({@code lease-ttl} after the holder's last round,
 * or at once when the holder shut down cleanly).
 */
@ApplicationScoped
public class SchedulerLeases {

    public static final String MAINTENANCE = "maintenance";

    private final String instance = UUID.randomUUID().toString();
    private volatile boolean held;

    @Inject
    SchedulerConfig config;

    /** Takes or renews the lease; whether this instance holds it now. */
    public boolean acquire(String name) {
        List<?> holder = QuarkusTransaction.requiringNew().call(() -> Sandbox.getEntityManager().createNativeQuery("""
                        INSERT INTO scheduler_lease (name, holder, expires_at)
                        VALUES (?1, ?2, now() + make_interval(secs => ?3))
                        ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
                        WHERE scheduler_lease.holder = EXCLUDED.holder OR scheduler_lease.expires_at < now()
                        RETURNING holder""")
                .setParameter(1, name).setParameter(2, instance)
                .setParameter(3, (double) config.leaseTtl().toMillis() / 1000)
                .getResultList());
        boolean holds = !holder.isEmpty();
        if (holds != held) {
            Log.infof(holds ? "this scheduler (%s) now holds the %s lease" : "this scheduler (%s) lost the %s lease",
                    instance, name);
            held = holds;
        }
        return holds;
    }

    public String instance() {
        return instance;
    }

    void release(@Observes ShutdownEvent shutdown) {
        try {
            QuarkusTransaction.requiringNew().run(() -> Sandbox.getEntityManager()
                    .createNativeQuery("DELETE FROM scheduler_lease WHERE holder = ?1")
                    .setParameter(1, instance).executeUpdate());
        } catch (RuntimeException e) {
            Log.debugf("could not release leases at shutdown: %s", e.toString());
        }
    }
}
