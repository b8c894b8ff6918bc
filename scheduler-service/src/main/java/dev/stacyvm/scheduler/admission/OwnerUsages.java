package dev.stacyvm.scheduler.admission;

import dev.stacyvm.contract.api.SandboxState;
import dev.stacyvm.contract.internal.OwnerUsage;
import dev.stacyvm.scheduler.Sandbox;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * What owners' live sandboxes hold: their number, memory, vCPUs and disk (MiB), counted in the database, for
 * one owner, for every owner of one key, or for every owner of one tenant.
 */
@ApplicationScoped
public class OwnerUsages {

    private static final String TOTALS = "select count(s), coalesce(sum(s.memoryMb), 0), coalesce(sum(s.vcpus), 0),"
            + " coalesce(sum(s.diskMb), 0) from Sandbox s where s.state in ?1";

    public OwnerUsage of(String ownerId) {
        return totals("ownerId", ownerId);
    }

    /** What all owners of the key {@code keyId} ({@code tenant:key}) hold; {@code owner_id} is the key id. */
    public OwnerUsage ofKey(String keyId) {
        return totals("ownerKey", keyId);
    }

    /** What all owners of the tenant hold; {@code owner_id} is the tenant. */
    public OwnerUsage ofTenant(String tenant) {
        return totals("ownerTenant", tenant);
    }

    private OwnerUsage totals(String field, String value) {
        Object[] row = Sandbox.getEntityManager()
                .createQuery(TOTALS + " and s." + field + " = ?2", Object[].class)
                .setParameter(1, SandboxState.LIVE)
                .setParameter(2, value)
                .getSingleResult();
        return new OwnerUsage(value, number(row[0]), number(row[1]), number(row[2]), number(row[3]));
    }

    /** Every owner with live sandboxes, the one with most first. */
    public List<OwnerUsage> all() {
        return Sandbox.getEntityManager()
                .createQuery("select s.ownerId, count(s), coalesce(sum(s.memoryMb), 0), coalesce(sum(s.vcpus), 0),"
                        + " coalesce(sum(s.diskMb), 0) from Sandbox s where s.state in ?1 group by s.ownerId order by count(s) desc, s.ownerId",
                        Object[].class)
                .setParameter(1, SandboxState.LIVE)
                .getResultStream()
                .map(row -> new OwnerUsage((String) row[0], number(row[1]), number(row[2]), number(row[3]),
                        number(row[4])))
                .toList();
    }

    private static long number(Object value) {
        return ((Number) value).longValue();
    }
}
