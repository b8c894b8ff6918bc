package dev.stacyvm.gateway.events;

import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.SandboxEvent;
import dev.stacyvm.gateway.auth.Caller;
import dev.stacyvm.gateway.auth.Role;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which events a stream sends its caller: only what the caller may see (its own sandboxes; an
 * operator's tenant; everything for an administrator; a build's sandbox only for an administrator,
 * as {@code GET /sandboxes} shows them), narrowed by the {@code sandbox_id} and {@code type}
 * parameters (each repeatable or comma-separated; empty means any).
 */
public record EventFilter(Caller caller, Set<String> sandboxIds, Set<String> types) {

    /** At most this many sandbox ids or types in one filter. */
    static final int MAX_VALUES = 100;

    /**
     * The filter for {@code caller} from the query parameters as given.
     *
     * @throws ApiException {@code bad_request} for an unknown type or too many values
     */
    public static EventFilter of(Caller caller, List<String> sandboxIds, List<String> types) {
        Set<String> ids = split("sandbox_id", sandboxIds);
        Set<String> kinds = split("type", types);
        for (String type : kinds) {
            if (!SandboxEvent.TYPES.contains(type)) {
                throw ApiException.badRequest("type \"" + type + "\" is not an event type; the types are "
                        + String.join(", ", SandboxEvent.TYPES));
            }
        }
        return new EventFilter(caller, ids, kinds);
    }

    private static Set<String> split(String name, List<String> values) {
        Set<String> out = new LinkedHashSet<>();
        if (values != null) {
            for (String value : values) {
                for (String part : value.split(",")) {
                    if (!part.isBlank()) {
                        out.add(part.trim());
                    }
                }
            }
        }
        if (out.size() > MAX_VALUES) {
            throw ApiException.badRequest("at most " + MAX_VALUES + " values of " + name);
        }
        return Set.copyOf(out);
    }

    /** Whether the stream sends {@code event}, which is {@code build} when it is a build's sandbox's. */
    public boolean sends(SandboxEvent event, boolean build) {
        if (event.ownerId() == null || !caller.maySee(event.ownerId()) || build && caller.role() != Role.ADMIN) {
            return false;
        }
        return (sandboxIds.isEmpty() || sandboxIds.contains(event.sandboxId()))
                && (types.isEmpty() || types.contains(event.type()));
    }
}
