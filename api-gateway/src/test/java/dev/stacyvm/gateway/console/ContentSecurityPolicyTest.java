package dev.stacyvm.gateway.console;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The console's Content-Security-Policy: what it may frame, call and run. */
class ContentSecurityPolicyTest {

    @Test
    void theConsoleFramesOnlyThePreviewOriginsConfigured() {
        String policy = ConsoleRoutes.contentSecurityPolicy(null, List.of("http://*.localhost:7480", "https://*.previews.example"));
        assertTrue(policy.contains("; frame-src http://*.localhost:7480 https://*.previews.example; "), policy);
        assertTrue(policy.contains("frame-ancestors 'none'"), policy);
        assertTrue(policy.contains("connect-src 'self';"), policy);
    }

    @Test
    void withoutPreviewOriginsAnyWebOriginMayBeFramedButNoScriptScheme() {
        String policy = ConsoleRoutes.contentSecurityPolicy("https://sso.example:8443", List.of());
        assertTrue(policy.contains("; frame-src http: https:; "), policy);
        assertTrue(policy.contains("connect-src 'self' https://sso.example:8443;"), policy);
    }

    @Test
    void aConfiguredOriginCannotAddSourcesOrDirectives() {
        for (String bad : List.of("http://a.example; script-src *", "http://a.example https://b.example", "'unsafe-inline'",
                "http://a.example,https://b", "*", "https://*", "javascript:", "data:", "http:", "https://a.example/path")) {
            assertThrows(IllegalArgumentException.class, () -> ConsoleRoutes.contentSecurityPolicy(null, List.of(bad)), bad);
        }
    }
}
