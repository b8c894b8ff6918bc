package dev.stacyvm.gateway.service;

import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.contract.api.RegistryConnectionRequest;
import dev.stacyvm.contract.api.RegistryConnectionView;
import dev.stacyvm.contract.image.ImageReference;
import dev.stacyvm.contract.image.RegistryCredential;
import dev.stacyvm.gateway.RegistryConnection;
import dev.stacyvm.gateway.auth.Caller;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Tenants' registry connections (StacyVM's {@code /environments/registry-connections}): credentials
 * a tenant's pulls of private images use, sealed at rest ({@link RegistrySecrets}), never answered
 * back, and never used for another tenant's pulls ({@link #credentialFor}).
 */
@ApplicationScoped
public class RegistryConnections {

    /** StacyVM's providers and the registries they stand for; {@code registry} names its own. */
    static final Map<String, String> PROVIDERS = Map.of("dockerhub", ImageReference.DOCKER_HUB, "ghcr", "ghcr.io");
    static final String OWN_REGISTRY = "registry";
    static final int MAX_PER_TENANT = 100;
    private static final Pattern REGISTRY = Pattern.compile("[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?(:[0-9]{1,5})?");
    private static final Pattern USERNAME = Pattern.compile("[^\\s\\p{Cntrl}]{1,255}");
    private static final SecureRandom RANDOM = new SecureRandom();

    @Inject
    RegistrySecrets secrets;

    /** The caller's tenant's connections, secrets left out. */
    @Transactional
    public List<RegistryConnectionView> list(Caller caller) {
        return RegistryConnection.ofTenant(caller.tenant()).stream().map(RegistryConnections::view).toList();
    }

    /**
     * Saves a connection for the caller's tenant, or replaces the tenant's connection the body's
     * {@code id} names.
     *
     * @throws ApiException {@code bad_request} for a missing or malformed field, {@code not_found} for
     *                      an {@code id} the tenant has no connection by, {@code conflict} when the
     *                      tenant already has one for that registry and username
     */
    @Transactional
    public RegistryConnectionView save(Caller caller, RegistryConnectionRequest request) {
        if (request == null) {
            throw ApiException.badRequest("a registry connection body is required");
        }
        String provider = request.provider() == null || request.provider().isBlank() ? OWN_REGISTRY
                : request.provider().trim().toLowerCase(Locale.ROOT);
        String registry = registry(provider, request.registry());
        String username = request.username() == null ? "" : request.username().trim();
        if (!USERNAME.matcher(username).matches()) {
            throw ApiException.badRequest("username is required: 1 to 255 characters, no spaces or control characters");
        }
        String secret = request.secretRef();
        if (secret == null || secret.isEmpty() || secret.length() > 4096) {
            throw ApiException.badRequest("secret_ref (or password) is required: the password or access token, at "
                    + "most 4096 characters");
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        RegistryConnection connection;
        if (request.id() != null && !request.id().isBlank()) {
            connection = owned(caller, request.id());
        } else {
            if (RegistryConnection.count("tenant", caller.tenant()) >= MAX_PER_TENANT) {
                throw ApiException.badRequest("a tenant may hold at most " + MAX_PER_TENANT + " registry connections");
            }
            connection = new RegistryConnection();
            connection.id = "rc_" + HexFormat.of().formatHex(randomBytes(8));
            connection.tenant = caller.tenant();
            connection.createdAt = now;
        }
        RegistryConnection same = RegistryConnection.find("tenant = ?1 and registry = ?2 and username = ?3",
                caller.tenant(), registry, username).firstResult();
        if (same != null && !same.id.equals(connection.id)) {
            throw new ApiException(ErrorCode.CONFLICT, "the tenant already has a connection for " + username + "@"
                    + registry + ": " + same.id + " (send its id to replace it)");
        }
        connection.ownerId = caller.keyId();
        connection.provider = provider;
        connection.registry = registry;
        connection.username = username;
        connection.secret = secrets.seal(RegistrySecrets.binding(connection.id, connection.tenant, registry, username),
                secret);
        connection.updatedAt = now;
        boolean firstForRegistry = RegistryConnection.count("tenant = ?1 and registry = ?2 and id <> ?3",
                caller.tenant(), registry, connection.id) == 0;
        connection.isDefault = Boolean.TRUE.equals(request.isDefault()) || firstForRegistry;
        if (connection.isDefault) {
            RegistryConnection.update("isDefault = false where tenant = ?1 and registry = ?2 and id <> ?3",
                    caller.tenant(), registry, connection.id);
        }
        connection.persist();
        return view(connection);
    }

    /**
     * Deletes one of the caller's tenant's connections.
     *
     * @throws ApiException {@code not_found} when the tenant has none by that id
     */
    @Transactional
    public RegistryConnectionView delete(Caller caller, String id) {
        RegistryConnection connection = owned(caller, id);
        RegistryConnectionView deleted = view(connection);
        connection.delete();
        return deleted;
    }

    /**
     * The credential {@code tenant}'s pull of {@code image} uses: the tenant's default connection for
     * the image's registry, or {@code null} (an anonymous pull) when it has none. Never another
     * tenant's.
     */
    @Transactional
    public RegistryCredential credentialFor(String tenant, String image) {
        String registry;
        try {
            registry = ImageReference.parse(image).registry();
        } catch (IllegalArgumentException malformed) {
            return null;
        }
        RegistryConnection connection = RegistryConnection.find(
                "tenant = ?1 and registry = ?2 order by isDefault desc, createdAt", tenant, registry).firstResult();
        return connection == null ? null
                : new RegistryCredential(registry, connection.username, secrets.open(RegistrySecrets.binding(connection.id,
                        connection.tenant, connection.registry, connection.username), connection.secret));
    }

    private static RegistryConnection owned(Caller caller, String id) {
        RegistryConnection connection = RegistryConnection.findById(id);
        // another tenant's connection is as unknown as one that never was
        if (connection == null || !connection.tenant.equals(caller.tenant())) {
            throw ApiException.notFound("registry connection not found: " + id);
        }
        return connection;
    }

    private static String registry(String provider, String given) {
        if (PROVIDERS.containsKey(provider)) {
            String implied = PROVIDERS.get(provider);
            if (given != null && !given.isBlank() && !given.trim().equalsIgnoreCase(implied)) {
                throw ApiException.badRequest("provider " + provider + " is " + implied + "; registry says \"" + given
                        + "\"");
            }
            return implied;
        }
        if (!OWN_REGISTRY.equals(provider)) {
            throw ApiException.badRequest("provider must be dockerhub, ghcr or registry, not \"" + provider + "\"");
        }
        String registry = given == null ? "" : given.trim().toLowerCase(Locale.ROOT);
        if (registry.startsWith("https://") || registry.startsWith("http://")) {
            registry = registry.substring(registry.indexOf("://") + 3);
        }
        if (registry.endsWith("/")) {
            registry = registry.substring(0, registry.length() - 1);
        }
        if (!REGISTRY.matcher(registry).matches()) {
            throw ApiException.badRequest("registry must be a host[:port] such as registry.example:5000, not \"" + given
                    + "\"");
        }
        return registry.equals("index.docker.io") || registry.equals("registry-1.docker.io")
                ? ImageReference.DOCKER_HUB : registry;
    }

    private static RegistryConnectionView view(RegistryConnection connection) {
        return new RegistryConnectionView(connection.id, connection.tenant, connection.ownerId, connection.provider,
                connection.registry, connection.username, connection.isDefault, connection.createdAt,
                connection.updatedAt);
    }

    private static byte[] randomBytes(int count) {
        byte[] bytes = new byte[count];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
