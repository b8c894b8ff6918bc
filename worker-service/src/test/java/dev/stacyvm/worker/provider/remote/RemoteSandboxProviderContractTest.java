package dev.stacyvm.worker.provider.remote;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.stacyvm.worker.provider.SandboxProvider;
import dev.stacyvm.worker.provider.SandboxProviderContract;
import dev.stacyvm.worker.provider.mock.MockSandboxProvider;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The provider contract against the {@code remote} provider, over the reference remote runtime
 * serving the mock provider: every call and command session crosses real HTTP and WebSockets on
 * loopback, so it runs with the unit tests. ({@code RemoteDockerSandboxProviderContractTest} runs
 * the same over the Docker engine, where the checks that need real processes run too.)
 */
class RemoteSandboxProviderContractTest extends SandboxProviderContract {

    private static ReferenceRemoteRuntime runtime;
    private static RemoteSandboxProvider remote;

    @BeforeAll
    static void startTheRuntime() throws Exception {
        runtime = ReferenceRemoteRuntime.start(new MockSandboxProvider(), "tck-token");
        remote = new RemoteSandboxProvider(new RemoteRuntimeClient(runtime.url(), "tck-token", Duration.ofSeconds(30),
                mapper()), Duration.ofMinutes(5));
    }

    @AfterAll
    static void stopTheRuntime() throws Exception {
        runtime.close();
    }

    /** The worker's JSON settings (Quarkus's defaults), for a provider made without CDI. */
    static ObjectMapper mapper() {
        return new ObjectMapper().findAndRegisterModules().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    }

    @Override
    protected SandboxProvider provider() {
        return remote;
    }

    @Override
    protected String workerId() {
        return "worker-remote-tck";
    }

    @Override
    protected String image() {
        return "stacyvm/base:bookworm";
    }
}
