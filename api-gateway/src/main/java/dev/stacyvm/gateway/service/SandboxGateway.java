package dev.stacyvm.gateway.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stacyvm.contract.api.AdmissionDecision;
import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.CreateSandboxRequest;
import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.contract.api.ExecRequest;
import dev.stacyvm.contract.api.ExecResult;
import dev.stacyvm.contract.api.ExecSocketFrame;
import dev.stacyvm.contract.api.ExecSocketRequest;
import dev.stacyvm.contract.api.ExecStreamLine;
import dev.stacyvm.contract.api.ExtendRequest;
import dev.stacyvm.contract.api.LogLines;
import dev.stacyvm.contract.api.NetworkPolicy;
import dev.stacyvm.contract.api.OwnerIds;
import dev.stacyvm.contract.api.PruneResult;
import dev.stacyvm.contract.api.SandboxState;
import dev.stacyvm.contract.api.SandboxView;
import dev.stacyvm.contract.event.AuditEvent;
import dev.stacyvm.contract.internal.DiskUsage;
import dev.stacyvm.contract.internal.SandboxSpec;
import dev.stacyvm.contract.internal.TtlExtension;
import dev.stacyvm.contract.time.GoDuration;
import dev.stacyvm.gateway.auth.Caller;
import dev.stacyvm.gateway.auth.CallerContext;
import dev.stacyvm.gateway.auth.CredentialEndedException;
import dev.stacyvm.gateway.auth.CredentialSessions;
import dev.stacyvm.gateway.config.GatewayConfig;
import dev.stacyvm.gateway.quota.Admission;
import dev.stacyvm.gateway.quota.Quotas;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The public sandbox operations: who may see what, the defaults and limits, the calls to the
 * scheduler and the workers, and an audit record for every create, exec and destroy, whether it
 * succeeded or not.
 */
@ApplicationScoped
public class SandboxGateway {

    public static final String CREATE = "sandbox.create";
    public static final String EXEC = "sandbox.exec";
    public static final String SIGNAL_PROCESS = "sandbox.process.signal";
    public static final String DESTROY = "sandbox.destroy";
    public static final String EXTEND = "sandbox.extend";
    public static final String PRUNE = "sandbox.prune";
    public static final String NETWORK = "sandbox.network";

    @Inject
    CallerContext context;

    @Inject
    CredentialSessions credentialSessions;

    @Inject
    SandboxRequests requests;

    @Inject
    InternalServices services;

    @Inject
    RunningViews runningViews;

    @Inject
    AuditTrail audit;

    @Inject
    DeniedLookups deniedLookups;

    @Inject
    GatewayConfig config;

    @Inject
    WorkerStreams streams;

    @Inject
    TemplateService templates;

    @Inject
    Admission admission;

    @Inject
    Quotas quotas;

    @Inject
    ObjectMapper json;

    @Inject
    NetworkPolicies networkPolicies;

    @Inject
    dev.stacyvm.gateway.metrics.OperationMetrics metrics;

    /** Creates a sandbox; a request naming a template gets the template's fields where it sets none. */
    public SandboxView create(CreateSandboxRequest request) {
        String template = request != null && request.template() != null && !request.template().isBlank()
                ? request.template() : null;
        return metrics.create(() -> createResolved(withTemplate(request), template));
    }

    /** Creates a sandbox from a template, {@code overrides} (may be null) winning over its fields. */
    public SandboxView spawn(String template, CreateSandboxRequest overrides) {
        return metrics.create(() -> {
            CreateSandboxRequest base = templates.createRequest(template);
            return createResolved(overrides == null ? base : overrides.over(base), template);
        });
    }

    /** The decision a create with this body would meet now; changes nothing. */
    public AdmissionDecision admission(CreateSandboxRequest request) {
        return admission.decide(requests.resolve(withTemplate(request), context.caller()));
    }

    private CreateSandboxRequest withTemplate(CreateSandboxRequest request) {
        if (request != null && request.template() != null && !request.template().isBlank()) {
            return request.over(templates.createRequest(request.template()));
        }
        return request;
    }

