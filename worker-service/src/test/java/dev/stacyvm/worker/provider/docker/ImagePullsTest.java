package dev.stacyvm.worker.provider.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** A mirror is named the way the engine's {@code registry-mirrors} names one: a URL or a bare host. */
class ImagePullsTest {

    @Test
    void aMirrorIsItsHostAndPort() {
        assertEquals("127.0.0.1:7550", ImagePulls.mirrorHost("http://127.0.0.1:7550"));
        assertEquals("mirror.example", ImagePulls.mirrorHost("https://mirror.example/"));
        assertEquals("mirror.example:5000", ImagePulls.mirrorHost(" mirror.example:5000 "));
    }
}
