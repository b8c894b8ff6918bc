package dev.stacyvm.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stacyvm.gateway.service.ApiKeys;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CredentialSessionsTest {

    /** The keys the database holds as live. */
    private final Set<String> live = new HashSet<>();
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-03T10:00:00Z"));
    private final CredentialSessions sessions = new CredentialSessions(new Clock() {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    });

    @BeforeEach
    void database() {
        sessions.apiKeys = new ApiKeys() {
            @Override
            public Set<String> liveAmong(Collection<String> ids) {
                Set<String> found = new HashSet<>(ids);
                found.retainAll(live);
                return found;
            }
        };
    }

    @Test
    void revokingAKeyEndsEverySessionItHoldsOnceAndNoOtherKeys() {
        AtomicInteger endedA = new AtomicInteger();
        AtomicInteger endedB = new AtomicInteger();
        CredentialSessions.Registration first = sessions.hold("key_a", null, endedA::incrementAndGet);
        CredentialSessions.Registration second = sessions.hold("key_a", null, endedA::incrementAndGet);
        CredentialSessions.Registration other = sessions.hold("key_b", null, endedB::incrementAndGet);

        sessions.revoked("key_a");
        sessions.revoked("key_a");

        assertEquals(2, endedA.get(), "both of the key's sessions ended, each once");
        assertTrue(first.revoked() && second.revoked());
        assertEquals(0, endedB.get());
        assertFalse(other.revoked());
        assertEquals(1, sessions.held());
    }

    @Test
    void aSessionThatEndedByItselfIsForgottenAndNotEndedAgain() {
        AtomicInteger ended = new AtomicInteger();
        sessions.hold("key_a", null, ended::incrementAndGet).close();
        assertEquals(0, sessions.held());
        sessions.revoked("key_a");
        assertEquals(0, ended.get());
    }

    @Test
    void aCredentialWithNoStoredKeyIsNotHeld() {
        CredentialSessions.Registration bootstrap = sessions.hold(null, null, () -> {
            throw new AssertionError("never ended");
        });
        assertEquals(0, sessions.held());
        assertFalse(bootstrap.revoked());
        bootstrap.close();
    }

    @Test
    void theCheckEndsSessionsOfKeysRevokedElsewhereAndKeepsLiveOnes() {
        live.add("key_live");
        AtomicInteger endedLive = new AtomicInteger();
        AtomicInteger endedGone = new AtomicInteger();
        sessions.hold("key_live", null, endedLive::incrementAndGet);
        sessions.hold("key_revoked_on_another_gateway", null, endedGone::incrementAndGet);

        sessions.endRevokedElsewhere();

        assertEquals(0, endedLive.get());
        assertEquals(1, endedGone.get());
        assertEquals(1, sessions.held());
    }

    @Test
    void aDatabaseThatDoesNotAnswerEndsNothing() {
        sessions.apiKeys = new ApiKeys() {
            @Override
            public Set<String> liveAmong(Collection<String> ids) {
                throw new IllegalStateException("connection refused");
            }
        };
        AtomicInteger ended = new AtomicInteger();
        sessions.hold("key_a", null, ended::incrementAndGet);
        sessions.endRevokedElsewhere();
        assertEquals(0, ended.get(), "ended on no evidence");
        assertEquals(1, sessions.held());
    }

    @Test
    void aBearerTokensSessionsEndWhenTheTokenExpires() {
        AtomicInteger ended = new AtomicInteger();
        CredentialSessions.Registration token = sessions.hold(null, now.get().plus(Duration.ofMinutes(5)), ended::incrementAndGet);

        now.set(now.get().plus(Duration.ofMinutes(5)).minusMillis(1));
        sessions.check();
        assertEquals(0, ended.get(), "still valid a millisecond before its expiry");

        now.set(now.get().plusMillis(1));
        sessions.check();
        sessions.check();
        assertEquals(1, ended.get(), "ended once, at its expiry");
        assertTrue(token.revoked());
        assertEquals(0, sessions.held());
    }

    @Test
    void aSessionThatEndedBeforeItsCredentialExpiredIsNotEndedLater() {
        AtomicInteger ended = new AtomicInteger();
        sessions.hold(null, now.get().plusSeconds(1), ended::incrementAndGet).close();
        now.set(now.get().plusSeconds(2));
        sessions.check();
        assertEquals(0, ended.get());
    }
}
