package dev.stacyvm.gateway.rest;

import dev.stacyvm.contract.api.AdmissionDecision;
import dev.stacyvm.contract.api.ApiError;
import dev.stacyvm.contract.api.CreateSandboxRequest;
import dev.stacyvm.contract.api.ExecRequest;
import dev.stacyvm.contract.api.ExecResult;
import dev.stacyvm.contract.api.ExecStreamLine;
import dev.stacyvm.contract.api.ExtendRequest;
import dev.stacyvm.contract.api.LogLines;
import dev.stacyvm.contract.api.NetworkPolicy;
import dev.stacyvm.contract.api.PreviewAccess;
import dev.stacyvm.contract.api.PreviewGeneration;
import dev.stacyvm.contract.api.PruneResult;
import dev.stacyvm.contract.api.SandboxView;
import dev.stacyvm.contract.api.StatusResponse;
import dev.stacyvm.gateway.auth.Access;
import dev.stacyvm.gateway.service.Previews;
import dev.stacyvm.gateway.service.SandboxGateway;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** StacyVM's sandbox routes: create, list, get, destroy, prune, extend, logs, exec. */
@Path("/api/v1/sandboxes")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
@Blocking
@Tag(name = "sandboxes")
@APIResponse(responseCode = "400", description = "bad_request: malformed JSON, a wrong type or value",
        content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class),
                examples = @ExampleObject(name = "bad ttl", value = SandboxResource.BAD_REQUEST_EXAMPLE)))
@APIResponse(responseCode = "401", description = "unauthorized: missing or wrong API key",
        content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class)))
@APIResponse(responseCode = "404", description = "not_found: no such sandbox (or not the caller's)",
        content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class)))
public class SandboxResource {

    static final String SANDBOX_EXAMPLE = """
            {"id":"sb-1a2b3c4d5e6f","state":"running","provider":"docker","image":"stacyvm/base:bookworm",
             "image_digest":"sha256:4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1",
             "memory_mb":512,"vcpus":1,"created_at":"2026-11-23T14:15:01.727745Z",
             "expires_at":"2026-11-23T14:45:01.727745Z","metadata":{"task":"demo"},"preview_domain":"localhost:7480",
             "owner_id":"default:alice","worker_id":"worker-host1-7425","preview_urls":{},"error":null}""";
    static final String CREATE_EXAMPLE = """
            {"image":"stacyvm/base:bookworm","memory_mb":512,"vcpus":1,"ttl":"30m","metadata":{"task":"demo"}}""";
    static final String EXEC_EXAMPLE = """
            {"command":"python3 -c 'print(40+2)'","timeout":"30s"}""";
    static final String EXEC_RESULT_EXAMPLE = """
            {"exit_code":0,"stdout":"42\\n","stderr":"","duration":"84.2ms","timed_out":false}""";
    static final String EXEC_STREAM_EXAMPLE = """
            {"stream":"stdout","data":"first\\n"}
            {"stream":"stderr","data":"warning\\n"}
            {"exit_code":0,"duration":"2.01s","timed_out":false}""";
    static final String BAD_REQUEST_EXAMPLE = """
            {"code":"bad_request","message":"ttl: invalid duration \\"forever\\" (use Go form such as 30s, 5m, 1h30m)",
             "type":"https://stacyvm.dev/errors/bad_request","title":"Bad Request","status":400,
             "detail":"ttl: invalid duration \\"forever\\" (use Go form such as 30s, 5m, 1h30m)"}""";

    @Inject
    dev.stacyvm.gateway.service.BackgroundExecs background;

    @Inject
    Previews previews;

    @Inject
    SandboxGateway sandboxes;