    /**
     * Resolves and creates; {@code template} is the template the create named (null: none). Only
     * a template an administrator saved with {@code allow_root} makes the sandbox run as root, and
     * then only with the template's own image: the administrator allowed root for that image.
     */
    private SandboxView createResolved(CreateSandboxRequest request, String template) {
        SandboxSpec resolved;
        try {
            resolved = requests.resolve(request, context.caller());
        } catch (ApiException refused) {
            if (refused.code().httpStatus() == 403) {
                // a policy's refusal (an image, egress) is a denial the audit log must show
                audit.record(CREATE, null, context.caller().ownerId(), null, AuditEvent.DENIED,
                        refused.code().wireName() + ": " + refused.getMessage());
            }
            throw refused;
        }
        if (template != null && templates.allowsRoot(template)) {
            SandboxSpec allowed = requests.resolve(templates.createRequest(template), context.caller());
            if (!allowed.image().equals(resolved.image())) {
                throw ApiException.badRequest("template \"" + template + "\" runs as root, so a create from it "
                        + "cannot change its image (" + allowed.image() + ")");
            }
            if (!allowed.runtime().equals(resolved.runtime())) {
                // the administrator allowed root under this runtime's isolation, not a weaker one
                throw ApiException.badRequest("template \"" + template + "\" runs as root, so a create from it "
                        + "cannot change its runtime (" + allowed.runtime() + ")");
            }
            resolved = resolved.asRoot();
        }
        SandboxSpec spec = resolved;
        // the scheduler admits the create atomically (the owner's quota, a worker with room), so
        // asking it first would only cost a round trip
        return audited(CREATE, null, spec.ownerId(), () -> services.scheduler().create(spec),
                sandbox -> "image " + spec.image() + (spec.runAsRoot() ? " as root" : ""));
    }

    public List<SandboxView> list() {
        Caller caller = context.caller();
        Caller.ListScope scope = caller.listScope();
        List<SandboxView> sandboxes = services.scheduler().list(scope.owner(), scope.tenant());
        return caller.role() == dev.stacyvm.gateway.auth.Role.ADMIN ? sandboxes
                : sandboxes.stream().filter(sandbox -> !isBuildSandbox(sandbox)).toList();
    }

    /**
     * Whether the sandbox is a build's (root with package managers' capabilities): only its build
     * drives it, and only an administrator sees it; to its owner it does not exist, so nobody
     * keeps it, execs in it or widens its egress past what the build was given.
     */
    public static boolean isBuildSandbox(SandboxView sandbox) {
        return sandbox.metadata() != null && sandbox.metadata().containsKey(SandboxSpec.BUILD_METADATA);
    }

    /** The sandbox, if the caller may see it; another owner's sandbox is {@code not_found}, like a missing one. */
    public SandboxView get(String id) {
        return visible(id, false);
    }

    /**
     * The sandbox as {@link #get} finds it, with the disk it has written when it is running and its
     * worker answers within {@code stacyvm.sandboxes.disk-usage-timeout}; a worker that does not
     * (or fails) leaves the figure out and never fails the answer.
     */
    public SandboxView getWithDiskUsage(String id) {
        SandboxView sandbox = get(id);
        if (!SandboxState.RUNNING.wireName().equals(sandbox.state()) || sandbox.workerId() == null) {
            return sandbox;
        }
        try {
            DiskUsage usage = services.worker(sandbox.workerId(), config.sandboxes().diskUsageTimeout()).disk(id);
            return sandbox.withDiskUsed(usage.diskUsedBytes());
        } catch (RuntimeException noFigure) {
            Log.debugf("no disk figure for %s from worker %s: %s", id, sandbox.workerId(), noFigure.getMessage());
            return sandbox;
        }
    }

    /** The sandbox, if the caller may see it and it is running; otherwise {@code conflict}. */
    public SandboxView running(String id) {
        SandboxView sandbox = get(id);
        if (!SandboxState.RUNNING.wireName().equals(sandbox.state())) {
            throw new ApiException(ErrorCode.CONFLICT, "sandbox " + id + " is " + sandbox.state() + ", not running");
        }
        return sandbox;
    }

