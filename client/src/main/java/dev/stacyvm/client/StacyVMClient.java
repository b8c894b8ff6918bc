package dev.stacyvm.client;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.stacyvm.contract.api.AdmissionDecision;
import dev.stacyvm.contract.api.ApiKeyRequest;
import dev.stacyvm.contract.api.ApiKeyView;
import dev.stacyvm.contract.api.AuditRecordView;
import dev.stacyvm.contract.api.PruneResult;
import dev.stacyvm.contract.api.SandboxEvent;
import dev.stacyvm.contract.api.SandboxStats;
import dev.stacyvm.contract.api.SandboxView;
import dev.stacyvm.contract.api.TemplateRequest;
import dev.stacyvm.contract.api.TemplateView;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
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
 *
 * <p>Each method sends one request to the route its Javadoc names, under {@code {url}/api/v1}. Bodies are the API's
 * JSON with snake_case field names; durations are Go duration strings ({@code "30s"}, {@code "5m"},
 * {@code "1h30m"}); fields ending in {@code _mb} are MiB; instants are ISO-8601 UTC. A client is immutable:
 * {@link #asUser} and {@link #withBearerToken} derive others that share its connection pool.
 *
 * <p>An error answer becomes an {@link dev.stacyvm.contract.api.ApiException} whose
 * {@link dev.stacyvm.contract.api.ApiException#code() code()} is the {@link dev.stacyvm.contract.api.ErrorCode} the
 * answer's body names (else the one its HTTP status stands for), whose message is the API's, and whose
 * {@link dev.stacyvm.contract.api.ApiException#retryAfterSeconds() retryAfterSeconds()} is the answer's
 * {@code Retry-After} when it is whole seconds, else null. Each method's {@code @throws} names the codes particular to
 * it; besides those, every call can answer:
 * <ul>
 * <li>{@code unauthorized}: no key or token, or a wrong, revoked or expired one;</li>
 * <li>{@code resource_limit} with {@code retryAfterSeconds()}: the owner, key or tenant used up its
 * {@code requests_per_minute};</li>
 * <li>{@code bad_request}: an end user id ({@link #asUser}) the API refuses;</li>
 * <li>{@code unavailable}: the API could not be reached or did not answer in time (10 seconds to connect, 2 minutes
 * for the answer unless the method says otherwise), the calling thread was interrupted (its interrupt flag is set
 * again), or a StacyVM service or the sandbox's worker behind the gateway cannot answer now;</li>
 * <li>{@code provider_error}: the container engine failed, or a successful answer was not the JSON expected;</li>
 * <li>{@code internal_error}: a StacyVM bug; the message names an incident id the service's log holds with the
 * cause.</li>
 * </ul>
 */
public final class StacyVMClient {

    private static final TypeReference<SandboxView> SANDBOX = new TypeReference<>() {
    };

    private final Http http;

    private StacyVMClient(Http http) {
        this.http = http;
    }

    /**
     * A client with an API key ({@code X-API-Key}). Nothing is sent until a method is called.
     *
     * @param url    where the gateway answers, such as {@code http://127.0.0.1:7423}; trailing slashes are dropped and
     *               {@code /api/v1} is appended
     * @param apiKey the key ({@code svm_} and 64 hex digits, or the bootstrap admin key); null sends none, so every
     *               call is {@code unauthorized} until {@link #withBearerToken} adds a token
     * @return a client over HTTP/1.1 that connects within 10 seconds and waits 2 minutes for an answer, unless a
     *         method says otherwise
     */
    public static StacyVMClient connect(String url, String apiKey) {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        return new StacyVMClient(new Http(http, url, apiKey == null ? Map.of() : Map.of("X-API-Key", apiKey),
                Duration.ofMinutes(2)));
    }

    /**
     * The same connection acting for an application's end user ({@code X-User-ID}): what it creates belongs to the
     * owner {@code {tenant}:{key}:{userId}}, and its sandbox listings and templates are that user's only. Nothing is
     * sent here; the API checks the id on each call.
     *
     * @param userId the end user: 1 to 128 characters without whitespace, control characters or path separators
     *               (colons are fine), else every call answers {@code bad_request}; null acts for the key itself again
     * @return a client with this one's credentials and connection pool
     */
    public StacyVMClient asUser(String userId) {
        return new StacyVMClient(http.withCredential("X-User-ID", userId));
    }

    /**
     * The same connection with an OIDC access token instead of the key: {@code Authorization: Bearer}, and no
     * {@code X-API-Key}; an end user set by {@link #asUser} stays. The gateway checks the token's signature, issuer,
     * expiry and audience: a token it does not accept, or any token where bearer tokens are not enabled, is
     * {@code unauthorized}, and one carrying none of the roles {@code admin}, {@code operator}, {@code user} or
     * {@code viewer} is {@code forbidden}. Its owner namespace is {@code {tenant}:@{subject}}, which no API key
     * shares. Nothing is sent here.
     *
     * @param token the access token, without {@code "Bearer "}
     * @return a client with this one's connection pool
     */
    public StacyVMClient withBearerToken(String token) {
        return new StacyVMClient(http.withCredential("X-API-Key", null).withCredential("Authorization", "Bearer " + token));
    }

    /**
     * Creates a sandbox and answers it running. {@code body} is the create body: a map with the
     * API's field names ({@code image, ttl, memory_mb, env, ports, ...}) or a
     * {@link dev.stacyvm.contract.api.CreateSandboxRequest}; what it leaves out gets the defaults.
     *
     * <p>StacyVM's {@code POST /api/v1/sandboxes}, answered with {@code 201} and the sandbox. The defaults, which an
     * operator may configure: image {@code stacyvm/base:bookworm}, {@code memory_mb} 512, {@code vcpus} 1,
     * {@code disk_mb} 10240, {@code pids_limit} 256, {@code ttl} {@code "30m"}, no network unless there are
     * {@code ports}. A {@code ttl} above the owner's {@code max_ttl} (24h by default) is capped, not refused;
     * {@code "template": name} fills what the body leaves empty from that template of the caller's.
     *
     * @param body the create body; null sends {@code {}}, all defaults
     * @return the sandbox, in state {@code running}
     * @throws dev.stacyvm.contract.api.ApiException {@code bad_request} for a field the API refuses (such as
     *     {@code memory_mb} outside 64 to 8192, a {@code ttl} that is not a Go duration of at least 1s, an unknown
     *     {@code provider}, {@code ports} with {@code network: "none"}) or an image the worker does not have;
     *     {@code forbidden} for a viewer key; {@code not_found} for a {@code template} that is not the caller's;
     *     {@code invalid_network_policy} for a {@code network_policy} that does not parse,
     *     {@code network_policy_not_allowed} for one its tenant's policy does not allow; {@code resource_limit} when
     *     the owner's, key's or tenant's limits (live sandboxes, memory, vCPUs, disk) leave no room, with
     *     {@code retryAfterSeconds()} when waiting can help and without when the sandbox is larger than the whole
     *     quota; {@code capacity_exhausted}, with {@code retryAfterSeconds()}, when no worker host has room now;
     *     {@code exceeds_host_capacity} when no worker host could ever hold it (the message names the limit);
     *     {@code unavailable} also when no worker is ready (or none carries the {@code worker_labels});
     *     {@code provider_error} when the worker failed to start it; and the codes of every call (see
     *     {@link StacyVMClient})
     */
    public RemoteSandbox create(Object body) {
        return new RemoteSandbox(http, http.json("POST", "/sandboxes", body == null ? Map.of() : body, SANDBOX));
    }

    /**
     * Whether a create with this body would be admitted now, and the numbers behind the decision: StacyVM's
     * {@code POST /api/v1/sandboxes/admission}. It creates nothing. A refusal is an answer, not an exception:
     * {@code allowed} false with its {@code reason} (the owner's, key's or tenant's limit, or no worker with room);
     * {@code queueable} is always false, since a create that is not admitted is refused, never queued.
     *
     * @param body a create body, as for {@link #create}; null sends {@code {}}
     * @return the decision, with the numbers behind it: live sandboxes in all and the owner's, their limits, and the
     *         owner's {@code max_ttl}
     * @throws dev.stacyvm.contract.api.ApiException {@code bad_request} for a body {@link #create} would refuse as
     *     invalid; {@code forbidden} for a viewer key, which could never create what it asks about;
     *     {@code not_found} for a {@code template} that is not the caller's; {@code invalid_network_policy},
     *     {@code network_policy_not_allowed}; and the codes of every call (see {@link StacyVMClient})
     */
    public AdmissionDecision admission(Object body) {
        return http.json("POST", "/sandboxes/admission", body == null ? Map.of() : body, new TypeReference<>() {
        });
    }

    /**
     * One sandbox: StacyVM's {@code GET /api/v1/sandboxes/{id}}. A running one also shows {@code disk_used_bytes}
     * and {@code disk_used_mb}, what it has written against its {@code disk_mb}, when its worker answers in time.
     *
     * @param id the sandbox's id ({@code sb-} and twelve hex digits)
     * @return a handle on it, holding the view as read
     * @throws dev.stacyvm.contract.api.ApiException {@code not_found} when there is no such sandbox, it is destroyed,
     *     or it belongs to another owner; and the codes of every call (see {@link StacyVMClient})
     */
    public RemoteSandbox get(String id) {
        return new RemoteSandbox(http, http.json("GET", "/sandboxes/" + id, null, SANDBOX));
    }

    /**
     * The sandboxes the caller may see, oldest first, destroyed ones left out: StacyVM's
     * {@code GET /api/v1/sandboxes}. A user or viewer key sees its own, an operator key its tenant's, an
     * administrator everyone's; {@link #asUser} narrows any of them to that end user's.
     *
     * @return their views, without the disk figures {@link #get} adds
     * @throws dev.stacyvm.contract.api.ApiException only the codes of every call (see {@link StacyVMClient})
     */
    public List<SandboxView> list() {
        return http.json("GET", "/sandboxes", null, new TypeReference<>() {
        });
    }

    /**
     * Destroys a sandbox; destroying it again is no error.
     *
     * <p>StacyVM's {@code DELETE /api/v1/sandboxes/{id}}; its container is removed.
     *
     * @param id the sandbox's id
     * @throws dev.stacyvm.contract.api.ApiException {@code not_found} when there never was such a sandbox or it
     *     belongs to another owner; {@code forbidden} for a viewer key; {@code unavailable} also when its worker
     *     failed to remove it (the sandbox is left in state {@code error} and the destroy is retried); and the codes
     *     of every call (see {@link StacyVMClient})
     */
    public void destroy(String id) {
        http.json("DELETE", "/sandboxes/" + id, null, null);
    }

    /**
     * Destroys the caller's expired sandboxes now; answers how many.
     *
     * <p>StacyVM's prune, {@code DELETE /api/v1/sandboxes}, answered with {@code {"pruned": n}}: every sandbox in
     * {@link #list}'s scope whose {@code expires_at} has passed (those still being created or destroyed excepted),
     * now rather than at the next sweep. One that fails to be destroyed is left out of the count, not an error.
     *
     * @return how many were destroyed
     * @throws dev.stacyvm.contract.api.ApiException {@code forbidden} for a viewer key; and the codes of every call
     *     (see {@link StacyVMClient})
     */
    public int prune() {
        return http.json("DELETE", "/sandboxes", null, new TypeReference<PruneResult>() {
        }).pruned();
    }

    /**
     * What a running sandbox uses now: StacyVM's {@code GET /api/v1/sandboxes/{id}/stats}, as
     * {@link RemoteSandbox#stats()} answers it, without reading the sandbox first. The worker samples the sandbox
     * for about a second before it answers.
     *
     * @param id the sandbox's id
     * @return the figures, as {@link RemoteSandbox#stats()} describes them
     * @throws dev.stacyvm.contract.api.ApiException the codes of {@link RemoteSandbox#stats()}
     */
    public SandboxStats stats(String id) {
        return http.json("GET", "/sandboxes/" + id + "/stats", null, new TypeReference<>() {
        });
    }

    /**
     * Follows the caller's sandbox events as they happen: StacyVM's {@code GET /api/v1/events}, Server-Sent Events
     * read by an {@link EventStream} that reconnects by itself (with {@code Last-Event-ID}) when the gateway ends the
     * stream, which it does every 10 minutes, or the connection drops. A user or viewer key sees its own sandboxes'
     * events, an operator key its tenant's, an administrator everyone's; build sandboxes' events only an
     * administrator. The connection is opened here: close the stream to hang it up.
     *
     * <p>Types: {@code sandbox.created} (the sandbox is {@code creating}), {@code sandbox.running},
     * {@code sandbox.unhealthy}, {@code sandbox.expired}, {@code sandbox.destroying}, {@code sandbox.destroyed},
     * {@code sandbox.error} (state changes: {@code data} holds {@code from_state}, absent for
     * {@code sandbox.created}, {@code to_state}, {@code image} and {@code reason}) and {@code sandbox.progress} (a
     * create's image pull: {@code phase} {@code pulling} or {@code pulled}, {@code detail}, {@code bytes_done} and
     * {@code bytes_total}). One sandbox's events come in order.
     *
     * @param sandboxIds  only these sandboxes' events (at most 100); null or empty for all the caller may see
     * @param types       only events of these types ({@link SandboxEvent#TYPES}, at most 100); null or empty for all
     * @param lastEventId a {@link EventStream.Received#cursor() cursor} from an earlier stream, to start just after
     *                    that event (on any gateway; one older than the event log's retention starts at the oldest
     *                    event kept); null to start now, with the next event to happen
     * @return the open stream; iterate it, and close it
     * @throws IllegalArgumentException before anything is sent, for a {@code lastEventId} with a line break
     * @throws dev.stacyvm.contract.api.ApiException {@code bad_request} for an unknown type, more than 100 ids or
     *     types, or a {@code lastEventId} that is not a cursor of this API; {@code resource_limit} when the gateway
     *     serves as many streams as it may, or the caller's key holds as many (8 by default) on it;
     *     {@code unavailable} also when the event log (Kafka) does not answer; {@code provider_error} when the
     *     answer is not an event stream; and the codes of every call (see {@link StacyVMClient}). Errors after the
     *     stream is open come from its {@link EventStream#hasNext()}.
     */
    public EventStream events(Collection<String> sandboxIds, Collection<String> types, String lastEventId) {
        Map<String, Object> query = new LinkedHashMap<>();
        query.put("sandbox_id", sandboxIds == null || sandboxIds.isEmpty() ? null : String.join(",", sandboxIds));
        query.put("type", types == null || types.isEmpty() ? null : String.join(",", types));
        return new EventStream(http, "/events" + Http.query(query), lastEventId, EventStream.Policy.DEFAULT);
    }

    /**
     * Follows every event the caller may see, from now: {@link #events(Collection, Collection, String)} without
     * filters or cursor.
     *
     * @return the open stream; iterate it, and close it
     * @throws dev.stacyvm.contract.api.ApiException the codes of {@link #events(Collection, Collection, String)}
     */
    public EventStream events() {
        return events(null, null, null);
    }

    // templates
    /**
     * The caller's templates (its owner's, so {@link #asUser} makes them the end user's): StacyVM's
     * {@code GET /api/v1/templates}.
     *
     * @return the templates, each with null for the fields it leaves to the defaults
     * @throws dev.stacyvm.contract.api.ApiException only the codes of every call (see {@link StacyVMClient})
     */
    public List<TemplateView> templates() {
        return http.json("GET", "/templates", null, new TypeReference<>() {
        });
    }

    /**
     * One of the caller's templates: StacyVM's {@code GET /api/v1/templates/{name}}.
     *
     * @param name the template's name
     * @return the template as saved, with null for the fields it leaves to the defaults
     * @throws dev.stacyvm.contract.api.ApiException {@code not_found} when the caller has no template by that name
     *     (another owner's is not found either); and the codes of every call (see {@link StacyVMClient})
     */
    public TemplateView template(String name) {
        return http.json("GET", "/templates/" + name, null, new TypeReference<>() {
        });
    }

    /**
     * Saves a template, a named create body: StacyVM's {@code POST /api/v1/templates}, answered with {@code 201}.
     * It is checked as a create would be, so a template that could not spawn is refused now rather than at spawn.
     *
     * @param template the template; its {@code name} must match {@code [a-z0-9][a-z0-9._-]{0,62}}
     * @return the template as saved
     * @throws dev.stacyvm.contract.api.ApiException {@code bad_request} without a body, for a name that does not
     *     match, or for a field a create would refuse; {@code conflict} when the caller already has a template by
     *     that name; {@code forbidden} for a viewer key, or for {@code allow_root} from a key that is not an
     *     administrator's; {@code invalid_network_policy}, {@code network_policy_not_allowed}; and the codes of every
     *     call (see {@link StacyVMClient})
     */
    public TemplateView createTemplate(TemplateRequest template) {
        return http.json("POST", "/templates", template, new TypeReference<>() {
        });
    }

    /**
     * Deletes one of the caller's templates: StacyVM's {@code DELETE /api/v1/templates/{name}}.
     *
     * @param name the template's name
     * @throws dev.stacyvm.contract.api.ApiException {@code not_found} when the caller has no template by that name;
     *     {@code forbidden} for a viewer key; and the codes of every call (see {@link StacyVMClient})
     */
    public void deleteTemplate(String name) {
        http.json("DELETE", "/templates/" + name, null, null);
    }

    /**
     * Creates a sandbox from a template; {@code overrides} (may be null) win over its fields.
     *
     * <p>{@code POST /api/v1/templates/{name}/spawn}, answered as {@link #create} is ({@code 201}, the sandbox
     * running). {@code metadata} and {@code env} are merged with the template's, the entries of {@code overrides}
     * winning.
     *
     * @param template  the name of one of the caller's templates
     * @param overrides a create body as for {@link #create}, or null for the template as saved
     * @return the sandbox, in state {@code running}
     * @throws dev.stacyvm.contract.api.ApiException {@code not_found} when the caller has no such template;
     *     {@code bad_request} also when the template runs as root ({@code allow_root}) and {@code overrides} changes
     *     its image; otherwise the codes of {@link #create}
     */
    public RemoteSandbox spawn(String template, Object overrides) {
        return new RemoteSandbox(http, http.json("POST", "/templates/" + template + "/spawn",
                overrides == null ? Map.of() : overrides, SANDBOX));
    }

    // administration (an admin key)
    /**
     * Every API key, revoked ones included (with {@code revoked_at}), oldest first and without their secrets:
     * {@code GET /api/v1/admin/api-keys}, for administrators only.
     *
     * @return the keys
     * @throws dev.stacyvm.contract.api.ApiException {@code forbidden} for a key or token that is not an
     *     administrator's; and the codes of every call (see {@link StacyVMClient})
     */
    public List<ApiKeyView> apiKeys() {
        return http.json("GET", "/admin/api-keys", null, new TypeReference<>() {
        });
    }

    /**
     * Makes an API key of a tenant: {@code POST /api/v1/admin/api-keys}, for administrators only, answered with
     * {@code 201}. The answer carries the key itself, the only time it is shown: it is stored as its SHA-256. Owner
     * ids carry the key's name, so a key made again under an existing name in the same tenant, to rotate it, keeps
     * what the old one created.
     *
     * @param request {@code name} (required, at most 128 characters, not {@code bootstrap-admin}), {@code tenant}
     *                (required, matching {@code [a-z0-9][a-z0-9._-]{0,62}}) and {@code role}: {@code user} (the
     *                default), {@code viewer}, {@code operator} or {@code admin}
     * @return the key with its {@code id} ({@code key_} and 16 hex digits) and its secret {@code key} ({@code svm_}
     *         and 64 hex digits)
     * @throws dev.stacyvm.contract.api.ApiException {@code bad_request} for a missing or invalid name, tenant or
     *     role; {@code forbidden} for a key or token that is not an administrator's; and the codes of every call
     *     (see {@link StacyVMClient})
     */
    public ApiKeyView createApiKey(ApiKeyRequest request) {
        return http.json("POST", "/admin/api-keys", request, new TypeReference<>() {
        });
    }

    /**
     * Revokes an API key: {@code DELETE /api/v1/admin/api-keys/{id}}, for administrators only. This gateway refuses
     * the key at once, other gateway instances within 10 seconds; revoking a revoked key again is no error.
     *
     * @param id the key's id ({@code key_...}), not its secret
     * @throws dev.stacyvm.contract.api.ApiException {@code not_found} when there is no key with that id;
     *     {@code forbidden} for a key or token that is not an administrator's; and the codes of every call (see
     *     {@link StacyVMClient})
     */
    public void revokeApiKey(String id) {
        http.json("DELETE", "/admin/api-keys/" + id, null, null);
    }

    /**
     * The audit log; filters: {@code actor, action, target, since, until, after_id, limit}.
     *
     * <p>StacyVM's {@code GET /api/v1/admin/audit}, for administrators only: one page of records in log order (by
     * {@code id}). {@code actor}, {@code action} (such as {@code sandbox.exec}) and {@code target} match exactly;
     * {@code since} (inclusive) and {@code until} (exclusive) are ISO-8601 UTC instants such as
     * {@code 2026-01-31T12:00:00Z}; {@code after_id} pages on after a record's {@code id}; {@code limit} is 1 to
     * 1000, 100 by default. Leave {@code format} out: this reads the JSON answer, not the CSV one.
     *
     * @param filters query parameters by name, each sent as its {@code String.valueOf}; a null value is left out
     * @return the records, at most {@code limit}
     * @throws dev.stacyvm.contract.api.ApiException {@code bad_request} for a {@code since} or {@code until} that is
     *     not such an instant, a {@code limit} outside 1 to 1000, or a {@code format} other than json or csv;
     *     {@code forbidden} for a key or token that is not an administrator's; and the codes of every call (see
     *     {@link StacyVMClient})
     */
    public List<AuditRecordView> audit(Map<String, ?> filters) {
        return http.json("GET", "/admin/audit" + Http.query(filters), null, new TypeReference<>() {
        });
    }
}
