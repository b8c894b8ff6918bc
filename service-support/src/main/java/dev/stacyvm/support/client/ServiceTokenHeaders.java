package dev.stacyvm.support.client;

import dev.stacyvm.support.auth.ServiceCredential;
import io.quarkus.arc.Unremovable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.MultivaluedMap;
import org.eclipse.microprofile.rest.client.ext.ClientHeadersFactory;

/**
 * Adds the service token to every call an internal REST client makes. Looked up by class when
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
        headers.putSingle(ServiceCredential.HEADER, credential.token());
        return headers;
    }
}