    /**
     * As {@link #running}, but may answer a view this gateway found running within the last second
     * ({@link RunningViews}): for commands and file operations, which use only the view's owner and
     * worker and which the worker refuses itself once the sandbox has gone. The caller's right to
     * the sandbox is checked on every call, remembered view or not.
     */
    public SandboxView runningForCommand(String id) {
        SandboxView remembered = runningViews.find(id).orElse(null);
        if (remembered == null) {
            long asked = runningViews.generation();
            SandboxView sandbox = running(id);
            runningViews.remember(sandbox, asked);
            return sandbox;
        }
        return mayBeSeen(id, remembered);
    }

    private SandboxView visible(String id, boolean includeDestroyed) {
        return mayBeSeen(id, services.scheduler().get(id, includeDestroyed));
    }

    private SandboxView mayBeSeen(String id, SandboxView sandbox) {
        if (!context.caller().maySee(sandbox.ownerId())
                || isBuildSandbox(sandbox) && context.caller().role() != dev.stacyvm.gateway.auth.Role.ADMIN) {
            deniedLookups.sandbox(id, sandbox.ownerId());
            throw ApiException.notFound("sandbox not found: " + id);
        }
        return sandbox;
    }

    /** Destroys a sandbox; destroying it again answers the same, as StacyVM's clients expect. */
    public void destroy(String id) {
        SandboxView sandbox = visible(id, true);
        runningViews.forget(id);
        try {
            audited(DESTROY, sandbox, sandbox.ownerId(), () -> services.scheduler().destroy(id), status -> null);
        } finally {
            runningViews.forget(id);
        }
    }

    /** Gives a running sandbox more time, capped by its owner's maximum TTL from now. */
    public SandboxView extend(String id, ExtendRequest request) {
        if (request == null || request.ttl() == null || request.ttl().isBlank()) {
            throw ApiException.badRequest("ttl is required");
        }
        Duration ttl = GoDuration.parsePositiveField("ttl", request.ttl());
        SandboxView sandbox = get(id);
        runningViews.forget(id);
        TtlExtension extension = new TtlExtension(Math.max(1, ttl.toSeconds()),
                quotas.of(sandbox.ownerId()).maxTtl().toSeconds());
        return audited(EXTEND, sandbox, sandbox.ownerId(), () -> services.scheduler().extend(id, extension),
                extended -> "by " + GoDuration.format(ttl) + " to " + extended.expiresAt());
    }

    /**
     * Replaces the egress policy of a running networked sandbox, bounded by its tenant's policy as
     * at create; the worker reloads the sandbox's rules before the new policy is recorded.
     *
     * @throws ApiException {@code bad_request} without a body, {@code invalid_network_policy},
     *                      {@code network_policy_not_allowed}, {@code conflict} for a sandbox that
     *                      is not running or has no network, {@code not_found}
     */
    public SandboxView changeNetwork(String id, NetworkPolicy requested) {
        if (requested == null) {
            throw ApiException.badRequest("a network policy body is required");
        }
        SandboxView sandbox = get(id);
        runningViews.forget(id);
        return audited(NETWORK, sandbox, sandbox.ownerId(), () -> {
            if (!"bridge".equals(sandbox.network())) {
                throw new ApiException(ErrorCode.CONFLICT, "sandbox " + id + " has no network (network \"none\"): "
                        + "there is no egress to set a policy for");
            }
            NetworkPolicy policy = networkPolicies.effective("bridge", requested, OwnerIds.tenantOf(sandbox.ownerId()));
            return services.scheduler().changeNetwork(id, policy);
        }, changed -> changed.networkPolicy().summary());
    }

