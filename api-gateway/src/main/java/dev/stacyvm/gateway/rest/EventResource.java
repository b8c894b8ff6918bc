package dev.stacyvm.gateway.rest;

import dev.stacyvm.contract.api.ApiError;
import dev.stacyvm.contract.api.SandboxEvent;
import dev.stacyvm.gateway.auth.Access;
import dev.stacyvm.gateway.auth.CallerContext;
import dev.stacyvm.gateway.events.EventCursor;
import dev.stacyvm.gateway.events.EventFilter;
import dev.stacyvm.gateway.events.SandboxEventStreams;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code GET /api/v1/events}: the caller's sandbox lifecycle events as Server-Sent Events ({@link SandboxEventStreams}). */
@Path("/api/v1/events")
@Blocking
@Tag(name = "sandboxes")
public class EventResource {

    static final String STREAM_EXAMPLE = """
            retry: 2000
            : stream of stacyvm.sandbox-events
            id: 0:11,1:7,2:34

            id: 0:12,1:7,2:34
            data: {"id":"5b0f6f0e-1d7e-4b55-9a51-1f0f3f2d9c11","type":"sandbox.running","sandbox_id":"sb-3f9a2c1d",\
            "owner_id":"default:admin","worker_id":"worker-1","timestamp":"2026-12-02T09:00:01.512Z",\
            "data":{"from_state":"creating","to_state":"running","image":"stacyvm/base:bookworm"}}

            : heartbeat
            id: 0:12,1:7,2:36

            """;

    @Inject
    SandboxEventStreams streams;

    @Inject
    CallerContext context;

    @GET
    @Access(Access.Level.READ)
    @Produces(SandboxEvent.MEDIA_TYPE)
    @Operation(summary = "Follow sandbox events (Server-Sent Events)",
            description = "The caller's sandbox lifecycle events as they happen: a key's own sandboxes, an operator's "
                    + "tenant's, every sandbox for an administrator. Each event is one data: line holding a SandboxEvent "
                    + "(StacyVM's shape; no event: field, so EventSource's onmessage gets every one) with an id: that is "
                    + "the stream's position: reconnect with it as Last-Event-ID (EventSource does) or last_event_id, "
                    + "on any gateway, and the stream goes on just after that event, missing and repeating nothing. "
                    + "Without one it starts now. The stream's first block and every heartbeat (a comment line, every "
                    + "15 s when it is quiet) carry an id: without data: where the stream stands, which moves the "
                    + "client's Last-Event-ID and dispatches nothing; "
                    + "a stream ends after 10 minutes and is resumed the same way. sandbox_id and type narrow it "
                    + "(repeatable or comma-separated).")
    @APIResponse(responseCode = "200", description = "the event stream",
            content = @Content(mediaType = SandboxEvent.MEDIA_TYPE, schema = @Schema(implementation = SandboxEvent.class),
                    examples = @ExampleObject(name = "stream", value = STREAM_EXAMPLE)))
    @APIResponse(responseCode = "400", description = "bad_request: an unknown type, or a Last-Event-ID this stream did not send",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "429", description = "resource_limit: the key, or the gateway, holds as many streams as it may",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "503", description = "unavailable: the event log (Kafka) does not answer",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiError.class)))
    public Response follow(
            @Parameter(description = "Only these sandboxes' events.") @QueryParam("sandbox_id") List<String> sandboxIds,
            @Parameter(description = "Only these types.") @QueryParam("type") List<String> types,
            @Parameter(description = "Resume after this event id, for clients that cannot send Last-Event-ID.")
            @QueryParam("last_event_id") String lastEventIdParameter,
            @HeaderParam("Last-Event-ID") String lastEventId,
            @jakarta.ws.rs.core.Context io.vertx.core.http.HttpServerResponse connection) {
        EventFilter filter = EventFilter.of(context.caller(), sandboxIds, types);
        EventCursor resume = null;
        if (lastEventId != null && !lastEventId.isBlank()) {
            resume = EventCursor.parse(lastEventId, "Last-Event-ID");
        } else if (lastEventIdParameter != null && !lastEventIdParameter.isBlank()) {
            resume = EventCursor.parse(lastEventIdParameter, "last_event_id");
        }
        return Response.ok(streams.open(filter, resume, connection::closed, context.apiKeyId(), context.validUntil()), SandboxEvent.MEDIA_TYPE)
                .header("Cache-Control", "no-cache")
                // nginx and its kind would hold the stream back in their buffers
                .header("X-Accel-Buffering", "no")
                .build();
    }
}
