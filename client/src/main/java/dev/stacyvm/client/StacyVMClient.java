package dev.stacyvm.client;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.stacyvm.contract.api.AdmissionDecision;
import dev.stacyvm.contract.api.ApiKeyRequest;
import dev.stacyvm.contract.api.ApiKeyView;
import dev.stacyvm.contract.api.AuditRecordView;
import dev.stacyvm.contract.api.PruneResult;
import dev.stacyvm.contract.api.SandboxView;
import dev.stacyvm.contract.api.TemplateRequest;
import dev.stacyvm.contract.api.TemplateView;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A client of StacyVM's public API on the JDK's {@link HttpClient}: {@code create} answers a
 * {@link RemoteSandbox} to run commands in and move files through. Errors are the contract's
 * {@link dev.stacyvm.contract.api.ApiException}, whose {@code code()} is the API's error code
 * ({@code unavailable} when the API cannot be reached).
 *
 * <pre>{@code
 * StacyVMClient client = StacyVMClient.connect("http://127.0.0.1:7423", apiKey);
 * try (RemoteSandbox sandbox = client.create(Map.of("ttl", "10m"))) {
 *     System.out.println(sandbox.exec("echo hello").stdout());
 * }
 * }</pre>
 */
public final class StacyVMClient {

    private static final TypeReference<SandboxView> SANDBOX = new TypeReference<>() {
    };

    private final Http http;

    private StacyVMClient(Http http) {
        this.http = http;
    }

    /** A client with an API key ({@code X-API-Key}). */
    public static StacyVMClient connect(String url, String apiKey) {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        return new StacyVMClient(new Http(http, url, apiKey == null ? Map.of() : Map.of("X-API-Key", apiKey),
                Duration.ofMinutes(2)));
    }

    /** The same connection acting for an application's end user ({@code X-User-ID}). */
    public StacyVMClient asUser(String userId) {
        return new StacyVMClient(http.withCredential("X-User-ID", userId));
    }

    /** The same connection with an OIDC access token instead of the key. */
    public StacyVMClient withBearerToken(String token) {
        return new StacyVMClient(http.withCredential("X-API-Key", null).withCredential("Authorization", "Bearer " + token));
    }

    /**
     * Creates a sandbox and answers it running. {@code body} is the create body: a map with the
     * API's field names ({@code image, ttl, memory_mb, env, ports, ...}) or a
     * {@link dev.stacyvm.contract.api.CreateSandboxRequest}; what it leaves out gets the defaults.
     */
    public RemoteSandbox create(Object body) {
        return new RemoteSandbox(http, http.json("POST", "/sandboxes", body == null ? Map.of() : body, SANDBOX));
    }

    public AdmissionDecision admission(Object body) {
        return http.json("POST", "/sandboxes/admission", body == null ? Map.of() : body, new TypeReference<>() {
        });
    }

    public RemoteSandbox get(String id) {
        return new RemoteSandbox(http, http.json("GET", "/sandboxes/" + id, null, SANDBOX));
    }

    public List<SandboxView> list() {
        return http.json("GET", "/sandboxes", null, new TypeReference<>() {
        });
    }

    /** Destroys a sandbox; destroying it again is no error. */
    public void destroy(String id) {
        http.json("DELETE", "/sandboxes/" + id, null, null);
    }

    /** Destroys the caller's expired sandboxes now; answers how many. */
    public int prune() {
        return http.json("DELETE", "/sandboxes", null, new TypeReference<PruneResult>() {
        }).pruned();
    }

    // templates
    public List<TemplateView> templates() {
        return http.json("GET", "/templates", null, new TypeReference<>() {
        });
    }

    public TemplateView template(String name) {
        return http.json("GET", "/templates/" + name, null, new TypeReference<>() {
        });
    }

    public TemplateView createTemplate(TemplateRequest template) {
        return http.json("POST", "/templates", template, new TypeReference<>() {
        });
    }

    public void deleteTemplate(String name) {
        http.json("DELETE", "/templates/" + name, null, null);
    }

    /** Creates a sandbox from a template; {@code overrides} (may be null) win over its fields. */
    public RemoteSandbox spawn(String template, Object overrides) {
        return new RemoteSandbox(http, http.json("POST", "/templates/" + template + "/spawn",
                overrides == null ? Map.of() : overrides, SANDBOX));
    }

    // administration (an admin key)
    public List<ApiKeyView> apiKeys() {
        return http.json("GET", "/admin/api-keys", null, new TypeReference<>() {
        });
    }

    /** The answer carries the key itself, the only time it is shown. */
    public ApiKeyView createApiKey(ApiKeyRequest request) {
        return http.json("POST", "/admin/api-keys", request, new TypeReference<>() {
        });
    }

    public void revokeApiKey(String id) {
        http.json("DELETE", "/admin/api-keys/" + id, null, null);
    }

    /** The audit log; filters: {@code actor, action, target, since, until, after_id, limit}. */
    public List<AuditRecordView> audit(Map<String, ?> filters) {
        return http.json("GET", "/admin/audit" + Http.query(filters), null, new TypeReference<>() {
        });
    }
}