    /**
     * Brings the tenant's running networked sandboxes within its new policy
     * ({@link NetworkPolicy#narrowed}): each one whose policy changes gets its rules reloaded by its
     * worker, audited as {@code sandbox.network}. Every sandbox is tried even when one fails.
     *
     * @return how many sandboxes were narrowed
     * @throws ApiException {@code unavailable} naming the sandboxes that could not be narrowed (the
     *                      tenant's policy is set; the same PUT again retries them)
     */
    public int narrowToTenant(String tenant, NetworkPolicy tenantPolicy) {
        int narrowed = 0;
        List<String> failed = new ArrayList<>();
        for (SandboxView sandbox : services.scheduler().list(null, tenant)) {
            if (!"bridge".equals(sandbox.network()) || !SandboxState.RUNNING.name().equalsIgnoreCase(sandbox.state())) {
                continue;
            }
            NetworkPolicy within = NetworkPolicy.narrowed(sandbox.networkPolicy(), tenantPolicy);
            if (within.equals(sandbox.networkPolicy())) {
                continue;
            }
            try {
                audited(NETWORK, sandbox, sandbox.ownerId(), () -> services.scheduler().changeNetwork(sandbox.id(), within),
                        changed -> "tenant " + tenant + " policy: " + changed.networkPolicy().summary());
                narrowed++;
            } catch (ApiException e) {
                if (e.code() != ErrorCode.NOT_FOUND && e.code() != ErrorCode.CONFLICT) {
                    // gone or stopped meanwhile needs nothing; anything else keeps its looser rules
                    failed.add(sandbox.id());
                }
            }
        }
        if (!failed.isEmpty()) {
            throw new ApiException(ErrorCode.UNAVAILABLE, "the tenant's network policy is set, but these running "
                    + "sandboxes still have their earlier rules (their worker did not apply the new ones): " + failed
                    + "; send the same PUT again to retry them", 5L);
        }
        return narrowed;
    }

    /** Destroys the caller's expired sandboxes now (an administrator's: everyone's). */
    public PruneResult prune() {
        Caller.ListScope scope = context.caller().listScope();
        runningViews.forgetAll();
        return audited(PRUNE, null, scope.owner(), () -> services.scheduler().prune(scope.owner(), scope.tenant()),
                result -> "pruned " + result.pruned());
    }

    /**
     * The last lines the sandbox's main process wrote, as the worker's JSON array streamed through
     * without being held here: the worker bounds it in bytes and says whether it was truncated.
     */
    public LogStream logs(String id, Integer lines) {
        int bounded = LogLines.bounded(lines);
        SandboxView sandbox = get(id);
        HttpResponse<InputStream> answer = streams.getWithHeaders(services.workerEndpoint(sandbox.workerId()),
                "/internal/sandboxes/" + id + "/logs?lines=" + bounded);
        boolean truncated = answer.headers().firstValue(LogLines.TRUNCATED_HEADER).map(Boolean::parseBoolean).orElse(false);
        InputStream body = answer.body();
        return new LogStream(output -> {
            try (body) {
                body.transferTo(output);
            }
        }, truncated);
    }

    /**
     * What the running sandbox uses now ({@link dev.stacyvm.contract.api.SandboxStats}), as its worker
     * samples it (about a second: the engine compares two samples for the CPU figure), with the
     * disk limit it was created with.
     *
     * @throws ApiException {@code conflict} when it is not running, {@code not_found} when the caller
     *                      may not see it, {@code unavailable} when its worker does not answer
     */
    public dev.stacyvm.contract.api.SandboxStats stats(String id) {
        SandboxView sandbox = running(id);
        Long diskLimit = sandbox.diskMb() == null || sandbox.diskMb() <= 0 ? null : sandbox.diskMb() * 1024L * 1024L;
        return services.worker(sandbox.workerId(), STATS_TIMEOUT).stats(id).withDiskLimit(diskLimit);
    }

    /** The engine's two samples take about a second; a busy engine gets some more. */
    private static final Duration STATS_TIMEOUT = Duration.ofSeconds(15);

