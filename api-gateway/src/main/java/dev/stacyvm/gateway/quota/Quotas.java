package dev.stacyvm.gateway.quota;

import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.OwnerIds;
import dev.stacyvm.contract.api.QuotaOverview;
import dev.stacyvm.contract.api.QuotaRequest;
import dev.stacyvm.contract.api.QuotaSummary;
import dev.stacyvm.contract.api.QuotaUsage;
import dev.stacyvm.contract.api.QuotaView;
import dev.stacyvm.contract.api.ScopeQuotaRequest;
import dev.stacyvm.contract.api.ScopeQuotaView;
import dev.stacyvm.contract.api.ScopeUsage;
import dev.stacyvm.contract.internal.OwnerUsage;
import dev.stacyvm.contract.time.GoDuration;
import dev.stacyvm.gateway.config.GatewayConfig;
import dev.stacyvm.gateway.quota.Quota;
import dev.stacyvm.gateway.quota.ScopeQuota;
import dev.stacyvm.gateway.service.ApiKeys;
import dev.stacyvm.gateway.service.InternalServices;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Quotas: per owner, the defaults from configuration and the overrides administrators set through
 * the quota routes; per key and per tenant, the limits administrators set on what all their owners
 * hold together (none by default), so rotating end users cannot escape them. Lookups are cached
 * briefly; a change made here takes effect at once, on other gateway instances within
 * {@link #CACHE_TTL}.
 */
@ApplicationScoped
public class Quotas {

    static final Duration CACHE_TTL = Duration.ofSeconds(5);
    static final int MAX_OWNER_ID = 200;
    static final int MAX_SANDBOXES = 100_000;
    static final Duration MAX_TTL = Duration.ofDays(30);
    static final Duration MAX_EXEC_TIMEOUT = Duration.ofDays(1);
    static final int MAX_MEMORY_MB = 16 * 1024 * 1024;
    static final int MAX_VCPUS = 65_536;
    static final int MAX_DISK_MB = Integer.MAX_VALUE;
    static final int MAX_REQUESTS_PER_MINUTE = 1_000_000;

    @Inject
    GatewayConfig config;

    @Inject
    InternalServices services;

    private record Cached(OwnerQuota quota, Instant until) {
    }

    private final ConcurrentMap<String, Cached> cache = new ConcurrentHashMap<>();

    private record CachedScope(ScopeLimits limits, Instant until) {
    }

    private final ConcurrentMap<ScopeQuota.Id, CachedScope> scopeCache = new ConcurrentHashMap<>();

    /** The owner's effective quota. */
    public OwnerQuota of(String ownerId) {
        Cached cached = cache.get(ownerId);
        if (cached != null && cached.until().isAfter(Instant.now())) {
            return cached.quota();
        }
        Quota override = QuarkusTransaction.requiringNew().call(() -> Quota.<Quota>findById(ownerId));
        OwnerQuota quota = effective(ownerId, override);
        if (cache.size() > 100_000) {
            cache.clear();
        }
        cache.put(ownerId, new Cached(quota, Instant.now().plus(CACHE_TTL)));
        return quota;
    }

    public QuotaView defaults() {
        return effective("", null).view();
    }

    /** Every override, by owner. */
    @Transactional
    public List<QuotaView> list() {
        return Quota.<Quota>list("order by ownerId").stream().map(q -> effective(q.ownerId, q).view()).toList();
    }

    public QuotaView get(String ownerId) {
        return of(validOwner(ownerId)).view();
    }

    /** Sets the owner's override: the limits given replace it whole; those left out keep the defaults. */
    @Transactional
    public QuotaView put(String ownerId, QuotaRequest request) {
        validOwner(ownerId);
        if (request == null) {
            throw ApiException.badRequest("a quota body is required");
        }
        Quota quota = Quota.findById(ownerId);
        if (quota == null) {
            quota = new Quota();
            quota.ownerId = ownerId;
        }
        quota.maxTtlSeconds = seconds("max_ttl", request.maxTtl(), MAX_TTL);
        quota.maxExecTimeoutSeconds = seconds("max_exec_timeout", request.maxExecTimeout(), MAX_EXEC_TIMEOUT);
        setLimits(quota, request.maxSandboxes(), request.maxMemoryMb(), request.maxVcpus(), request.maxDiskMb(),
                request.requestsPerMinute());
        quota.persist();
        cache.remove(ownerId);
        return effective(ownerId, quota).view();
    }

    /** Checks and sets the limits an owner's override and a key's or tenant's share, stamping the change. */
    private static void setLimits(QuotaLimits quota, Integer maxSandboxes, Integer maxMemoryMb, Integer maxVcpus,
            Integer maxDiskMb, Integer requestsPerMinute) {
        quota.maxSandboxes = bounded("max_sandboxes", maxSandboxes, 0, MAX_SANDBOXES);
        quota.maxMemoryMb = bounded("max_memory_mb", maxMemoryMb, 0, MAX_MEMORY_MB);
        quota.maxVcpus = bounded("max_vcpus", maxVcpus, 0, MAX_VCPUS);
        quota.maxDiskMb = bounded("max_disk_mb", maxDiskMb, 0, MAX_DISK_MB);
        quota.requestsPerMinute = bounded("requests_per_minute", requestsPerMinute, 0, MAX_REQUESTS_PER_MINUTE);
        quota.updatedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    /** Removes the owner's override, so the defaults apply again. */
    @Transactional
    public void delete(String ownerId) {
        validOwner(ownerId);
        if (!Quota.deleteById(ownerId)) {
            throw ApiException.notFound("no quota override for owner " + ownerId);
        }
        cache.remove(ownerId);
    }

    public QuotaUsage usage(String ownerId) {
        validOwner(ownerId);
        return usage(of(ownerId), services.scheduler().usage(ownerId));
    }

    /** The defaults, the number of overrides, and every owner with live sandboxes, fullest first. */
    /** StacyVM's summary: counts of the overrides and of the limits they set, naming no owner. */
    public QuotaSummary summary() {
        List<Quota> overrides = Quota.listAll();
        return new QuotaSummary(overrides.size(),
                (int) overrides.stream().filter(q -> q.maxSandboxes != null).count(),
                (int) overrides.stream().filter(q -> q.maxTtlSeconds != null).count(),
                (int) overrides.stream().filter(q -> q.maxExecTimeoutSeconds != null).count());
    }

    /** The defaults, the number of overrides, and every owner's usage, fullest first. */
    public QuotaOverview overview() {
        List<QuotaView> overrides = list();
        Map<String, QuotaView> byOwner = overrides.stream().collect(Collectors.toMap(QuotaView::ownerId, Function.identity()));
        List<QuotaUsage> owners = services.scheduler().usage().stream()
                .map(used -> usage(byOwner.containsKey(used.ownerId()) ? of(used.ownerId()) : effective(used.ownerId(), null), used))
                .sorted(Comparator.comparingDouble(Quotas::fullness).reversed().thenComparing(QuotaUsage::ownerId))
                .toList();
        return new QuotaOverview(defaults(), overrides.size(), owners);
    }

    /** The limits of the key {@code keyId} ({@code tenant:key}): what all its owners hold together. */
    public ScopeLimits ofKey(String keyId) {
        return scope(ScopeQuota.KEY, keyId);
    }

    /** The limits of the tenant: what all its owners hold together. */
    public ScopeLimits ofTenant(String tenant) {
        return scope(ScopeQuota.TENANT, tenant);
    }

    private ScopeLimits scope(String scope, String subject) {
        ScopeQuota.Id id = new ScopeQuota.Id(scope, subject);
        CachedScope cached = scopeCache.get(id);
        if (cached != null && cached.until().isAfter(Instant.now())) {
            return cached.limits();
        }
        ScopeQuota row = QuarkusTransaction.requiringNew().call(() -> ScopeQuota.<ScopeQuota>findById(id));
        ScopeLimits limits = row == null ? ScopeLimits.none(scope, subject) : limits(row);
        if (scopeCache.size() > 100_000) {
            scopeCache.clear();
        }
        scopeCache.put(id, new CachedScope(limits, Instant.now().plus(CACHE_TTL)));
        return limits;
    }

    /** Every key and tenant limit set, keys first. */
    @Transactional
    public List<ScopeQuotaView> listScopes() {
        return ScopeQuota.<ScopeQuota>list("order by scope, subject").stream().map(q -> limits(q).view()).toList();
    }

    public ScopeQuotaView getScope(String scope, String subject) {
        return scope(scope, validSubject(scope, subject)).view();
    }

    /** Sets the limits of a key or tenant: those given replace them whole; those left out are none. */
    @Transactional
    public ScopeQuotaView putScope(String scope, String subject, ScopeQuotaRequest request) {
        validSubject(scope, subject);
        if (request == null) {
            throw ApiException.badRequest("a quota body is required");
        }
        ScopeQuota.Id id = new ScopeQuota.Id(scope, subject);
        ScopeQuota quota = ScopeQuota.findById(id);
        if (quota == null) {
            quota = new ScopeQuota();
            quota.scope = scope;
            quota.subject = subject;
        }
        setLimits(quota, request.maxSandboxes(), request.maxMemoryMb(), request.maxVcpus(), request.maxDiskMb(),
                request.requestsPerMinute());
        quota.persist();
        scopeCache.remove(id);
        return limits(quota).view();
    }

    /** Removes the limits of a key or tenant. */
    @Transactional
    public void deleteScope(String scope, String subject) {
        validSubject(scope, subject);
        ScopeQuota.Id id = new ScopeQuota.Id(scope, subject);
        if (ScopeQuota.<ScopeQuota>findById(id) == null) {
            throw ApiException.notFound("no quota for " + scope + " " + subject);
        }
        ScopeQuota.deleteById(id);
        scopeCache.remove(id);
    }

    /** What all live sandboxes of the key's or tenant's owners hold against its limits. */
    public ScopeUsage scopeUsage(String scope, String subject) {
        validSubject(scope, subject);
        ScopeLimits limits = scope(scope, subject);
        OwnerUsage used = ScopeQuota.KEY.equals(scope) ? services.scheduler().keyUsage(subject)
                : services.scheduler().tenantUsage(subject);
        return new ScopeUsage(scope, subject, used.sandboxes(), limits.maxSandboxes(), used.memoryMb(),
                limits.maxMemoryMb(), used.vcpus(), limits.maxVcpus(), used.diskMb(), limits.maxDiskMb());
    }

    private static ScopeLimits limits(ScopeQuota row) {
        return new ScopeLimits(row.scope, row.subject, row.maxSandboxes, row.maxMemoryMb, row.maxVcpus,
                row.requestsPerMinute, true, row.updatedAt, row.maxDiskMb);
    }

    /** A key is named by its key id {@code tenant:key}, a tenant by its name. */
    static String validSubject(String scope, String subject) {
        String tenant = ScopeQuota.KEY.equals(scope) ? OwnerIds.tenantOf(subject) : subject;
        boolean valid = tenant != null && tenant.matches(ApiKeys.TENANT_PATTERN)
                && (!ScopeQuota.KEY.equals(scope) || subject.length() > tenant.length() + 1
                        && subject.length() <= MAX_OWNER_ID && subject.indexOf(':', tenant.length() + 1) < 0
                        && subject.chars().noneMatch(Character::isISOControl));
        if (!valid) {
            throw ApiException.badRequest(ScopeQuota.KEY.equals(scope)
                    ? "a key is named tenant:key, its name with '%', ':' and '@' percent-encoded, e.g. acme:ci-bot"
                    : "tenant must match " + ApiKeys.TENANT_PATTERN);
        }
        return subject;
    }

    private static QuotaUsage usage(OwnerQuota quota, OwnerUsage used) {
        return new QuotaUsage(quota.ownerId(), used.sandboxes(), quota.maxSandboxes(), used.memoryMb(), quota.maxMemoryMb(),
                used.vcpus(), quota.maxVcpus(), used.diskMb(), quota.maxDiskMb());
    }

    /** The share of the nearest limit an owner uses. */
    private static double fullness(QuotaUsage usage) {
        return Math.max(share(usage.activeSandboxes(), usage.maxSandboxes()),
                Math.max(share(usage.memoryMb(), usage.maxMemoryMb()), Math.max(share(usage.vcpus(), usage.maxVcpus()),
                        usage.maxDiskMb() == null ? 0 : share(usage.diskMb(), usage.maxDiskMb()))));
    }

    private static double share(long used, int max) {
        return max <= 0 ? (used > 0 ? Double.MAX_VALUE : 0) : (double) used / max;
    }

    private OwnerQuota effective(String ownerId, Quota override) {
        var sandboxes = config.sandboxes();
        var quotas = config.quotas();
        if (override == null) {
            return new OwnerQuota(ownerId, sandboxes.maxPerOwner(), sandboxes.maxTtl(), config.exec().maxTimeout(),
                    quotas.maxMemoryMb(), quotas.maxVcpus(), quotas.requestsPerMinute(), false, null, quotas.maxDiskMb());
        }
        return new OwnerQuota(ownerId,
                override.maxSandboxes != null ? override.maxSandboxes : sandboxes.maxPerOwner(),
                override.maxTtlSeconds != null ? Duration.ofSeconds(override.maxTtlSeconds) : sandboxes.maxTtl(),
                override.maxExecTimeoutSeconds != null ? Duration.ofSeconds(override.maxExecTimeoutSeconds) : config.exec().maxTimeout(),
                override.maxMemoryMb != null ? override.maxMemoryMb : quotas.maxMemoryMb(),
                override.maxVcpus != null ? override.maxVcpus : quotas.maxVcpus(),
                override.requestsPerMinute != null ? override.requestsPerMinute : quotas.requestsPerMinute(),
                true, override.updatedAt,
                override.maxDiskMb != null ? override.maxDiskMb : quotas.maxDiskMb());
    }

    /** Owner ids are {@code tenant:key} or {@code tenant:key:user}, as the gateway forms them ({@link OwnerIds}). */
    static String validOwner(String ownerId) {
        int colon = ownerId == null ? -1 : ownerId.indexOf(':');
        if (colon < 1 || colon == ownerId.length() - 1 || ownerId.length() > MAX_OWNER_ID
                || ownerId.chars().anyMatch(Character::isISOControl)) {
            throw ApiException.badRequest("owner must be tenant:key or tenant:key:user (at most " + MAX_OWNER_ID
                    + " characters), e.g. default:ci-bot:alice");
        }
        return ownerId;
    }

    private static Integer bounded(String field, Integer value, int min, int max) {
        if (value != null && (value < min || value > max)) {
            throw ApiException.badRequest(field + " must be between " + min + " and " + max);
        }
        return value;
    }

    private static Long seconds(String field, String value, Duration max) {
        if (value == null || value.isBlank()) {
            return null;
        }
        Duration duration = GoDuration.parsePositiveField(field, value);
        if (duration.compareTo(Duration.ofSeconds(1)) < 0 || duration.compareTo(max) > 0) {
            throw ApiException.badRequest(field + " must be between 1s and " + GoDuration.format(max));
        }
        return duration.toSeconds();
    }
}
