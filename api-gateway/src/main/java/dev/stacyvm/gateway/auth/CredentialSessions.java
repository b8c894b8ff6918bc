package dev.stacyvm.gateway.auth;

import dev.stacyvm.gateway.service.ApiKeys;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The long-lived sessions this gateway holds open for a credential: exec sockets (also those
 * opened with an exec socket token a key made), streamed execs, followed background output and
 * event streams. A request is authorised when it comes in; a session outlives that moment, so
 * without this a revoked key's terminal would go on running commands for as long as its client
 * kept it open. A stored API key revoked on this gateway ends its sessions at once; one revoked on
 * another gateway (or in the database) within {@value #CHECK_EVERY}, when every key holding a
 * session is checked afresh. A credential that expires (a bearer token's {@code exp}) ends its
 * sessions within {@value #CHECK_EVERY} of expiring. The bootstrap key (configuration) neither
 * expires nor can be revoked: its sessions are not held.
 */
@ApplicationScoped
public class CredentialSessions {

    /** How often the keys holding sessions are checked against the database, for other gateways' revocations. */
    static final String CHECK_EVERY = "5s";

    @Inject
    ApiKeys apiKeys;

    private final ConcurrentMap<String, Set<Held>> byKey = new ConcurrentHashMap<>();
    /** Whether the last check could not reach the database; only the scheduler's thread uses it. */
    private boolean checkFailing;
    /** The held sessions whose credential expires. */
    private final Set<Held> expiring = ConcurrentHashMap.newKeySet();
    private final Clock clock;

    public CredentialSessions() {
        this(Clock.systemUTC());
    }

    CredentialSessions(Clock clock) {
        this.clock = clock;
    }

    /** One held session; closing it (when the session ends by itself) forgets it. */
    public interface Registration extends AutoCloseable {

        /** Whether the session was ended because its credential was revoked or expired. */
        boolean revoked();

        @Override
        void close();
    }

    private static final Registration NOT_HELD = new Registration() {
        @Override
        public boolean revoked() {
            return false;
        }

        @Override
        public void close() {
        }
    };

    private final class Held implements Registration {
        private final String apiKeyId;
        private final Instant validUntil;
        private final Runnable end;
        private final AtomicBoolean revoked = new AtomicBoolean();

        Held(String apiKeyId, Instant validUntil, Runnable end) {
            this.apiKeyId = apiKeyId;
            this.validUntil = validUntil;
            this.end = end;
        }

        void end() {
            if (revoked.compareAndSet(false, true)) {
                try {
                    end.run();
                } catch (RuntimeException failed) {
                    Log.warnf(failed, "a session of a revoked or expired credential (key %s) could not be ended", apiKeyId);
                }
            }
        }

        @Override
        public boolean revoked() {
            return revoked.get();
        }

        @Override
        public void close() {
            if (apiKeyId != null) {
                byKey.computeIfPresent(apiKeyId, (key, held) -> {
                    held.remove(this);
                    return held.isEmpty() ? null : held;
                });
            }
            expiring.remove(this);
        }
    }

    /**
     * Holds a session opened with a credential: {@code end} closes it, once (on any thread), if
     * the stored API key {@code apiKeyId} is revoked or the credential's {@code validUntil} passes
     * while it is open. Either may be null (a bearer token has no stored key; a key does not
     * expire); with both null (the bootstrap key) the session is not held.
     *
     * @return the registration, to close when the session ends by itself
     */
    public Registration hold(String apiKeyId, Instant validUntil, Runnable end) {
        if (apiKeyId == null && validUntil == null) {
            return NOT_HELD;
        }
        Held held = new Held(apiKeyId, validUntil, end);
        if (apiKeyId != null) {
            byKey.compute(apiKeyId, (key, sessions) -> {
                Set<Held> kept = sessions == null ? ConcurrentHashMap.newKeySet() : sessions;
                kept.add(held);
                return kept;
            });
        }
        if (validUntil != null) {
            expiring.add(held);
        }
        return held;
    }

    /** Ends every session the key holds on this gateway: it was just revoked. */
    public void revoked(String apiKeyId) {
        Set<Held> sessions = byKey.remove(apiKeyId);
        if (sessions != null) {
            Log.infof("API key %s was revoked: ending its %d open sessions", apiKeyId, sessions.size());
            sessions.forEach(held -> {
                expiring.remove(held);
                held.end();
            });
        }
    }

    /** How many sessions this gateway holds. */
    public int held() {
        Set<Held> all = new java.util.HashSet<>(expiring);
        byKey.values().forEach(all::addAll);
        return all.size();
    }

    @Scheduled(every = CHECK_EVERY, concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void check() {
        endExpired();
        endRevokedElsewhere();
    }

    void endExpired() {
        Instant now = clock.instant();
        for (Held held : expiring) {
            if (!held.validUntil.isAfter(now)) {
                held.close();
                held.end();
            }
        }
    }

    void endRevokedElsewhere() {
        Set<String> holding = Set.copyOf(byKey.keySet());
        if (holding.isEmpty()) {
            return;
        }
        Set<String> live;
        try {
            live = apiKeys.liveAmong(holding);
        } catch (RuntimeException unavailable) {
            // the database does not answer: asked again at the next check, nothing is ended on a
            // guess; said once per outage, since revocations elsewhere wait for it
            if (!checkFailing) {
                Log.warnf("the API keys holding %d sessions could not be checked for revocation on other gateways: %s",
                        holding.size(), unavailable.toString());
            }
            checkFailing = true;
            return;
        }
        checkFailing = false;
        holding.stream().filter(key -> !live.contains(key)).forEach(this::revoked);
    }
}