    /**
     * The sandbox's processes as the agent lists them inside it (at most 1000), streamed through
     * from the worker: {@code {"processes": [{pid, ppid, user, command, state, started_at,
     * rss_bytes, agent}], "truncated": bool}}.
     */
    public StreamingOutput processes(String id) {
        SandboxView sandbox = get(id);
        InputStream body = streams.get(services.workerEndpoint(sandbox.workerId()), "/internal/sandboxes/" + id + "/processes");
        return output -> {
            try (body) {
                body.transferTo(output);
            }
        };
    }

    /**
     * Sends a signal ({@code KILL} unless named) to one process of the sandbox, audited as
     * {@code sandbox.process.signal}; pid 1 and the agent's own processes are refused
     * ({@code protected_process}), a pid that is not there is {@code not_found}.
     */
    public void signalProcess(String id, int pid, String signal) {
        SandboxView sandbox = get(id);
        String name = signal == null || signal.isBlank() ? "KILL" : signal;
        audited(SIGNAL_PROCESS, sandbox, sandbox.ownerId(), () -> {
            streams.delete(services.workerEndpoint(sandbox.workerId()), "/internal/sandboxes/" + id + "/processes/" + pid
                    + "?" + WorkerStreams.query("signal", name));
            return pid;
        }, signalled -> "signal " + name + " to process " + signalled);
    }

    /** A logs answer: the JSON array still to be copied, and whether the worker truncated it. */
    public record LogStream(StreamingOutput json, boolean truncated) {
    }

    /**
     * A synchronous exec's answer: the worker's {@link ExecResult} JSON, copied to the client as it
     * comes rather than parsed and written again (with a megabyte of output, that was most of the
     * gateway's work), and the exit code and timed-out flag the worker sent beside it
     * ({@link ExecResult#EXIT_CODE_HEADER}), for the audit record and the metrics.
     */
    public record ExecAnswer(int exitCode, boolean timedOut, StreamingOutput json) {
    }

    /**
     * Runs a command to its end and answers the result (StacyVM's {@code POST /sandboxes/{id}/exec});
     * refused with the worker's typed error, or 503 when the worker cannot be reached. Audited
     * (exit code, timed out, command line) before the answer is sent.
     */
    public ExecAnswer exec(String id, ExecRequest request) {
        PreparedExec exec = prepareExec(id, request);
        Duration readTimeout = exec.timeout().plusSeconds(30);
        String workerId = exec.sandbox().workerId();
        // the worker's answer, open until the client has it: closed here if anything fails first
        InputStream[] open = new InputStream[1];
        try {
            return metrics.exec(() -> audited(EXEC, exec.sandbox(), exec.sandbox().ownerId(), () -> {
                HttpResponse<InputStream> answer;
                try {
                    answer = streams.postJsonWithHeaders(services.workerEndpoint(workerId),
                            "/internal/sandboxes/" + id + "/exec", exec.request(), readTimeout);
                } catch (ApiException e) {
                    if (e.code() == ErrorCode.UNAVAILABLE) {
                        services.forget(workerId);
                    }
                    throw e;
                }
                open[0] = answer.body();
                return execAnswer(answer);
            }, result -> describeExec(request, result.exitCode(), result.timedOut())), ExecAnswer::timedOut);
        } catch (RuntimeException failed) {
            if (open[0] != null) {
                closeQuietly(open[0]);
            }
            throw failed;
        }
    }

    /**
     * The answer from the worker's exit-code headers, its body passed through; a worker that sends
     * none (one older than the gateway) has its body read as before, rather than a command that
     * ran being answered as an error.
     */
    private ExecAnswer execAnswer(HttpResponse<InputStream> answer) {
        InputStream body = answer.body();
        java.util.Optional<String> exitCode = answer.headers().firstValue(ExecResult.EXIT_CODE_HEADER);
        if (exitCode.isEmpty() || !exitCode.get().matches("-?\\d{1,9}")) {
            ExecResult result;
            try (body) {
                result = json.readValue(body, ExecResult.class);
            } catch (IOException unreadable) {
                throw ApiException.unavailable("the sandbox's worker answered an exec that could not be read");
            }
            return new ExecAnswer(result.exitCode(), result.timedOut(), output -> json.writeValue(output, result));
        }
        boolean timedOut = answer.headers().firstValue(ExecResult.TIMED_OUT_HEADER).map(Boolean::parseBoolean).orElse(false);
        return new ExecAnswer(Integer.parseInt(exitCode.get()), timedOut, output -> {
            try (body) {
                body.transferTo(output);
            }
        });
    }

