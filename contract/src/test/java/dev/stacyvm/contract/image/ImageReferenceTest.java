package dev.stacyvm.contract.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** References read as {@code docker pull} reads them, so a mirror is asked for the same image. */
class ImageReferenceTest {

    @Test
    void aBareNameIsAnOfficialDockerHubImageAtLatest() {
        ImageReference alpine = ImageReference.parse("alpine");
        assertEquals(new ImageReference("docker.io", "library/alpine", "latest", null), alpine);
        assertTrue(alpine.dockerHub());
        assertEquals("library/alpine", alpine.pullRepository());
        assertEquals("latest", alpine.pullTag());
        assertEquals("docker.io/library/alpine:latest", alpine.toString());
    }

    @Test
    void aUserRepositoryOnDockerHubKeepsItsNamespace() {
        assertEquals(new ImageReference("docker.io", "stacyvm/base", "bookworm", null), ImageReference.parse("stacyvm/base:bookworm"));
    }

    @Test
    void aFirstComponentWithADotAColonOrLocalhostIsARegistry() {
        ImageReference withPort = ImageReference.parse("registry.example:5000/team/app:1");
        assertEquals(new ImageReference("registry.example:5000", "team/app", "1", null), withPort);
        assertFalse(withPort.dockerHub());
        assertEquals("registry.example:5000/team/app", withPort.pullRepository());
        assertEquals("127.0.0.1:7550", ImageReference.parse("127.0.0.1:7550/app").registry());
        assertEquals("localhost", ImageReference.parse("localhost/app").registry());
    }

    @Test
    void aDigestIsPulledByItselfAndATagBesideItIsKept() {
        String digest = "sha256:" + "a".repeat(64);
        ImageReference pinned = ImageReference.parse("alpine@" + digest);
        assertEquals(null, pinned.tag());
        assertEquals(digest, pinned.pullTag());
        assertEquals("3.20", ImageReference.parse("alpine:3.20@" + digest).tag());
        assertEquals(digest, ImageReference.parse("alpine:3.20@" + digest).pullTag(), "the digest wins");
    }

    @Test
    void theSameImageInAMirrorKeepsItsRepositoryAndTag() {
        ImageReference mirrored = ImageReference.parse("python:3.12").in("127.0.0.1:7550");
        assertEquals("127.0.0.1:7550/library/python", mirrored.pullRepository());
        assertEquals("3.12", mirrored.pullTag());
    }

    @Test
    void malformedReferencesAreRefusedWithTheReason() {
        for (String bad : new String[] {"", "UPPER/case", "alpine:", "alpine:bad tag", "a//b", "alpine@sha256:xyz", "-leading"}) {
            assertThrows(IllegalArgumentException.class, () -> ImageReference.parse(bad), bad);
        }
    }

    @Test
    void dockerHubsOlderHostNamesAreDockerHub() {
        assertEquals(ImageReference.parse("ubuntu:22.04"), ImageReference.parse("index.docker.io/library/ubuntu:22.04"));
        assertEquals(ImageReference.parse("team/app"), ImageReference.parse("registry-1.docker.io/team/app"));
        assertTrue(ImageReference.parse("INDEX.docker.io/library/ubuntu").dockerHub());
    }
}
