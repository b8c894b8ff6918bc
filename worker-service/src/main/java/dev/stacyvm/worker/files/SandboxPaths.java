package dev.stacyvm.worker.files;

import dev.stacyvm.worker.error.InvalidRequestException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The path rules of the files API: absolute, no {@code ..} component, no NUL, at most 4096 bytes
 * and 255 bytes a component; {@code .} and repeated slashes are folded away.
 */
public final class SandboxPaths {

    public static final int MAX_PATH_BYTES = 4096;
    public static final int MAX_NAME_BYTES = 255;

    private SandboxPaths() {
    }

    /** @return the normalised path, e.g. {@code /workspace/a} for {@code /workspace//./a/} */
    public static String normalize(String field, String path) {
        if (path == null || path.isEmpty()) {
            throw new InvalidRequestException(field + " is required");
        }
        if (path.indexOf('\0') >= 0) {
            throw new InvalidRequestException(field + " may not contain NUL bytes");
        }
        if (path.getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
            throw new InvalidRequestException(field + " is longer than " + MAX_PATH_BYTES + " bytes");
        }
        if (!path.startsWith("/")) {
            throw new InvalidRequestException(field + " must be an absolute path inside the sandbox");
        }
        List<String> parts = new ArrayList<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                throw new InvalidRequestException(field + " may not contain '..'");
            }
            if (part.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
                throw new InvalidRequestException(field + " has a name longer than " + MAX_NAME_BYTES + " bytes");
            }
            parts.add(part);
        }
        return "/" + String.join("/", parts);
    }

    /** Octal permission bits, {@code "644"} or {@code "0644"}; returned as four digits. */
    public static String mode(String mode, String fallback) {
        String value = mode == null || mode.isBlank() ? fallback : mode.trim();
        if (!value.matches("0?[0-7]{3}")) {
            throw new InvalidRequestException("mode must be octal permission bits such as \"644\" or \"0755\"");
        }
        return value.length() == 3 ? "0" + value : value;
    }
}
