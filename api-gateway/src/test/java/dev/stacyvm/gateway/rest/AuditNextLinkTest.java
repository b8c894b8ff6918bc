package dev.stacyvm.gateway.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The audit log's {@code Link: <...>; rel="next"} (RFC 8288): the same filters, from the page's last id on. */
class AuditNextLinkTest {

    @Test
    void theNextLinkKeepsEveryFilterAndPagesFromTheLastId() {
        Map<String, Object> query = new LinkedHashMap<>();
        query.put("actor", "acme/ci");
        query.put("action", null);
        query.put("after_id", 1042L);
        query.put("limit", 100);
        query.put("format", "csv");
        assertEquals("</api/v1/admin/audit?actor=acme%2Fci&after_id=1042&limit=100&format=csv>; rel=\"next\"",
                AuditResource.nextLink(query));
    }

    @Test
    void aFilterOfAnyCharactersBecomesOneValidLinkThatAsksForTheSameValue() {
        String odd = "a|b {c} ^`\\ \"quoted\" <x>; rel=\"prev\"\r\nSet-Cookie: s=1 ünï";
        Map<String, Object> query = new LinkedHashMap<>();
        query.put("target", odd);
        query.put("after_id", 7L);
        String link = AuditResource.nextLink(query);
        String inside = link.substring(1, link.indexOf(">; rel=\"next\""));
        assertEquals(link, "<" + inside + ">; rel=\"next\"", "one link, no other parameter of the header");
        URI uri = URI.create(inside);
        assertEquals("target=" + odd + "&after_id=7", uri.getQuery(), "the link asks for the same filter");
        assertEquals(-1, link.indexOf('\r'));
        assertEquals(-1, link.indexOf('\n'));
    }
}
