package dev.stacyvm.worker.service;

import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.ExecRequest;
import dev.stacyvm.contract.api.ExecResult;
import dev.stacyvm.contract.api.RuntimeHandle;
import dev.stacyvm.contract.api.RuntimeSpec;
import dev.stacyvm.contract.api.LogLines;
import dev.stacyvm.contract.api.ProviderCheck;
import dev.stacyvm.contract.time.GoDuration;
import java.time.Duration;
import java.util.List;
import dev.stacyvm.worker.config.WorkerConfig;
import dev.stacyvm.worker.provider.SandboxProvider;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** The worker's runtime operations, each validated and handed to the sandbox provider. */
@ApplicationScoped
public class RuntimeService {

    @Inject
    SandboxProvider provider;

    @Inject
    WorkerIdentity identity;

    @Inject
    WorkerConfig config;

    public RuntimeHandle create(RuntimeSpec spec) {
        if (spec == null || spec.sandboxId() == null || !spec.sandboxId().matches("sb-[a-z0-9]{8,64}")) {
            throw ApiException.badRequest("sandbox_id is missing or malformed");
        }
        if (spec.image() == null || spec.image().isBlank()) {
            throw ApiException.badRequest("image is required");
        }
        return provider.create(spec, identity.id());
    }

    public void destroy(String sandboxId) {
        provider.destroy(sandboxId);
    }

    public List<String> logs(String sandboxId, Integer lines) {
        return provider.logs(sandboxId, LogLines.bounded(lines));
    }

    /** Checks the provider now: does its engine answer, and how fast. */
    public ProviderCheck check() {
        long started = System.nanoTime();
        boolean healthy = provider.healthy();
        return new ProviderCheck(provider.name(), identity.id(), healthy,
                GoDuration.format(Duration.ofNanos(System.nanoTime() - started)), provider.capabilities());
    }

    public ExecResult exec(String sandboxId, ExecRequest request) {
        return provider.exec(sandboxId, ExecCommands.from(request, config.execDefaultTimeout()));
    }
}
