package dev.stacyvm.audit.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stacyvm.audit.AuditRecord;
import dev.stacyvm.audit.config.AuditConfig;
import dev.stacyvm.contract.api.AuditVerification;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Exports the audit chain's head outside the database, signed with the chain key: at start and
 * every {@code stacyvm.audit.head-export-interval} ({@link AuditConfig}), to
 * {@code <stacyvm.audit.state-dir>/audit-chain-head.json} (the newest, replaced atomically) and one
 * line per export appended to {@code audit-chain-heads.log} (for shipping elsewhere). A new head is
 * signed only after the records since the previous one verify, so a rewrite made in between is
 * never blessed; {@link AuditVerifier} then holds the database to the newest head.
 *
 * <p>It also fixes where the chain becomes keyed: the first start (or append) with a key records
 * the newest record's id as {@code keyed_since}, under the chain head's lock, so records written
 * before the key existed keep verifying with their plain hashes.
 */
@ApplicationScoped
public class ChainHeads {

    static final String HEAD_FILE = "audit-chain-head.json";
    static final String HISTORY_FILE = "audit-chain-heads.log";

    @Inject
    AuditConfig config;

    private Path stateDir() {
        return config.stateDir();
    }

    @Inject
    ChainKey key;

    @Inject
    AuditVerifier verifier;

    @Inject
    ObjectMapper json;

    /** The newest exported head, or why it cannot be trusted. */
    public record Latest(SignedHead head, String problem) {
    }

    void atStart(@Observes @Priority(10) StartupEvent start) {
        QuarkusTransaction.requiringNew().run(this::ensureKeyed);
        export();
    }

    /**
     * Records {@code keyed_since} (the newest record's id, 0 for an empty log) if it is not yet
     * recorded; call in a transaction. The chain head's row lock keeps appends out meanwhile.
     */
    public void ensureKeyed() {
        var entityManager = AuditRecord.getEntityManager();
        entityManager.createNativeQuery("SELECT last_hash FROM audit_chain_head WHERE id = 1 FOR UPDATE").getSingleResult();
        entityManager.createNativeQuery("""
                INSERT INTO audit_chain_key (id, keyed_since)
                SELECT 1, coalesce(max(id), 0) FROM audit_record
                ON CONFLICT (id) DO NOTHING
                """).executeUpdate();
    }

    /** Signs and writes the current head if the records since the last exported head verify. */
    @Scheduled(every = "${stacyvm.audit.head-export-interval}", delayed = "${stacyvm.audit.head-export-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    public synchronized void export() {
        Latest latest = latest();
        if (latest.problem() != null) {
            Log.errorf("audit chain head not exported: %s", latest.problem());
            return;
        }
        SignedHead previous = latest.head();
        long sequence;
        String hash;
        long keyedSince;
        if (previous == null) {
            // the first export: the whole chain must verify (and keyed_since is as recorded)
            AuditVerification whole = verifier.verifyChain(false);
            if (!whole.intact()) {
                Log.errorf("audit chain head not exported: the chain is broken at %s: %s", whole.brokenAt(), whole.reason());
                return;
            }
            Long stored = QuarkusTransaction.requiringNew().call(() -> verifier.storedKeyedSince());
            keyedSince = stored == null ? 0 : stored;
            sequence = whole.lastId() == null ? 0 : whole.lastId();
            hash = sequence == 0 ? "" : QuarkusTransaction.requiringNew().call(() -> (String) AuditRecord.getEntityManager()
                    .createNativeQuery("SELECT record_hash FROM audit_record WHERE id = ?1").setParameter(1, sequence)
                    .getSingleResult());
        } else {
            String head = QuarkusTransaction.requiringNew().call(() -> (String) AuditRecord.getEntityManager()
                    .createNativeQuery("SELECT last_hash FROM audit_chain_head WHERE id = 1").getSingleResult());
            ChainWalk since = verifier.verifyAfter(previous, head);
            AuditVerification checked = since.result() != null ? since.result() : since.finish();
            if (!checked.intact()) {
                Log.errorf("audit chain head not exported: the records since the head of %s do not verify at %s: %s",
                        previous.exportedAt(), checked.brokenAt(), checked.reason());
                return;
            }
            keyedSince = previous.keyedSince();
            sequence = since.lastId();
            hash = since.lastHash();
        }
        write(SignedHead.sign(key, sequence, hash, keyedSince, Instant.now().truncatedTo(ChronoUnit.MILLIS)));
    }

    /** The newest exported head, checked against the key; no head (and no problem) before the first export. */
    public Latest latest() {
        Path file = stateDir().resolve(HEAD_FILE);
        if (!Files.exists(file)) {
            return new Latest(null, null);
        }
        try {
            SignedHead head = json.readValue(Files.readString(file), SignedHead.class);
            if (!head.signedBy(key)) {
                return new Latest(null, "the signed chain head at " + file + " does not carry the chain key's signature");
            }
            return new Latest(head, null);
        } catch (IOException unreadable) {
            return new Latest(null, "the signed chain head at " + file + " cannot be read: " + unreadable.getMessage());
        }
    }

    /** Where the newest head is kept. */
    public Path location() {
        return stateDir().resolve(HEAD_FILE);
    }

    private void write(SignedHead head) {
        try {
            if (!Files.isDirectory(stateDir())) {
                Files.createDirectories(stateDir(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            String line = json.writeValueAsString(head);
            Path temporary = Files.createTempFile(stateDir(), HEAD_FILE, ".tmp");
            Files.writeString(temporary, line, StandardCharsets.UTF_8);
            Files.move(temporary, stateDir().resolve(HEAD_FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Files.writeString(stateDir().resolve(HISTORY_FILE), line + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException failed) {
            Log.errorf("audit chain head not exported to %s: %s", stateDir(), failed.getMessage());
        }
    }
}
