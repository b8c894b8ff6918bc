package dev.stacyvm.contract.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class OwnerIdsTest {

    @Test
    void anEndUserLivesInsideItsKeysNamespace() {
        String owner = OwnerIds.owner("acme", OwnerIds.keyOfApiKey("bob"), "alice");
        assertEquals("acme:bob:alice", owner);
        assertEquals("acme:bob", OwnerIds.keyIdOf(owner));
        assertEquals("acme", OwnerIds.tenantOf(owner));
        assertNotEquals(OwnerIds.owner("acme", OwnerIds.keyOfApiKey("alice"), null), owner);
    }

    @Test
    void aKeysOwnOwnerIsItsKeyId() {
        String owner = OwnerIds.owner("acme", OwnerIds.keyOfApiKey("bob"), null);
        assertEquals("acme:bob", owner);
        assertEquals(owner, OwnerIds.keyIdOf(owner));
    }

    @Test
    void keyNamesCannotSpellAnotherKeysEndUser() {
        // a key named "bob:alice" must not own what key bob made for its end user alice
        assertNotEquals(OwnerIds.owner("acme", OwnerIds.keyOfApiKey("bob"), "alice"),
                OwnerIds.owner("acme", OwnerIds.keyOfApiKey("bob:alice"), null));
        assertEquals("acme:bob%3Aalice", OwnerIds.keyIdOf(OwnerIds.owner("acme", OwnerIds.keyOfApiKey("bob:alice"), "x")));
        assertEquals("a%2525b", OwnerIds.keyOfApiKey("a%25b"));
    }

    @Test
    void anEndUserIdWithColonsStaysInsideItsKeysNamespace() {
        // StacyVM's SDKs send X-User-ID values such as org:alice
        String owner = OwnerIds.owner("acme", OwnerIds.keyOfApiKey("bob"), "org:alice");
        assertEquals("acme:bob:org:alice", owner);
        assertEquals("acme:bob", OwnerIds.keyIdOf(owner));
        assertEquals("acme", OwnerIds.tenantOf(owner));
        // neither key org nor key bob's end user org is it
        assertNotEquals(OwnerIds.owner("acme", OwnerIds.keyOfApiKey("bob"), "org"), owner);
        assertNotEquals("acme:org", OwnerIds.keyIdOf(owner));
        assertNotEquals(OwnerIds.owner("acme", OwnerIds.keyOfApiKey("bob:org"), "alice"), owner);
    }

    @Test
    void tokensAndKeysNeverShareANamespace() {
        assertNotEquals(OwnerIds.keyOfApiKey("@alice"), OwnerIds.keyOfToken("alice"));
        assertEquals("@alice", OwnerIds.keyOfToken("alice"));
    }

    @Test
    void legacyEndUserRecordsBelongToNoKey() {
        assertEquals("acme:", OwnerIds.keyIdOf("acme::alice"));
        assertNull(OwnerIds.tenantOf("nocolon"));
        assertNull(OwnerIds.keyIdOf(":x"));
    }
}
