package dev.stacyvm.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The provider a create without one gets (docs/providers.md): the first listed, never mock. */
class DefaultProviderTest {

    private static GatewayConfig.Sandboxes listing(String... providers) {
        return (GatewayConfig.Sandboxes) Proxy.newProxyInstance(DefaultProviderTest.class.getClassLoader(),
                new Class<?>[] {GatewayConfig.Sandboxes.class}, (proxy, method, args) -> {
                    if (method.getName().equals("providers")) {
                        return List.of(providers);
                    }
                    if (method.isDefault()) {
                        return InvocationHandler.invokeDefault(proxy, method, args);
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void theDefaultIsTheFirstProviderListedOtherThanMock() {
        assertEquals(Optional.of("docker"), listing("docker", "mock").defaultProvider());
        assertEquals(Optional.of("docker"), listing("mock", "docker").defaultProvider(), "mock is never the default");
    }

    @Test
    void aDeploymentOfMockAloneHasNoDefaultSoACreateMustNameIt() {
        assertEquals(Optional.empty(), listing("mock").defaultProvider());
    }
}
