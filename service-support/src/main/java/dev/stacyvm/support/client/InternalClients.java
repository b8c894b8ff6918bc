package dev.stacyvm.support.client;

import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * REST clients for endpoints known only at run time (a worker's address comes from its
 * registration), one per interface and endpoint, each carrying the service token and turning
 * typed error answers back into exceptions.
 */
@ApplicationScoped
public class InternalClients {

    private final ConcurrentMap<String, Object> clients = new ConcurrentHashMap<>();

    public <T> T forEndpoint(Class<T> api, String endpoint, Duration readTimeout) {
        String key = api.getName() + " " + endpoint + " " + readTimeout.toMillis();
        return api.cast(clients.computeIfAbsent(key, ignored -> QuarkusRestClientBuilder.newBuilder()
                .baseUri(URI.create(endpoint))
                .clientHeadersFactory(ServiceTokenHeaders.class)
                .register(ApiErrorResponseMapper.class)
                .connectTimeout(5, TimeUnit.SECONDS)
                .readTimeout(readTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .build(api)));
    }
}