    private static void closeQuietly(InputStream body) {
        try {
            body.close();
        } catch (IOException ignored) {
            // the worker's connection is dropped either way
        }
    }

    /**
     * Starts a streamed exec: everything that can be refused is refused here, with a typed error;
     * the returned body then copies the worker's NDJSON lines to the client as they come, and
     * records the audit event when the stream ends (or the client left).
     */
    public StreamingOutput execStream(String id, ExecRequest request) {
        PreparedExec exec = prepareExec(id, request);
        SandboxView sandbox = exec.sandbox();
        AuditTrail.Origin origin = audit.origin();
        InputStream upstream;
        try {
            upstream = streams.postJson(services.workerEndpoint(sandbox.workerId()),
                    "/internal/sandboxes/" + id + "/exec/stream", exec.request());
        } catch (ApiException refused) {
            audit.record(origin, EXEC, id, sandbox.ownerId(), sandbox.workerId(), AuditEvent.FAILURE,
                    refused.code().wireName() + ": " + refused.getMessage());
            throw refused;
        }
        long started = System.nanoTime();
        String apiKeyId = context.apiKeyId();
        java.time.Instant validUntil = context.validUntil();
        return output -> {
            ExecStreamLine exit;
            // a key revoked (a token expired) meanwhile cuts the worker's stream, which stops the command
            try (CredentialSessions.Registration held = credentialSessions.hold(apiKeyId, validUntil,
                    () -> closeQuietly(upstream))) {
                try {
                    exit = ExecStreamRelay.relay(upstream, output, json);
                } catch (IOException clientOrWorkerGone) {
                    if (held.revoked()) {
                        throw revokedDuring(origin, sandbox, request, started);
                    }
                    audit.record(origin, EXEC, id, sandbox.ownerId(), sandbox.workerId(), AuditEvent.FAILURE,
                            "stream ended early; command stopped: " + commandLine(request));
                    metrics.execStream(Duration.ofNanos(System.nanoTime() - started), null, "stream_ended");
                    throw clientOrWorkerGone;
                }
                if (held.revoked() && exit == null) {
                    // cut before the command's end (an answer that was whole is left whole)
                    throw revokedDuring(origin, sandbox, request, started);
                }
            }
            metrics.execStream(Duration.ofNanos(System.nanoTime() - started), exit == null ? null : exit.timedOut(),
                    exit == null ? "no_exit_status" : null);
            audit.record(origin, EXEC, id, sandbox.ownerId(), sandbox.workerId(),
                    exit != null ? AuditEvent.SUCCESS : AuditEvent.FAILURE,
                    exit != null ? describeExec(request, exit.exitCode(), exit.timedOut())
                            : "stream ended without an exit status: " + commandLine(request));
        };
    }

    /**
     * Audits a streamed exec its credential's revocation or expiry stopped, and answers the failure that cuts the
     * client's response (rather than ending it cleanly, which would read as a stream that simply
     * had no exit line).
     */
    private CredentialEndedException revokedDuring(AuditTrail.Origin origin, SandboxView sandbox, ExecRequest request, long started) {
        audit.record(origin, EXEC, sandbox.id(), sandbox.ownerId(), sandbox.workerId(), AuditEvent.FAILURE,
                "the credential was revoked or expired; command stopped: " + commandLine(request));
        metrics.execStream(Duration.ofNanos(System.nanoTime() - started), null, "credential_revoked");
        return new CredentialEndedException("the credential that opened this stream was revoked or expired");
    }

    /**
     * An exec WebSocket's session, authorised and bounded: the sandbox, its worker's base URL, the
     * request for the worker (timeout bounded), and the audit origin of the caller who opened it.
     */
    public record SocketExec(SandboxView sandbox, String workerEndpoint, ExecSocketRequest request,
                             AuditTrail.Origin origin) {
    }

