package dev.stacyvm.gateway.service;

import dev.stacyvm.contract.api.PoolStatus;
import dev.stacyvm.contract.api.WorkerView;
import dev.stacyvm.contract.internal.WarmPoolStatus;
import dev.stacyvm.gateway.auth.CallerContext;
import dev.stacyvm.gateway.auth.Role;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code GET /pool/status}'s figures: each worker the scheduler knows (not lost) is asked for its
 * warm pools, briefly, and one that does not answer is reported unreachable rather than failing the
 * answer. Worker ids and per-pool figures go to operators and administrators only; everyone gets
 * the totals.
 */
@ApplicationScoped
public class WarmPools {

    /** A worker gets this long to answer; a stuck one must not hold a status page. */
    private static final Duration WORKER_TIMEOUT = Duration.ofSeconds(3);

    @Inject
    InternalServices services;

    @Inject
    CallerContext context;

    public PoolStatus status() {
        List<PoolStatus.WorkerPools> workers = new ArrayList<>();
        int ready = 0;
        int target = 0;
        for (WorkerView worker : services.scheduler().workers()) {
            if ("lost".equals(worker.status())) {
                continue;
            }
            List<WarmPoolStatus> pools;
            try {
                pools = services.worker(worker.id(), WORKER_TIMEOUT).warmPools();
            } catch (RuntimeException unreachable) {
                workers.add(new PoolStatus.WorkerPools(worker.id(), false, null));
                continue;
            }
            List<PoolStatus.WarmPool> shown = new ArrayList<>();
            for (WarmPoolStatus pool : pools) {
                ready += pool.ready();
                target += pool.target();
                shown.add(new PoolStatus.WarmPool(pool.image(), pool.memoryMb(), pool.vcpus(), pool.target(), pool.ready(),
                        pool.claimed(), pool.missed()));
            }
            workers.add(new PoolStatus.WorkerPools(worker.id(), true, shown));
        }
        Role role = context.caller().role();
        boolean operations = role == Role.ADMIN || role == Role.OPERATOR;
        return new PoolStatus(false, ready, target, operations ? workers : null);
    }
}
