package dev.stacyvm.gateway.service;

import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.ApiKeyRequest;
import dev.stacyvm.contract.api.ApiKeyView;
import dev.stacyvm.contract.api.OwnerIds;
import dev.stacyvm.gateway.ApiKey;
import dev.stacyvm.gateway.auth.Role;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * API keys: created with 32 random bytes, shown once, stored as their SHA-256 (the keys are random
 * and long, so a fast hash is enough and a lookup needs no scan), revoked by id. Lookups are
 * cached briefly; a revocation here takes effect at once, on other gateway instances within
 * {@link #CACHE_TTL}. The sessions a revoked key holds open are ended by
 * {@link dev.stacyvm.gateway.auth.CredentialSessions}.
 */
@ApplicationScoped
public class ApiKeys {

    static final Duration CACHE_TTL = Duration.ofSeconds(10);
    private static final SecureRandom RANDOM = new SecureRandom();
    public static final String TENANT_PATTERN = "[a-z0-9][a-z0-9._-]{0,62}";

    /** The bootstrap administrator's name: no key made through the API may take it. */
    public static final String BOOTSTRAP_KEY_NAME = "bootstrap-admin";

    /**
     * What a key authenticates as. {@code ownerKey} is its part of owner ids
     * ({@link dev.stacyvm.contract.api.OwnerIds}): keys with the same name in one tenant are one
     * identity (a key made again under its name, to rotate it, keeps what the old one created).
     * {@code expiresAt} is when a bearer token stops being valid; null for keys.
     */
    public record Identity(String id, String name, String tenant, Role role, String ownerKey, Instant expiresAt) {

        /** An API key's identity: keys do not expire (they are revoked). */
        public Identity(String id, String name, String tenant, Role role) {
            this(id, name, tenant, role, OwnerIds.keyOfApiKey(name), null);
        }
    }

    private record Cached(Optional<Identity> identity, Instant until) {
    }

    private final ConcurrentMap<String, Cached> cache = new ConcurrentHashMap<>();

    @Transactional
    public ApiKeyView create(ApiKeyRequest request) {
        if (request == null || request.name() == null || request.name().isBlank() || request.name().length() > 128) {
            throw ApiException.badRequest("name is required (at most 128 characters)");
        }
        if (request.tenant() == null || !request.tenant().matches(TENANT_PATTERN)) {
            throw ApiException.badRequest("tenant must match " + TENANT_PATTERN);
        }
        if (BOOTSTRAP_KEY_NAME.equals(request.name())) {
            throw ApiException.badRequest("the name " + BOOTSTRAP_KEY_NAME + " is the bootstrap administrator's");
        }
        Role role = Role.fromWireName(request.role() == null || request.role().isBlank() ? "user" : request.role());
        if (role == null) {
            throw ApiException.badRequest("role must be user, viewer, operator or admin");
        }
        String secret = "svm_" + HexFormat.of().formatHex(randomBytes(32));
        ApiKey key = new ApiKey();
        key.id = "key_" + HexFormat.of().formatHex(randomBytes(8));
        key.name = request.name();
        key.tenant = request.tenant();
        key.role = role.wireName();
        key.keyHash = hash(secret);
        key.createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        key.persist();
        return new ApiKeyView(key.id, key.name, key.tenant, key.role, key.createdAt, null, secret);
    }

    @Transactional
    public List<ApiKeyView> list() {
        return ApiKey.<ApiKey>list("order by createdAt").stream()
                .map(key -> new ApiKeyView(key.id, key.name, key.tenant, key.role, key.createdAt, key.revokedAt, null))
                .toList();
    }

    @Transactional
    public void revoke(String id) {
        ApiKey key = ApiKey.findById(id);
        if (key == null) {
            throw ApiException.notFound("API key not found: " + id);
        }
        if (key.revokedAt == null) {
            key.revokedAt = Instant.now();
        }
        cache.remove(key.keyHash);
    }

    /** Whether the stored key with this id exists and is not revoked (asked afresh, not from the cache). */
    @Transactional
    public boolean isLive(String id) {
        ApiKey key = ApiKey.findById(id);
        return key != null && key.revokedAt == null;
    }

    /** Which of these stored key ids are live (exist and are not revoked), asked afresh in one query. */
    @Transactional
    public java.util.Set<String> liveAmong(java.util.Collection<String> ids) {
        if (ids.isEmpty()) {
            return java.util.Set.of();
        }
        return ApiKey.<ApiKey>find("id in ?1 and revokedAt is null", ids).stream()
                .map(key -> key.id).collect(java.util.stream.Collectors.toSet());
    }

    /** The identity of a presented key, if it is a live key. */
    public Optional<Identity> authenticate(String presented) {
        String hash = hash(presented);
        Cached cached = cache.get(hash);
        if (cached != null && cached.until().isAfter(Instant.now())) {
            return cached.identity();
        }
        Optional<Identity> identity = io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().call(() -> lookUp(hash));
        if (cache.size() > 10_000) {
            cache.clear();
        }
        cache.put(hash, new Cached(identity, Instant.now().plus(CACHE_TTL)));
        return identity;
    }

    private static Optional<Identity> lookUp(String hash) {
        return ApiKey.<ApiKey>find("keyHash = ?1 and revokedAt is null", hash).firstResultOptional()
                .map(key -> new Identity(key.id, key.name, key.tenant, Role.fromWireName(key.role)));
    }

    static String hash(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] randomBytes(int count) {
        byte[] bytes = new byte[count];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
