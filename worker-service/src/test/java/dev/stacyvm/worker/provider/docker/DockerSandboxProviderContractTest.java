package dev.stacyvm.worker.provider.docker;

import dev.stacyvm.contract.api.SandboxDefaults;
import dev.stacyvm.worker.config.WorkerConfig;
import dev.stacyvm.worker.provider.SandboxProvider;
import dev.stacyvm.worker.provider.SandboxProviderContract;
import dev.stacyvm.worker.service.WorkerIdentity;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The provider contract against the Docker engine, through the worker's own provider bean. It
 * needs an engine, the base image and the sandbox agent, so it runs where they are:
 * {@code ./stacyvm test} runs it with {@code -Dstacyvm.provider-tck=true} against its own engine
 * (the worker's settings from the launcher, a worker id of its own, no warm pool).
 */
@QuarkusTest
@EnabledIfSystemProperty(named = "stacyvm.provider-tck", matches = "true")
public class DockerSandboxProviderContractTest extends SandboxProviderContract {

    @Inject
    @io.smallrye.common.annotation.Identifier(DockerSandboxProvider.NAME)
    SandboxProvider docker;

    @Inject
    WorkerConfig config;

    @Inject
    WorkerIdentity identity;

    @Override
    protected SandboxProvider provider() {
        return docker;
    }

    @Override
    protected String workerId() {
        return identity.id();
    }

    @Override
    protected String image() {
        return imageOf(config);
    }

    /** The image a contract run on this engine starts: the warm pool's first, else the default (it is there). */
    public static String imageOf(WorkerConfig config) {
        return config.warmPool().images().isEmpty() ? SandboxDefaults.IMAGE
                : config.warmPool().images().get(0).trim();
    }
}
