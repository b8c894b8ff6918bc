package dev.stacyvm.contract.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.ErrorCode;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A tenant's image patterns refuse what an operator would expect them to, and only that. */
class ImagePolicyTest {

    @Test
    void aPatternMatchesTheReferenceAsWrittenAndInFull() {
        assertTrue(ImagePolicy.matches("python:3.12", "python:3.12"));
        assertTrue(ImagePolicy.matches("docker.io/library/python:3.12", "python:3.12"));
        assertTrue(ImagePolicy.matches("docker.io/library/*", "alpine"));
        assertFalse(ImagePolicy.matches("docker.io/library/*", "team/app:1"), "team/app is docker.io/team/app");
    }

    @Test
    void aPatternWithoutATagMatchesEveryTagAndDigest() {
        assertTrue(ImagePolicy.matches("docker.io/library/python", "python:3.12"));
        assertTrue(ImagePolicy.matches("python", "python@sha256:" + "a".repeat(64)));
        assertFalse(ImagePolicy.matches("python", "pythonista:1"));
    }

    @Test
    void oneStarStaysInsideAPathComponentAndTwoCrossThem() {
        assertFalse(ImagePolicy.matches("registry.example:5000/team/*", "registry.example:5000/team/a/b:1"));
        assertTrue(ImagePolicy.matches("registry.example:5000/team/**", "registry.example:5000/team/a/b:1"));
        assertTrue(ImagePolicy.matches("*:latest", "alpine"), "alpine is alpine:latest");
        assertFalse(ImagePolicy.matches("*:latest", "alpine:3.20"));
    }

    @Test
    void theDenyListWinsAndNamesItsPattern() {
        ImagePolicy policy = new ImagePolicy(List.of("docker.io/library/*"), List.of("*:latest")).validated();
        assertNull(policy.refusal("alpine:3.20"));
        String refusal = policy.refusal("alpine");
        assertTrue(refusal.contains("deny pattern \"*:latest\""), refusal);
        ApiException refused = assertThrows(ApiException.class, () -> policy.check("alpine:latest"));
        assertEquals(ErrorCode.IMAGE_NOT_ALLOWED, refused.code());
        assertEquals(403, refused.code().httpStatus());
    }

    @Test
    void withAnAllowListAnImageItDoesNotNameIsRefused() {
        ImagePolicy policy = new ImagePolicy(List.of("registry.example:5000/**"), null).validated();
        assertNull(policy.refusal("registry.example:5000/team/app:1"));
        String refusal = policy.refusal("python:3.12");
        assertTrue(refusal.contains("no allow pattern"), refusal);
        assertNull(new ImagePolicy(null, null).validated().refusal("anything:1"), "an empty policy allows all");
    }

    @Test
    void badPatternsAreRefusedWithTheirList() {
        ApiException bad = assertThrows(ApiException.class,
                () -> new ImagePolicy(List.of("ok", "no spaces"), null).validated());
        assertEquals(ErrorCode.BAD_REQUEST, bad.code());
        assertTrue(bad.getMessage().contains("allow pattern \"no spaces\""), bad.getMessage());
        assertThrows(ApiException.class,
                () -> new ImagePolicy(null, Collections.nCopies(65, "x")).validated());
        assertEquals(List.of("a", "b"), new ImagePolicy(List.of("a", " b", "a"), null).validated().allow());
    }

    @Test
    void dockerHubsOlderHostNamesAndADigestBesideATagEscapeNoPattern() {
        assertTrue(ImagePolicy.matches("docker.io/library/**", "index.docker.io/library/ubuntu:22.04"));
        assertTrue(ImagePolicy.matches("ubuntu", "registry-1.docker.io/library/ubuntu"));
        String digest = "sha256:" + "cd".repeat(32);
        assertTrue(ImagePolicy.matches("ubuntu:22.04", "ubuntu:22.04@" + digest), "the tag still names it");
        assertTrue(ImagePolicy.matches("**:latest", "team/app:latest"));
        assertThrows(ApiException.class, () -> new ImagePolicy(List.of("*".repeat(9)), null).validated(),
                "a pattern with many wildcards would make matching slow");
    }
}
