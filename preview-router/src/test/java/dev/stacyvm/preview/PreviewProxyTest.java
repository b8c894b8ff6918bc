package dev.stacyvm.preview;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stacyvm.contract.api.ErrorCode;
import org.junit.jupiter.api.Test;

class PreviewProxyTest {

    @Test
    void theTokenParameterIsRemovedAndEverythingElseKept() {
        assertEquals("/", PreviewProxy.withoutToken("/?preview_token=abc"));
        assertEquals("/a?x=1&y=2", PreviewProxy.withoutToken("/a?x=1&preview_token=abc&y=2"));
        assertEquals("/a?preview_token_other=1", PreviewProxy.withoutToken("/a?preview_token_other=1"));
        assertEquals("/a", PreviewProxy.withoutToken("/a"));
        assertEquals("/a", PreviewProxy.withoutToken("/a?preview_token"));
    }

    @Test
    void theRoutersCookieIsRemovedAndTheAppsCookiesKept() {
        assertEquals("theme=dark; lang=en", PreviewProxy.withoutCookie("theme=dark; stacyvm_preview=t; lang=en", "stacyvm_preview"));
        assertEquals("", PreviewProxy.withoutCookie("stacyvm_preview=t", "stacyvm_preview"));
        assertEquals("stacyvm_preview_x=1", PreviewProxy.withoutCookie("stacyvm_preview_x=1", "stacyvm_preview"));
    }

    @Test
    void errorPagesEscapeWhatTheyShow() {
        String page = ErrorPages.page(ErrorCode.NOT_FOUND, "No <such> sandbox", "\"sb-x\" & more");
        assertTrue(page.contains("No &lt;such&gt; sandbox"));
        assertTrue(page.contains("&quot;sb-x&quot; &amp; more"));
        assertFalse(page.contains("<such>"));
        assertTrue(page.contains("404 Not Found"));
    }
}
