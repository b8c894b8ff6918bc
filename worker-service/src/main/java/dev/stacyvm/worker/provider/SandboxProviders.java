package dev.stacyvm.worker.provider;

import dev.stacyvm.worker.config.WorkerConfig;
import dev.stacyvm.worker.error.WorkerUnavailableException;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sandbox providers this worker runs ({@code stacyvm.worker.providers}, in that order) and which
 * of them holds each sandbox: a create names its provider; every later call finds it here. The
 * first provider listed is the primary: a sandbox no other provider holds is its (after a restart,
 * a Docker sandbox is found without asking the engine), and its answers say {@code not_found} for a
 * sandbox nobody has.
 */
@ApplicationScoped
public class SandboxProviders {

    @Inject
    @Any
    Instance<SandboxProvider> available;

    @Inject
    WorkerConfig config;

    private List<SandboxProvider> enabled;
    /** Sandboxes created or found on a provider other than the primary; one entry per live sandbox. */
    private final Map<String, SandboxProvider> secondary = new ConcurrentHashMap<>();

    @PostConstruct
    void select() {
        List<SandboxProvider> selected = new ArrayList<>();
        for (String name : names(config.providers())) {
            Instance<SandboxProvider> match = available.select(Identifier.Literal.of(name));
            if (!match.isResolvable()) {
                throw new IllegalStateException("stacyvm.worker.providers names \"" + name
                        + "\", which this worker has no provider for (it has docker, microvm, proot, remote and mock)");
            }
            selected.add(match.get());
        }
        if (selected.isEmpty()) {
            throw new IllegalStateException("stacyvm.worker.providers names no provider");
        }
        enabled = List.copyOf(selected);
    }

    /**
     * The provider names a worker runs, from its setting: stripped, each once, in order.
     *
     * @throws IllegalStateException when mock is listed first beside another provider: the first is
     *     where a create that names none goes, and mock is never that
     */
    static List<String> names(List<String> configured) {
        List<String> names = configured.stream().map(String::strip).filter(name -> !name.isEmpty()).distinct().toList();
        if (names.size() > 1 && names.get(0).equals(dev.stacyvm.contract.internal.SandboxSpec.MOCK_PROVIDER)) {
            throw new IllegalStateException("stacyvm.worker.providers lists mock first: list it after " + names.get(1));
        }
        return names;
    }

    /** A fixed set of providers, the first the primary, for code that runs without CDI (tests, tools). */
    public static SandboxProviders of(SandboxProvider... providers) {
        if (providers.length == 0) {
            throw new IllegalArgumentException("at least one provider");
        }
        SandboxProviders fixed = new SandboxProviders();
        fixed.enabled = List.of(providers);
        return fixed;
    }

    /** Every provider this worker runs, the primary first. */
    public List<SandboxProvider> enabled() {
        return enabled;
    }

    /**
     * The provider a create asks for by name; the primary when it names none (a scheduler that
     * predates providers).
     *
     * @throws WorkerUnavailableException when this worker does not run it (placement chose wrong,
     *     as after a configuration change: the create fails with 503 unavailable)
     */
    public SandboxProvider named(String name) {
        if (name == null || name.isBlank()) {
            return enabled.get(0);
        }
        for (SandboxProvider provider : enabled) {
            if (provider.name().equals(name)) {
                return provider;
            }
        }
        throw new WorkerUnavailableException("this worker does not run provider " + name);
    }

    /** Remembers that {@code provider} now holds the sandbox (called once its create succeeded). */
    public void created(String sandboxId, SandboxProvider provider) {
        if (provider != enabled.get(0)) {
            secondary.put(sandboxId, provider);
        }
    }

    /** Forgets the sandbox once its runtime is destroyed. */
    public void destroyed(String sandboxId) {
        secondary.remove(sandboxId);
    }

    /**
     * The provider that holds the sandbox: the one that created it, else the first other than the
     * primary that says it holds it, else the primary, whose calls answer {@code not_found} for a
     * sandbox that is nowhere.
     */
    public SandboxProvider forSandbox(String sandboxId) {
        SandboxProvider known = secondary.get(sandboxId);
        if (known != null) {
            return known;
        }
        for (int i = 1; i < enabled.size(); i++) {
            SandboxProvider provider = enabled.get(i);
            if (provider.holds(sandboxId)) {
                secondary.put(sandboxId, provider);
                if (!provider.holds(sandboxId)) {
                    secondary.remove(sandboxId); // destroyed meanwhile: no entry outlives it
                }
                return provider;
            }
        }
        return enabled.get(0);
    }
}
