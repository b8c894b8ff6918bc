package dev.stacyvm.gateway.service;

import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.image.ImagePolicy;
import dev.stacyvm.gateway.TenantImagePolicy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Tenants' image policies (docs/images.md): set by administrators, checked wherever a tenant names
 * an image, on create, spawn and template save ({@link SandboxRequests#resolve}).
 */
@ApplicationScoped
public class ImagePolicies {

    /** The tenant's policy; {@code null} when an administrator set none. */
    @Transactional
    public ImagePolicy ofTenant(String tenant) {
        TenantImagePolicy row = tenant == null ? null : TenantImagePolicy.findById(tenant);
        return row == null ? null : row.policy;
    }

    /**
     * Refuses an image the tenant's policy does not allow.
     *
     * @throws ApiException {@code image_not_allowed} (403) naming the deny pattern or the allow list
     */
    public void check(String tenant, String image) {
        ImagePolicy policy = ofTenant(tenant);
        if (policy != null) {
            policy.check(image);
        }
    }

    /**
     * The tenant's policy.
     *
     * @throws ApiException {@code not_found} when the tenant has none
     */
    public ImagePolicy get(String tenant) {
        ImagePolicy policy = ofTenant(Tenants.valid(tenant));
        if (policy == null) {
            throw ApiException.notFound("tenant " + tenant + " has no image policy");
        }
        return policy;
    }

    /**
     * Sets (replaces) the tenant's policy. Sandboxes already running keep their images; new
     * creates, spawns and template saves are checked against it.
     *
     * @throws ApiException {@code bad_request} for a bad tenant name, a missing body or a bad pattern
     */
    @Transactional
    public ImagePolicy put(String tenant, ImagePolicy policy) {
        Tenants.valid(tenant);
        if (policy == null) {
            throw ApiException.badRequest("an image policy body is required");
        }
        ImagePolicy checked = policy.validated();
        TenantImagePolicy row = TenantImagePolicy.findById(tenant);
        if (row == null) {
            row = new TenantImagePolicy();
            row.tenant = tenant;
        }
        row.policy = checked;
        row.updatedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        row.persist();
        return checked;
    }

    /** Removes the tenant's policy; {@code not_found} when it had none. */
    @Transactional
    public void delete(String tenant) {
        if (!TenantImagePolicy.deleteById(Tenants.valid(tenant))) {
            throw ApiException.notFound("tenant " + tenant + " has no image policy");
        }
    }
}
