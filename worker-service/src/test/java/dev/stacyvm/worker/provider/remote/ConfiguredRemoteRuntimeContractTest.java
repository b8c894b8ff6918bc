package dev.stacyvm.worker.provider.remote;

import dev.stacyvm.worker.provider.SandboxProvider;
import dev.stacyvm.worker.provider.SandboxProviderContract;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The provider contract against the {@code remote} provider over a runtime that runs elsewhere,
 * named by {@code -Dstacyvm.remote-tck.url} with its bearer token in the environment
 * ({@code STACYVM_REMOTE_TCK_TOKEN}: a system property would show in the process list): how
 * {@code ./stacyvm certify --provider remote} holds an operator's own runtime (a Firecracker fleet,
 * a cloud) to every promise a built-in provider keeps (docs/remote-runtime.md, docs/certification.md).
 * Its sandboxes are made from {@code -Dstacyvm.remote-tck.image} (default the suite's base image).
 */
@EnabledIfSystemProperty(named = "stacyvm.remote-tck.url", matches = "https?://.+")
class ConfiguredRemoteRuntimeContractTest extends SandboxProviderContract {

    private static RemoteSandboxProvider remote;

    @BeforeAll
    static void connect() {
        String token = System.getenv("STACYVM_REMOTE_TCK_TOKEN");
        if (token == null || token.isBlank()) {
            throw new IllegalStateException("STACYVM_REMOTE_TCK_TOKEN holds the runtime's bearer token");
        }
        remote = new RemoteSandboxProvider(new RemoteRuntimeClient(URI.create(System.getProperty("stacyvm.remote-tck.url")), token,
                Duration.ofSeconds(60), RemoteSandboxProviderContractTest.mapper()), Duration.ofMinutes(5));
    }

    @Override
    protected SandboxProvider provider() {
        return remote;
    }

    @Override
    protected String workerId() {
        return System.getProperty("stacyvm.remote-tck.worker-id", "worker-certify");
    }

    @Override
    protected String image() {
        return System.getProperty("stacyvm.remote-tck.image", "stacyvm/base:bookworm");
    }
}
