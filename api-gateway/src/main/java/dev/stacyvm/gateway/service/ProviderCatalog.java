package dev.stacyvm.gateway.service;

import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.Certification;
import dev.stacyvm.contract.api.ProviderView;
import dev.stacyvm.contract.api.WorkerView;
import dev.stacyvm.contract.internal.ProviderCheck;
import dev.stacyvm.gateway.config.GatewayConfig;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The sandbox providers as the workers report them right now: each ready worker checks its
 * providers when asked, and a provider is healthy when at least one worker's check passed.
 * Each worker also says whether the provider is certified on its host under each runtime
 * (docs/certification.md), which the view lists per worker and runtime.
 */
@ApplicationScoped
public class ProviderCatalog {

    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(5);

    @Inject
    InternalServices services;

    @Inject
    GatewayConfig config;

    /** Runs every ready worker's provider checks now; a worker that does not answer counts as unhealthy. */
    public List<ProviderCheck> check() {
        List<ProviderCheck> checks = new ArrayList<>();
        for (WorkerView worker : services.scheduler().workers()) {
            if (!"ready".equals(worker.status())) {
                continue;
            }
            try {
                checks.addAll(services.worker(worker.id(), CHECK_TIMEOUT).providers());
            } catch (RuntimeException unreachable) {
                Log.warnf("worker %s did not answer its provider check: %s", worker.id(), unreachable.toString());
                services.forget(worker.id());
                for (String provider : worker.providers()) {
                    // a worker that does not answer says nothing about its certification
                    checks.add(new ProviderCheck(provider, worker.id(), false, null, List.of(), List.of()));
                }
            }
        }
        return checks;
    }

    public List<ProviderView> list() {
        Map<String, List<ProviderCheck>> byName = new LinkedHashMap<>();
        for (String configured : config.sandboxes().providers()) {
            byName.put(configured, new ArrayList<>());
        }
        for (ProviderCheck check : check()) {
            byName.computeIfAbsent(check.name(), name -> new ArrayList<>()).add(check);
        }
        String defaultProvider = config.sandboxes().defaultProvider().orElse(null);
        return byName.entrySet().stream().map(entry -> {
            Set<String> capabilities = new LinkedHashSet<>();
            List<Certification> certifications = new ArrayList<>();
            int healthyWorkers = 0;
            for (ProviderCheck check : entry.getValue()) {
                if (check.healthy()) {
                    healthyWorkers++;
                    capabilities.addAll(check.capabilities());
                }
                if (check.certifications() != null) {
                    certifications.addAll(check.certifications());
                }
            }
            return new ProviderView(entry.getKey(), healthyWorkers > 0, entry.getKey().equals(defaultProvider),
                    List.copyOf(capabilities), healthyWorkers, List.copyOf(certifications));
        }).toList();
    }

    /**
     * Checks every provider now and answers each by name, healthy when at least one ready worker's
     * check passed: {@code {"docker": true}}, the shape of StacyVM's {@code POST /providers/test}
     * ({@code docs/rest-api.md}, Providers), which its SDKs return as {@code dict[str, bool]}.
     */
    public Map<String, Boolean> test() {
        Map<String, Boolean> healthy = new LinkedHashMap<>();
        for (ProviderView provider : list()) {
            healthy.put(provider.name(), provider.healthy());
        }
        return healthy;
    }

    /**
     * The view without the workers behind it (their ids name hosts): each runtime's certification
     * once, {@code certified} when any ready worker has it so, for callers below operator.
     */
    public static ProviderView withoutWorkers(ProviderView view) {
        Map<String, Certification> byRuntime = new LinkedHashMap<>();
        for (Certification certification : view.certifications()) {
            byRuntime.merge(certification.runtime(), new Certification(null, certification.provider(),
                    certification.runtime(), certification.state(), null, certification.certifiedAt()),
                    (kept, other) -> kept.certified() ? kept : other);
        }
        return new ProviderView(view.name(), view.healthy(), view.isDefault(), view.capabilities(), view.workers(),
                List.copyOf(byRuntime.values()));
    }

    public ProviderView get(String name) {
        return list().stream().filter(provider -> provider.name().equals(name)).findFirst()
                .orElseThrow(() -> ApiException.notFound("provider not found: " + name));
    }
}
