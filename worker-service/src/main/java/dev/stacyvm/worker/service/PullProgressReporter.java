package dev.stacyvm.worker.service;

import dev.stacyvm.contract.internal.PullProgress;
import dev.stacyvm.support.client.InternalClients;
import dev.stacyvm.support.client.SchedulerApi;
import dev.stacyvm.worker.config.WorkerConfig;
import io.quarkus.logging.Log;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * Tells the scheduler how a create's pull goes, so the sandbox's {@code creating} state and the
 * {@code sandbox.progress} events show it. Reports between the first and the last are sent off the
 * pull's thread, one at a time per sandbox (one arriving while the last is on its way is dropped: a
 * newer one follows); a scheduler that does not take them never fails the pull.
 */
@ApplicationScoped
public class PullProgressReporter {

    @Inject
    InternalClients clients;

    @Inject
    WorkerConfig config;

    @Inject
    WorkerIdentity identity;

    private final ExecutorService senders = Executors.newFixedThreadPool(2,
            Thread.ofPlatform().name("pull-progress").daemon().factory());
    private final Set<String> sending = ConcurrentHashMap.newKeySet();

    /**
     * Who hears how the pull of sandbox {@code sandboxId}'s image goes. Its first report and its
     * last ({@code pulled}) are sent before the pull goes on, so they are recorded while the sandbox
     * is still creating; those between go off the pull's thread.
     */
    public Consumer<PullProgress> forSandbox(String sandboxId) {
        boolean[] first = {true};
        return progress -> {
            boolean last = PullProgress.PULLED.equals(progress.phase());
            if (first[0] || last) {
                first[0] = false;
                send(sandboxId, progress);
                return;
            }
            if (!sending.add(sandboxId)) {
                return;
            }
            senders.execute(() -> {
                try {
                    send(sandboxId, progress);
                } finally {
                    sending.remove(sandboxId);
                }
            });
        };
    }

    private void send(String sandboxId, PullProgress progress) {
        try {
            clients.forEndpoint(SchedulerApi.class, config.schedulerUrl(), Duration.ofSeconds(5))
                    .progress(identity.id(), sandboxId, progress);
        } catch (RuntimeException refused) {
            Log.debugf("the scheduler did not take %s's progress: %s", sandboxId, refused.getMessage());
        }
    }

    @PreDestroy
    void stop() {
        senders.shutdownNow();
    }
}