    @POST
    @Access(Access.Level.WRITE)
    @Operation(summary = "Create a sandbox", description = "Every field is optional; empty strings mean the default. "
            + "Naming a template fills the fields the body leaves empty.")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = CreateSandboxRequest.class),
            examples = @ExampleObject(name = "create", value = CREATE_EXAMPLE)))
    @APIResponse(responseCode = "201", description = "the sandbox, running",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SandboxView.class),
                    examples = @ExampleObject(name = "sandbox", value = SANDBOX_EXAMPLE)))
    @APIResponse(responseCode = "403", description = "image_not_allowed: the tenant's image policy refuses the image "
            + "(the message names the pattern); network_policy_not_allowed: egress the tenant's policy does not allow",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "422", description = "exceeds_host_capacity: larger than any worker host can hold; the message names the limit",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "429", description = "resource_limit: the owner's limit; capacity_exhausted: no worker host has room now; see Retry-After",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class)))
    public Response create(CreateSandboxRequest request) {
        return Response.status(Response.Status.CREATED).entity(sandboxes.create(request)).build();
    }

    /** Whether a create with this body would be admitted now; creates nothing. */
    @POST
    @Access(Access.Level.WRITE)
    @Path("/admission")
    @Operation(summary = "Would a create with this body be admitted now?", description = "Creates nothing.")
    public AdmissionDecision admission(CreateSandboxRequest request) {
        return sandboxes.admission(request);
    }

    @GET
    @Access(Access.Level.READ)
    @Operation(summary = "The caller's sandboxes (all of them for an administrator without X-User-ID)")
    public List<SandboxView> list() {
        return sandboxes.list();
    }

    @GET
    @Access(Access.Level.READ)
    @Path("/{id}")
    @Operation(summary = "One sandbox", description = "A running sandbox also shows disk_used_bytes and disk_used_mb, "
            + "what it has written against its disk_mb, when its worker answers in time (left out otherwise).")
    public SandboxView get(@PathParam("id") String id) {
        return sandboxes.getWithDiskUsage(id);
    }

    @DELETE
    @Access(Access.Level.WRITE)
    @Path("/{id}")
    @Operation(summary = "Destroy a sandbox", description = "Idempotent: destroying it again answers the same.")
    public StatusResponse destroy(@PathParam("id") String id) {
        sandboxes.destroy(id);
        return StatusResponse.DESTROYED;
    }

    /** StacyVM's prune: destroys expired sandboxes now. */
    @DELETE
    @Access(Access.Level.WRITE)
    @Operation(summary = "Destroy the caller's expired sandboxes now", description = "Answers {\"pruned\": n}.")
    public PruneResult prune() {
        return sandboxes.prune();
    }

    @POST
    @Access(Access.Level.WRITE)
    @Path("/{id}/extend")
    @Operation(summary = "Give a running sandbox more time",
            description = "expires_at moves by ttl from the later of now and the current expiry, capped at the maximum TTL from now.")
    public SandboxView extend(@PathParam("id") String id, ExtendRequest request) {
        return sandboxes.extend(id, request);
    }

    @PUT
    @Access(Access.Level.WRITE)
    @Path("/{id}/network")
    @Operation(summary = "Change a running sandbox's egress policy",
            description = "Only for network \"bridge\" sandboxes (409 conflict otherwise). The body is a network policy "
                    + "({\"default_egress\": \"allow\"|\"deny\", \"allow\": [...], \"deny\": [...]}), bounded by the "
                    + "tenant's (403 network_policy_not_allowed); the sandbox's rules are reloaded before the answer. Audited "
                    + "as sandbox.network.")
    public SandboxView changeNetwork(@PathParam("id") String id, NetworkPolicy policy) {
        return sandboxes.changeNetwork(id, policy);
    }

    @GET
    @Access(Access.Level.READ)
    @Path("/{id}/logs")
    @Operation(summary = "The last lines the sandbox's main process wrote (lines: 1 to 10000, default 100)",
            description = "A JSON array of strings, bounded in bytes by the worker's logs-max-bytes (1 MiB by default): "
                    + "when older lines were left out or a line was cut to fit, the first element says so and the "
                    + "header X-StacyVM-Logs-Truncated is true.")
    @APIResponse(responseCode = "200", description = "OK", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(type = SchemaType.ARRAY, implementation = String.class)))
    public Response logs(@PathParam("id") String id, @QueryParam("lines") Integer lines) {
        SandboxGateway.LogStream logs = sandboxes.logs(id, lines);
        return Response.ok(logs.json(), MediaType.APPLICATION_JSON_TYPE)
                .header(LogLines.TRUNCATED_HEADER, logs.truncated()).build();
    }

    @GET
    @Access(Access.Level.READ)
    @Path("/{id}/stats")
    @Operation(summary = "What a running sandbox uses now: CPU, memory, disk, processes, network",
            description = "StacyVM's cpu_pct, mem_bytes and mem_limit_bytes, plus vcpus, disk_used_bytes and "
                    + "disk_limit_bytes, pids and pids_limit, net_rx_bytes and net_tx_bytes. cpu_pct is over about the "
                    + "last second, in percent of one core (100 x vcpus at most); the answer takes about a second, as "
                    + "docker stats --no-stream does. 409 conflict when the sandbox is not running.")
    @APIResponse(responseCode = "409", description = "conflict: the sandbox is not running",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class)))
    public dev.stacyvm.contract.api.SandboxStats stats(@PathParam("id") String id) {
        return sandboxes.stats(id);
    }

    @GET
    @Access(Access.Level.READ)
    @Path("/{id}/processes")
    @Operation(summary = "The sandbox's processes (at most 1000)",
            description = "{\"processes\": [{pid, ppid, user, command, state, started_at, rss_bytes, agent}], "
                    + "\"truncated\": bool}, listed inside the sandbox by its agent; command lines are cut at 1024 bytes.")
    public Response processes(@PathParam("id") String id) {
        return Response.ok(sandboxes.processes(id), MediaType.APPLICATION_JSON_TYPE).build();
    }

    @DELETE
    @Access(Access.Level.WRITE)
    @Path("/{id}/processes/{pid}")
    @Operation(summary = "Signal one process of the sandbox (signal: KILL by default; TERM, INT, HUP, QUIT, USR1, USR2, STOP, CONT)",
            description = "Refuses pid 1 (the sandbox's init) and the sandbox agent's own processes with 409 "
                    + "protected_process; a pid that is not there is 404.")
    @APIResponse(responseCode = "204", description = "Signalled")
    public Response signalProcess(@PathParam("id") String id, @PathParam("pid") int pid, @QueryParam("signal") String signal) {
        sandboxes.signalProcess(id, pid, signal);
        return Response.noContent().build();
    }

    @GET
    @Access(Access.Level.READ)
    @Path("/{id}/preview/{port}")
    @Operation(summary = "A token that opens a private preview of one port, with its URL and expiry")
    public PreviewAccess preview(@PathParam("id") String id, @PathParam("port") int port) {
        return previews.access(id, port);
    }

    @POST
    @Access(Access.Level.WRITE)
    @Path("/{id}/preview/rotate")
    @Operation(summary = "Revoke every preview token of a sandbox",
            description = "Moves the sandbox's preview generation on: every token and preview cookie issued before is "
                    + "refused by the preview-router from then on; new tokens from GET .../preview/{port} work. "
                    + "Not for viewer keys.")
    public PreviewGeneration rotatePreview(@PathParam("id") String id) {
        return previews.rotate(id);
    }

    /** Answers the result as JSON, or with {@code "stream": true} the output as NDJSON while it runs. */
    @POST
    @Access(Access.Level.WRITE)
    @Path("/{id}/exec")
    @Produces({MediaType.APPLICATION_JSON, ExecStreamLine.MEDIA_TYPE})
    @Operation(summary = "Run a command in a sandbox",
            description = "mode \"argv\" runs command with args and no shell; otherwise command runs under sh -c "
                    + "followed by each arg quoted for the shell, so an arg is one literal word ($(...), ; and spaces "
                    + "are text). A null arg, a NUL byte in an env value, or a workdir the sandbox user cannot enter is "
                    + "400 bad_request and runs nothing. The timeout kills the whole process group (timed_out: true, exit code 124 or 137). "
                    + "With stream: true the answer is NDJSON, one object per chunk as it is written, then one with the "
                    + "exit code, and a blank line as a keepalive whenever it has been quiet for half a second (skip "
                    + "blank lines, as NDJSON readers do); a client that disconnects stops the command within about a "
                    + "second, whether it writes or not. With background: true it answers at once (202) with the "
                    + "BackgroundProcess it started; see /sandboxes/{id}/exec/background.")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ExecRequest.class),
            examples = @ExampleObject(name = "exec", value = EXEC_EXAMPLE)))
    @APIResponse(responseCode = "200", description = "the result, or the NDJSON stream",
            content = {
                @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ExecResult.class),
                        examples = @ExampleObject(name = "result", value = EXEC_RESULT_EXAMPLE)),
                @Content(mediaType = ExecStreamLine.MEDIA_TYPE, schema = @Schema(implementation = ExecStreamLine.class),
                        examples = @ExampleObject(name = "stream", value = EXEC_STREAM_EXAMPLE)),
            })
    @APIResponse(responseCode = "409", description = "conflict: the sandbox is not running",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "202", description = "background: true: the command started detached",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = dev.stacyvm.contract.api.BackgroundProcess.class)))
    public Response exec(@PathParam("id") String id, ExecRequest request) {
        if (request != null && request.detached()) {
            return Response.accepted(background.start(id, request)).type(MediaType.APPLICATION_JSON).build();
        }
        if (request != null && Boolean.TRUE.equals(request.stream())) {
            return Response.ok(sandboxes.execStream(id, request), ExecStreamLine.MEDIA_TYPE)
                    .header("Cache-Control", "no-cache")
                    .build();
        }
        return Response.ok(sandboxes.exec(id, request).json(), MediaType.APPLICATION_JSON).build();
    }
}
