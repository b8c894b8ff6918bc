package dev.stacyvm.worker.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.stacyvm.contract.internal.RuntimeSpec;
import dev.stacyvm.worker.error.WorkerUnavailableException;
import dev.stacyvm.worker.provider.mock.MockSandboxProvider;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which provider a worker hands each call to. */
class SandboxProvidersTest {

    /** A primary that answers its name and refuses to be asked whether it holds anything (that costs an engine call). */
    private final SandboxProvider docker = (SandboxProvider) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {SandboxProvider.class}, (proxy, method, args) -> switch (method.getName()) {
                case "name" -> "docker";
                case "toString" -> "docker";
                case "hashCode" -> 1;
                case "equals" -> proxy == args[0];
                default -> throw new AssertionError("the primary is not asked " + method.getName());
            });
    private final MockSandboxProvider mock = new MockSandboxProvider();

    @Test
    void aCreateGetsTheProviderItNamesAndTheFirstWhenItNamesNone() {
        SandboxProviders providers = SandboxProviders.of(docker, mock);
        assertSame(docker, providers.named(null));
        assertSame(docker, providers.named(""));
        assertSame(mock, providers.named("mock"));
        assertThrows(WorkerUnavailableException.class, () -> SandboxProviders.of(docker).named("mock"),
                "a worker that does not run it refuses the create as unavailable");
    }

    @Test
    void mockIsNeverAWorkersFirstProviderBesideAnotherAndEachNameCountsOnce() {
        assertEquals(List.of("docker", "mock"), SandboxProviders.names(List.of(" docker", "mock", "docker")));
        assertEquals(List.of("mock"), SandboxProviders.names(List.of("mock")), "alone it may be");
        assertThrows(IllegalStateException.class, () -> SandboxProviders.names(List.of("mock", "docker")));
    }

    @Test
    void eachSandboxsCallsGoToTheProviderThatHoldsItEvenOneTheRoutingHasNotSeenCreated() {
        SandboxProviders providers = SandboxProviders.of(docker, mock);
        mock.create(new RuntimeSpec("sb-00000000aaaa", "default:alice", "img", 256, 1, Map.of(), "none", List.of(), 64,
                false, false, 0, null, null, null, false, null, "mock"), "worker-1");
        providers.created("sb-00000000aaaa", mock);
        assertSame(mock, providers.forSandbox("sb-00000000aaaa"));
        assertSame(docker, providers.forSandbox("sb-00000000bbbb"), "one no other provider holds is the primary's");
        // routing that has not seen the create (a provider that keeps its sandboxes across a worker's restart)
        SandboxProviders fresh = SandboxProviders.of(docker, mock);
        assertSame(mock, fresh.forSandbox("sb-00000000aaaa"), "found by asking the providers other than the primary");
        mock.destroy("sb-00000000aaaa");
        providers.destroyed("sb-00000000aaaa");
        assertSame(docker, providers.forSandbox("sb-00000000aaaa"));
    }
}
