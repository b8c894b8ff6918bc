package dev.stacyvm.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class RequestIdsTest {

    @Test
    void acceptableIdsAreKeptAsSent() {
        for (String id : new String[] {"a", "trace-42_a.b:c", UUID.randomUUID().toString(), "A".repeat(128)}) {
            assertEquals(id, RequestIds.acceptOrReplace(id));
        }
    }

    @Test
    void anythingElseBecomesAFreshUuid() {
        for (String id : new String[] {null, "", " ", "two words", "line\r\nbreak", "=1+1", "-1", "@SUM(A1)", "+x",
            "a,b", "\"q\"", "ü", "A".repeat(129), "tab\tid"}) {
            String replaced = RequestIds.acceptOrReplace(id);
            assertNotEquals(id, replaced);
            assertTrue(UUID.fromString(replaced).toString().equals(replaced), replaced);
        }
    }
}
