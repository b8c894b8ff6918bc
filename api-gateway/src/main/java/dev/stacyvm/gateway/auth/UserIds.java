package dev.stacyvm.gateway.auth;

import dev.stacyvm.contract.api.ApiException;

/**
 * {@code X-User-ID}: at most 128 characters, no whitespace, control characters or path separators,
 * as StacyVM's REST reference has it ({@code docs/rest-api.md}, Authentication). A colon is fine
 * ({@code org:alice}): the user is the last part of an owner id, after the two colons of its tenant
 * and key, which hold none ({@link dev.stacyvm.contract.api.OwnerIds}).
 */
public final class UserIds {

    public static final int MAX_LENGTH = 128;

    private UserIds() {
    }

    public static String validate(String userId) {
        if (userId == null) {
            return null;
        }
        if (userId.isEmpty() || userId.length() > MAX_LENGTH) {
            throw ApiException.badRequest("X-User-ID must be 1 to " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < userId.length(); i++) {
            char c = userId.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c) || c == '/' || c == '\\') {
                throw ApiException.badRequest("X-User-ID may not contain whitespace, control characters or path separators");
            }
        }
        return userId;
    }
}
