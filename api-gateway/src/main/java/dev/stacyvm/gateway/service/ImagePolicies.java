package dev.stacyvm.gateway.service;

import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.image.ImagePolicy;
import dev.stacyvm.gateway.TenantImagePolicy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;

/**
 * Tenants' image policies (docs/images.md): set by administrators, checked wherever a tenant names
 * an image, on create, spawn and template save ({@link SandboxRequests#resolve}).
 */
@ApplicationScoped
public class ImagePolicies extends TenantPolicies<ImagePolicy> {

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

    @Override
    protected ImagePolicy stored(String tenant) {
        TenantImagePolicy row = TenantImagePolicy.findById(tenant);
        return row == null ? null : row.policy;
    }

    /** Sandboxes already running keep their images; new creates, spawns, template saves and builds are checked. */
    @Override
    protected void store(String tenant, ImagePolicy policy, Instant updatedAt) {
        TenantImagePolicy row = TenantImagePolicy.findById(tenant);
        if (row == null) {
            row = new TenantImagePolicy();
            row.tenant = tenant;
        }
        row.policy = policy;
        row.updatedAt = updatedAt;
        row.persist();
    }

    @Override
    protected boolean remove(String tenant) {
        return TenantImagePolicy.deleteById(tenant);
    }

    @Override
    protected ImagePolicy validated(ImagePolicy policy) {
        return policy.validated();
    }

    @Override
    protected String kind() {
        return "image policy";
    }
}