    /**
     * Checks an exec WebSocket's first message as a streamed exec is checked (the caller may see
     * the running sandbox; a command; a timeout within the owner's {@code max_exec_timeout},
     * which is also a terminal's default, since a shell outlives the 60-second default).
     *
     * @throws ApiException {@code bad_request}, {@code not_found}, {@code conflict} (not running),
     *                      {@code resource_limit} (timeout above the owner's maximum)
     */
    public SocketExec prepareSocket(String id, ExecSocketRequest request) {
        if (request == null || request.command() == null || request.command().isEmpty()) {
            throw ApiException.badRequest("command is required");
        }
        if (request.encoding() != null && !request.base64()) {
            throw ApiException.badRequest("encoding must be \"base64\" or left out");
        }
        SandboxView sandbox = running(id);
        Duration max = quotas.of(sandbox.ownerId()).maxExecTimeout();
        Duration timeout = ExecTimeouts.of(request.timeout(), request.terminal() ? max : config.exec().defaultTimeout(), max);
        return new SocketExec(sandbox, services.workerEndpoint(sandbox.workerId()),
                request.withTimeout(GoDuration.format(timeout)), audit.origin());
    }

    /**
     * Records how an exec WebSocket's session ended, as {@code sandbox.exec}: its exit status from
     * the worker's {@code done} frame, or a failure ({@code last} null: the client or the worker
     * went away first, or an error frame).
     */
    public void socketEnded(SocketExec exec, ExecSocketFrame last, Duration took) {
        String kind = exec.request().terminal() ? "terminal session" : "exec socket";
        String command = commandLine(exec.request().execRequest(null));
        SandboxView sandbox = exec.sandbox();
        boolean done = last != null && ExecSocketFrame.DONE.equals(last.type()) && last.exitCode() != null;
        metrics.execStream(took, done ? last.timedOut() : null, done ? null : "socket_ended");
        String detail = done
                ? kind + ": exit_code=" + last.exitCode() + (Boolean.TRUE.equals(last.timedOut()) ? " timed_out" : "")
                        + " command: " + command
                : kind + " ended without an exit status" + (last != null && last.error() != null ? " (" + last.error() + ")" : "")
                        + "; command stopped: " + command;
        audit.record(exec.origin(), EXEC, sandbox.id(), sandbox.ownerId(), sandbox.workerId(),
                done ? AuditEvent.SUCCESS : AuditEvent.FAILURE, detail);
    }

    private record PreparedExec(SandboxView sandbox, ExecRequest request, Duration timeout) {
    }

    private PreparedExec prepareExec(String id, ExecRequest request) {
        if (request == null || request.command() == null || request.command().isEmpty()) {
            throw ApiException.badRequest("command is required");
        }
        SandboxView sandbox = runningForCommand(id);
        Duration timeout = ExecTimeouts.of(request.timeout(), config.exec().defaultTimeout(),
                quotas.of(sandbox.ownerId()).maxExecTimeout());
        ExecRequest bounded = new ExecRequest(request.command(), request.args(), request.mode(), request.env(),
                request.workdir(), GoDuration.format(timeout), request.stream());
        return new PreparedExec(sandbox, bounded, timeout);
    }

    private static String describeExec(ExecRequest request, int exitCode, boolean timedOut) {
        return "exit_code=" + exitCode + (timedOut ? " timed_out" : "") + " command: " + commandLine(request);
    }

    private static String commandLine(ExecRequest request) {
        if (ExecRequest.MODE_ARGV.equals(request.mode()) || request.args() == null) {
            return request.args() == null || request.args().isEmpty()
                    ? request.command() : request.command() + " " + String.join(" ", request.args());
        }
        try {
            return request.shellLine();
        } catch (ApiException nullArg) {
            return request.command();
        }
    }

    private <T> T audited(String action, SandboxView sandbox, String ownerId, Supplier<T> operation,
                          java.util.function.Function<T, String> detail) {
        return audit.around(action, sandbox, ownerId, operation, detail);
    }
}
