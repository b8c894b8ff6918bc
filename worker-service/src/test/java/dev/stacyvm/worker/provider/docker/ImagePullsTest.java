package dev.stacyvm.worker.provider.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stacyvm.contract.image.ImageReference;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A mirror is named the way the engine's {@code registry-mirrors} names one: a URL or a bare host. */
class ImagePullsTest {

    @Test
    void aMirrorIsItsHostAndPort() {
        assertEquals("127.0.0.1:7550", ImagePulls.mirrorHost("http://127.0.0.1:7550"));
        assertEquals("mirror.example", ImagePulls.mirrorHost("https://mirror.example/"));
        assertEquals("mirror.example:5000", ImagePulls.mirrorHost(" mirror.example:5000 "));
    }

    @Test
    void anImageIsPresentOnlyUnderTheNameAsked() {
        ImageReference alpine = ImageReference.parse("alpine");
        assertTrue(ImagePulls.namedAs(List.of("alpine:latest"), alpine));
        assertTrue(ImagePulls.namedAs(List.of("docker.io/library/alpine:latest"), alpine));
        assertFalse(ImagePulls.namedAs(List.of("alpine:3.20"), alpine));
        assertFalse(ImagePulls.namedAs(List.of("127.0.0.1:7550/library/alpine:latest"), alpine),
                "a mirror's name is another repository");
        // what the engine answers for an image found by an id prefix: its own names, none of them this
        assertFalse(ImagePulls.namedAs(List.of("stacyvm/base:bookworm"), ImageReference.parse("4bcff63911fc")));
        assertFalse(ImagePulls.namedAs(List.of("<none>:<none>"), alpine));
        assertFalse(ImagePulls.namedAs(null, alpine));
        String digest = "sha256:" + "ab".repeat(32);
        assertTrue(ImagePulls.namedAs(List.of("alpine@" + digest), ImageReference.parse("alpine@" + digest)));
        assertFalse(ImagePulls.namedAs(List.of("alpine:latest"), ImageReference.parse("alpine@" + digest)));
    }
}
