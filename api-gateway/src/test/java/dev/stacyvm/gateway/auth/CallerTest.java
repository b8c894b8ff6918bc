package dev.stacyvm.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stacyvm.contract.api.OwnerIds;
import org.junit.jupiter.api.Test;

class CallerTest {

    private static Caller key(String name, Role role, String userId) {
        return new Caller("acme", name, OwnerIds.keyOfApiKey(name), role, userId);
    }

    @Test
    void aKeyNamingAnotherKeyAsItsUserGetsItsOwnEndUser() {
        Caller bobAsAlice = key("bob", Role.USER, "alice");
        assertEquals("acme:bob:alice", bobAsAlice.ownerId());
        assertFalse(bobAsAlice.maySee(key("alice", Role.USER, null).ownerId()));
        assertFalse(bobAsAlice.maySee(key("carol", Role.USER, "alice").ownerId()));
        assertTrue(bobAsAlice.maySee("acme:bob:alice"));
        assertFalse(key("bob", Role.USER, null).maySee("acme:bob:alice"), "a key without X-User-ID is its own owner only");
    }

    @Test
    void anOperatorSeesItsTenantOnlyAndActsForItsOwnEndUsers() {
        Caller operator = key("ops", Role.OPERATOR, null);
        assertTrue(operator.maySee("acme:alice"));
        assertTrue(operator.maySee("acme::legacy-user"));
        assertFalse(operator.maySee("acme-other:alice"));
        assertFalse(key("ops", Role.OPERATOR, "alice").maySee("acme:alice"));
        assertEquals("acme:ops", operator.keyId());
    }

    @Test
    void aTokenIsNeverTheSameOwnerAsAKey() {
        Caller token = new Caller("acme", "alice", OwnerIds.keyOfToken("alice"), Role.USER, null);
        assertFalse(token.maySee(key("alice", Role.USER, null).ownerId()));
    }
}
