package dev.stacyvm.contract.preview;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PreviewTokensTest {

    private final PreviewTokens tokens = new PreviewTokens("a-secret-of-enough-length");
    private final Instant now = Instant.parse("2026-11-23T12:00:00Z");
    private final String token = tokens.issue("sb-12345678", 3000, now.plusSeconds(60));

    @Test
    void aTokenOpensItsOwnPreviewUntilItExpires() {
        assertEquals(Optional.empty(), tokens.refusal(token, "sb-12345678", 3000, now));
        assertTrue(tokens.refusal(token, "sb-12345678", 3000, now.plusSeconds(60)).orElseThrow().contains("expired"));
    }

    @Test
    void itOpensNoOtherSandboxOrPort() {
        assertTrue(tokens.refusal(token, "sb-87654321", 3000, now).orElseThrow().contains("another preview"));
        assertTrue(tokens.refusal(token, "sb-12345678", 8080, now).orElseThrow().contains("another preview"));
    }

    @Test
    void changedForgedOrMalformedTokensAreRefused() {
        String otherSecret = new PreviewTokens("another-secret-entirely").issue("sb-12345678", 3000, now.plusSeconds(60));
        assertTrue(tokens.refusal(otherSecret, "sb-12345678", 3000, now).orElseThrow().contains("not valid"));
        String prolonged = tokens.issue("sb-12345678", 3000, now.plusSeconds(99999)).split("\\.")[0] + "." + token.split("\\.")[1];
        assertTrue(tokens.refusal(prolonged, "sb-12345678", 3000, now).isPresent());
        for (String bad : new String[] {"", "nodot", ".x", "!!!.???", "a".repeat(600) + ".b"}) {
            assertTrue(tokens.refusal(bad, "sb-12345678", 3000, now).isPresent(), bad);
        }
        assertTrue(tokens.refusal(null, "sb-12345678", 3000, now).orElseThrow().contains("required"));
    }

    @Test
    void aRotatedGenerationRevokesEarlierTokensOnly() {
        String first = tokens.issue("sb-12345678", 3000, 0, now.plusSeconds(60));
        String second = tokens.issue("sb-12345678", 3000, 1, now.plusSeconds(60));
        assertEquals(Optional.empty(), tokens.refusal(first, "sb-12345678", 3000, 0, now));
        assertTrue(tokens.refusal(first, "sb-12345678", 3000, 1, now).orElseThrow().contains("revoked"));
        assertTrue(tokens.refusal(token, "sb-12345678", 3000, 1, now).orElseThrow().contains("revoked"),
                "a token from before generations existed counts as generation 0");
        assertEquals(Optional.empty(), tokens.refusal(second, "sb-12345678", 3000, 1, now));
        assertEquals(Optional.empty(), tokens.refusal(second, "sb-12345678", 3000, 0, now),
                "a token issued after a rotation the router has not seen yet already works");
    }

    @Test
    void aTokenTellsItsExpiryOnlyWhenGenuine() {
        assertEquals(Optional.of(now.plusSeconds(60)), tokens.expiry(token));
        assertEquals(Optional.empty(), new PreviewTokens("another-secret-entirely").expiry(token));
        assertEquals(Optional.empty(), tokens.expiry("garbage"));
    }
}
