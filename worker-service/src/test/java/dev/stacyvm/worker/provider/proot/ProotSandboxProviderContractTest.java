package dev.stacyvm.worker.provider.proot;

import dev.stacyvm.contract.api.SandboxDefaults;
import dev.stacyvm.worker.provider.SandboxProvider;
import dev.stacyvm.worker.provider.SandboxProviderContract;
import dev.stacyvm.worker.service.WorkerIdentity;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The provider contract against the {@code proot} provider: the base image's root filesystem
 * (exported by the launcher into the worker's {@code proot-images}) run under PRoot with the
 * sandbox's agent. Runs where PRoot is installed ({@code ./stacyvm test} with
 * {@code -Dstacyvm.provider-tck=true}).
 */
@QuarkusTest
@EnabledIfSystemProperty(named = "stacyvm.provider-tck", matches = "true")
class ProotSandboxProviderContractTest extends SandboxProviderContract {

    @Inject
    @io.smallrye.common.annotation.Identifier(ProotSandboxProvider.NAME)
    SandboxProvider proot;

    @Inject
    WorkerIdentity identity;

    @Override
    protected SandboxProvider provider() {
        return proot;
    }

    @Override
    protected String workerId() {
        return identity.id();
    }

    @Override
    protected String image() {
        return SandboxDefaults.IMAGE;
    }
}
