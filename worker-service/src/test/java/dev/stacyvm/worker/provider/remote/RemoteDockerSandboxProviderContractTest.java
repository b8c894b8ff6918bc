package dev.stacyvm.worker.provider.remote;

import dev.stacyvm.worker.config.WorkerConfig;
import dev.stacyvm.worker.provider.SandboxProvider;
import dev.stacyvm.worker.provider.SandboxProviderContract;
import dev.stacyvm.worker.provider.docker.DockerSandboxProvider;
import dev.stacyvm.worker.service.WorkerIdentity;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The provider contract against the {@code remote} provider over the reference remote runtime
 * serving the Docker engine's provider: a custom runtime plugged in over HTTP meets every promise a
 * built-in one does, real processes included. Runs where the Docker contract runs
 * ({@code ./stacyvm test}, {@code -Dstacyvm.provider-tck=true}).
 */
@QuarkusTest
@EnabledIfSystemProperty(named = "stacyvm.provider-tck", matches = "true")
class RemoteDockerSandboxProviderContractTest extends SandboxProviderContract {

    @Inject
    @io.smallrye.common.annotation.Identifier(DockerSandboxProvider.NAME)
    SandboxProvider docker;

    @Inject
    WorkerConfig config;

    @Inject
    WorkerIdentity identity;

    @Inject
    com.fasterxml.jackson.databind.ObjectMapper mapper;

    /** One runtime for the class: the contract's clean-up after each test destroys through it. */
    private static ReferenceRemoteRuntime runtime;
    private static RemoteSandboxProvider remote;

    @BeforeEach
    void startTheRuntime() throws Exception {
        if (runtime == null) {
            runtime = ReferenceRemoteRuntime.start(docker, "tck-token");
            remote = new RemoteSandboxProvider(new RemoteRuntimeClient(runtime.url(), "tck-token", Duration.ofSeconds(60),
                    mapper), config.execDefaultTimeout());
        }
    }

    @AfterAll
    static void stopTheRuntime() throws Exception {
        if (runtime != null) {
            runtime.close();
            runtime = null;
        }
    }

    @Override
    protected SandboxProvider provider() {
        return remote;
    }

    @Override
    protected String workerId() {
        return identity.id();
    }

    @Override
    protected String image() {
        return dev.stacyvm.worker.provider.docker.DockerSandboxProviderContractTest.imageOf(config);
    }
}
