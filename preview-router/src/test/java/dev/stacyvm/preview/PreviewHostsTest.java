package dev.stacyvm.preview;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stacyvm.preview.PreviewHosts.PreviewTarget;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PreviewHostsTest {

    @Test
    void readsPortAndSandboxFromAPreviewHost() {
        assertEquals(Optional.of(new PreviewTarget(3000, "sb-1a2b3c4d")),
                PreviewHosts.parse("3000-sb-1a2b3c4d.localhost:7480", "localhost"));
        assertEquals(Optional.of(new PreviewTarget(8080, "sb-0123456789ab")),
                PreviewHosts.parse("8080-SB-0123456789AB.Preview.Example.com", "preview.example.com"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "localhost:7480", "3000-sb-1a2b3c4d.evil.com", "3000-sb-1a2b3c4d.localhost.evil.com",
        "99999-sb-1a2b3c4d.localhost", "0-sb-1a2b3c4d.localhost", "3000-sb-1a2b.localhost",
        "3000-sb-1a2b3c4d.x.localhost", "3000-127.0.0.1.localhost", "sb-1a2b3c4d.localhost", "",
    })
    void refusesAnythingElse(String host) {
        assertTrue(PreviewHosts.parse(host, "localhost").isEmpty(), host);
    }
}
