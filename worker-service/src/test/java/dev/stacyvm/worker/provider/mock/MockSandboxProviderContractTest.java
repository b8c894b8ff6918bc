package dev.stacyvm.worker.provider.mock;

import dev.stacyvm.worker.provider.SandboxProvider;
import dev.stacyvm.worker.provider.SandboxProviderContract;

/** The provider TCK against the mock provider: in memory, so it runs with the unit tests. */
class MockSandboxProviderContractTest extends SandboxProviderContract {

    private final MockSandboxProvider mock = new MockSandboxProvider();

    @Override
    protected SandboxProvider provider() {
        return mock;
    }

    @Override
    protected String workerId() {
        return "worker-mock-tck";
    }

    @Override
    protected String image() {
        return "stacyvm/base:bookworm";
    }
}
