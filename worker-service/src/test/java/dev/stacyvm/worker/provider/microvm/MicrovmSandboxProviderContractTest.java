package dev.stacyvm.worker.provider.microvm;

import dev.stacyvm.contract.api.SandboxDefaults;
import dev.stacyvm.worker.provider.SandboxProvider;
import dev.stacyvm.worker.provider.SandboxProviderContract;
import dev.stacyvm.worker.service.WorkerIdentity;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The provider contract against the {@code microvm} provider: the base image's root disk (made by
 * the launcher into the worker's {@code microvm-images}) booted under QEMU's microvm machine with the
 * agent as the guest's init. Runs where QEMU is installed ({@code ./stacyvm test} with
 * {@code -Dstacyvm.provider-tck=true}).
 */
@QuarkusTest
@EnabledIfSystemProperty(named = "stacyvm.provider-tck", matches = "true")
class MicrovmSandboxProviderContractTest extends SandboxProviderContract {

    @Inject
    @io.smallrye.common.annotation.Identifier(MicrovmSandboxProvider.NAME)
    SandboxProvider microvm;

    @Inject
    WorkerIdentity identity;

    @Override
    protected SandboxProvider provider() {
        return microvm;
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
