package dev.stacyvm.scheduler.service;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Sandbox ids: {@code sb-} and 12 random lower-case hex digits, unguessable across owners. */
final class SandboxIds {

    private static final SecureRandom RANDOM = new SecureRandom();

    private SandboxIds() {
    }

    static String next() {
        byte[] bytes = new byte[6];
        RANDOM.nextBytes(bytes);
        return "sb-" + HexFormat.of().formatHex(bytes);
    }
}
