package dev.stacyvm.support.client;

import dev.stacyvm.support.auth.ServiceCredential;
import io.quarkus.arc.Unremovable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.MultivaluedMap;
import org.eclipse.microprofile.rest.client.ext.ClientHeadersFactory;

/**
 * Adds this service's credential to every call an internal REST client makes: the service token
 * on the control plane, a worker's own credential on a worker (which holds no service token). Looked up by class when
 * {@link InternalClients} builds a client, so the build must not remove it as unused.
 */
@ApplicationScoped
@Unremovable
public class ServiceTokenHeaders implements ClientHeadersFactory {

    @Inject
    ServiceCredential credential;

    @Override
    public MultivaluedMap<String, String> update(MultivaluedMap<String, String> incoming,
                                                 MultivaluedMap<String, String> outgoing) {
        MultivaluedMap<String, String> headers = new MultivaluedHashMap<>();
        credential.token().filter(token -> !token.isEmpty())
                .ifPresent(token -> headers.putSingle(ServiceCredential.HEADER, token));
        credential.workerCredential().filter(token -> !token.isEmpty())
                .ifPresent(token -> headers.putSingle(ServiceCredential.WORKER_HEADER, token));
        return headers;
    }
}
