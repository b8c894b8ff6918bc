package dev.stacyvm.gateway.service;

import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.CreateSandboxRequest;
import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.contract.api.TemplateRequest;
import dev.stacyvm.contract.api.TemplateView;
import dev.stacyvm.contract.internal.SandboxSpec;
import dev.stacyvm.gateway.Template;
import dev.stacyvm.gateway.auth.CallerContext;
import dev.stacyvm.gateway.auth.Role;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Templates: named create settings of the caller's. A template is checked like a create when it
 * is saved, so a template that could not spawn is refused up front.
 */
@ApplicationScoped
public class TemplateService {

    static final String NAME_PATTERN = "[a-z0-9][a-z0-9._-]{0,62}";

    @Inject
    CallerContext context;

    @Inject
    SandboxRequests requests;

    @Inject
    DeniedLookups deniedLookups;

    @Inject
    dev.stacyvm.gateway.config.GatewayConfig config;

    @Transactional
    public TemplateView create(TemplateRequest request) {
        TemplateRequest checked = check(request, request == null ? null : request.name());
        String owner = context.caller().ownerId();
        if (Template.find(owner, checked.name()) != null) {
            throw new ApiException(ErrorCode.CONFLICT, "template already exists: " + checked.name());
        }
        Template template = new Template();
        template.ownerId = owner;
        template.name = checked.name();
        template.spec = checked;
        template.createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        template.updatedAt = template.createdAt;
        template.persist();
        return view(template);
    }

    @Transactional
    public List<TemplateView> list() {
        return Template.listOwned(context.caller().ownerId()).stream().map(TemplateService::view).toList();
    }

    @Transactional
    public TemplateView get(String name) {
        return view(owned(name));
    }

    @Transactional
    public TemplateView update(String name, TemplateRequest request) {
        Template template = owned(name);
        if (request != null && request.name() != null && !request.name().isBlank() && !request.name().equals(name)) {
            throw ApiException.badRequest("a template's name cannot change (the body names \"" + request.name() + "\")");
        }
        template.spec = check(request, name);
        template.updatedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        return view(template);
    }

    @Transactional
    public void delete(String name) {
        owned(name).delete();
    }

    /**
     * Whether sandboxes made from this template of the caller's may run as root: only when an
     * administrator saved it with {@code allow_root}. A template that is not there is not_found.
     */
    @Transactional
    public boolean allowsRoot(String name) {
        return Boolean.TRUE.equals(owned(name).spec.allowRoot());
    }

    /** The create request a spawn or a create naming this template stands for. */
    @Transactional
    public CreateSandboxRequest createRequest(String name) {
        return owned(name).spec.asCreateRequest();
    }

    private Template owned(String name) {
        Template template = name == null ? null : Template.find(context.caller().ownerId(), name);
        if (template == null) {
            if (name != null && Template.count("name", name) > 0) {
                deniedLookups.template(name);
            }
            throw ApiException.notFound("template not found: " + name);
        }
        return template;
    }

    private TemplateRequest check(TemplateRequest request, String name) {
        if (request == null) {
            throw ApiException.badRequest("a template body is required");
        }
        if (name == null || !name.matches(NAME_PATTERN)) {
            throw ApiException.badRequest("template name must match " + NAME_PATTERN);
        }
        if (Boolean.TRUE.equals(request.allowRoot()) && context.caller().role() != Role.ADMIN) {
            // root in a sandbox is the operator's decision, never the template owner's
            throw new ApiException(ErrorCode.FORBIDDEN, "only an administrator may save a template with allow_root");
        }
        requests.resolve(request.asCreateRequest(), context.caller());
        return new TemplateRequest(name, request.image(), request.provider(), request.memoryMb(), request.vcpus(),
                request.ttl(), request.metadata(), request.env(), request.network(), request.ports(),
                request.publicPreview(), request.pidsLimit(), Boolean.TRUE.equals(request.allowRoot()) ? true : null,
                request.readOnlyRoot(), request.diskMb(),
                request.networkPolicy() == null ? null : request.networkPolicy().validated(),
                request.pullPolicy() == null || request.pullPolicy().isBlank() ? null : request.pullPolicy().trim(),
                poolSize(request), request.runtime() == null || request.runtime().isBlank() ? null : request.runtime().trim());
    }

    /**
     * The template's pool size, checked: warm containers are started before anyone asks, so only a
     * template whose sandboxes need nothing a warm container lacks may have them.
     */
    private Integer poolSize(TemplateRequest request) {
        int size = request.poolSize() == null ? 0 : request.poolSize();
        int max = config.templates().maxPoolSize();
        if (size < 0 || size > max) {
            throw ApiException.badRequest("pool_size must be between 0 and " + max);
        }
        if (size > 0 && context.caller().role() != Role.ADMIN) {
            // warm containers hold a host's memory before anyone asks: the operator's decision
            throw new ApiException(ErrorCode.FORBIDDEN, "only an administrator may save a template with a pool_size");
        }
        if (size > 0 && ((request.env() != null && !request.env().isEmpty())
                || (request.network() != null && !request.network().isBlank() && !"none".equals(request.network()))
                || (request.ports() != null && !request.ports().isEmpty()) || Boolean.TRUE.equals(request.allowRoot())
                || Boolean.TRUE.equals(request.readOnlyRoot())
                || (request.runtime() != null && !request.runtime().isBlank()
                        && !SandboxSpec.DEFAULT_RUNTIME.equals(request.runtime().trim()))
                || (request.provider() != null && !request.provider().isBlank() && !"docker".equals(request.provider().trim())))) {
            throw ApiException.badRequest("pool_size needs a template without env, network, ports, allow_root, "
                    + "read_only_root, a runtime other than runc or a provider other than docker: its warm sandboxes "
                    + "are started before anyone asks for them");
        }
        return size == 0 ? null : size;
    }

    private static TemplateView view(Template template) {
        TemplateRequest spec = template.spec;
        return new TemplateView(template.name, spec.image(), spec.provider(), spec.memoryMb(), spec.vcpus(), spec.ttl(),
                spec.metadata(), spec.env(), spec.network(), spec.ports(), spec.publicPreview(), spec.pidsLimit(),
                Boolean.TRUE.equals(spec.allowRoot()), spec.readOnlyRoot(), spec.diskMb(), spec.networkPolicy(), spec.pullPolicy(),
                spec.poolSize() == null ? 0 : spec.poolSize(), template.ownerId, template.createdAt, template.updatedAt,
                spec.runtime());
    }
}
