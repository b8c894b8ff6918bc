package dev.stacyvm.gateway.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.contract.api.SandboxEvent;
import dev.stacyvm.gateway.auth.Caller;
import dev.stacyvm.gateway.auth.Role;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventCursorTest {

    @Test
    void aCursorReadsBackAsItIsWrittenInPartitionOrder() {
        EventCursor cursor = new EventCursor();
        cursor.at(2, 33);
        cursor.at(0, 12);
        cursor.passed(1, 6);
        assertEquals("0:12,1:7,2:33", cursor.toString());
        EventCursor read = EventCursor.parse(" 0:12, 1:7,2:33 ", "Last-Event-ID");
        assertEquals(cursor.positions(), read.positions());
        assertEquals(7L, read.next(1));
        assertNull(read.next(3), "a partition the cursor does not name");
    }

    @Test
    void passingAnOlderRecordNeverMovesTheCursorBack() {
        EventCursor cursor = EventCursor.parse("0:10", "Last-Event-ID");
        cursor.passed(0, 3);
        assertEquals("0:10", cursor.toString());
        cursor.passed(0, 10);
        assertEquals("0:11", cursor.toString());
    }

    @Test
    void anythingElseIsABadRequestNamingWhereItCameFrom() {
        for (String bad : List.of("", ",", "yesterday", "0:1,0:2", "-1:4", "0:-4", "0:1;1:2", "0:99999999999999999999",
                "1:2:3", "0:1,")) {
            ApiException refused = assertThrows(ApiException.class, () -> EventCursor.parse(bad, "last_event_id"), bad);
            assertEquals(ErrorCode.BAD_REQUEST, refused.code(), bad);
            assertEquals(true, refused.getMessage().startsWith("last_event_id "), refused.getMessage());
        }
    }

    private static SandboxEvent event(String owner, String sandbox, String type) {
        return new SandboxEvent("e", type, sandbox, owner, "w", Instant.EPOCH, Map.of());
    }

    @Test
    void aFilterSendsOnlyWhatTheCallerMaySeeAndAsked() {
        Caller user = new Caller("acme", "app", "app", Role.USER, null);
        Caller operator = new Caller("acme", "ops", "ops", Role.OPERATOR, null);
        Caller admin = new Caller("default", "root", "root", Role.ADMIN, null);
        SandboxEvent own = event("acme:app", "sb-1", "sandbox.running");
        SandboxEvent sameTenant = event("acme:other", "sb-2", "sandbox.running");
        SandboxEvent foreign = event("evil:app", "sb-3", "sandbox.running");

        EventFilter any = EventFilter.of(user, null, null);
        assertEquals(List.of(true, false, false), List.of(any.sends(own, false), any.sends(sameTenant, false),
                any.sends(foreign, false)));
        assertEquals(false, any.sends(own, true), "a build's sandbox is hidden from its owner");
        EventFilter tenant = EventFilter.of(operator, null, null);
        assertEquals(List.of(true, true, false), List.of(tenant.sends(own, false), tenant.sends(sameTenant, false),
                tenant.sends(foreign, false)));
        EventFilter all = EventFilter.of(admin, null, null);
        assertEquals(List.of(true, true, true), List.of(all.sends(own, true), all.sends(sameTenant, false),
                all.sends(foreign, false)));

        EventFilter narrowed = EventFilter.of(admin, List.of("sb-9,sb-1"), List.of("sandbox.destroyed", "sandbox.running"));
        assertEquals(true, narrowed.sends(own, false));
        assertEquals(false, narrowed.sends(sameTenant, false), "another sandbox");
        assertEquals(false, narrowed.sends(event("acme:app", "sb-1", "sandbox.created"), false), "another type");
    }

    @Test
    void anUnknownTypeIsABadRequestListingTheTypes() {
        Caller user = new Caller("acme", "app", "app", Role.USER, null);
        ApiException refused = assertThrows(ApiException.class, () -> EventFilter.of(user, null, List.of("sandbox.exploded")));
        assertEquals(ErrorCode.BAD_REQUEST, refused.code());
        assertEquals(true, refused.getMessage().contains("sandbox.progress"), refused.getMessage());
    }
}
