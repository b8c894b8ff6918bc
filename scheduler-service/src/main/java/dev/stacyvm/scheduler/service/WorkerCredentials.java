package dev.stacyvm.scheduler.service;

import dev.stacyvm.contract.api.WorkerCredentialView;
import dev.stacyvm.scheduler.WorkerCredential;
import dev.stacyvm.scheduler.config.SchedulerConfig;
import dev.stacyvm.scheduler.error.CredentialNotFoundException;
import dev.stacyvm.scheduler.error.InvalidRequestException;
import dev.stacyvm.support.auth.ServiceCredential;
import dev.stacyvm.support.auth.WorkerCredentialVerifier;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Each worker's own credentials: issued here (shown once), stored as SHA-256, revocable one by
 * one. A worker may hold several at a time, so a new one can be rolled out before the old one is
 * revoked (rotation). A credential authenticates its own worker id and nothing else.
 */
@ApplicationScoped
public class WorkerCredentials implements WorkerCredentialVerifier {

    static final String TOKEN_PREFIX = "swc_";
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern WORKER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final SecureRandom RANDOM = new SecureRandom();

    @Inject
    SchedulerConfig config;

    @Inject
    EntityManager entities;

    /** Stores the launcher's provisioned credentials (hashes only) once; see the config key. */
    @Transactional
    void bootstrap(@Observes StartupEvent start) {
        for (String entry : config.bootstrapWorkerCredentials().orElse(List.of())) {
            int colon = entry.lastIndexOf(':');
            String workerId = colon < 0 ? "" : entry.substring(0, colon).trim();
            String hash = colon < 0 ? "" : entry.substring(colon + 1).trim().toLowerCase(java.util.Locale.ROOT);
            if (!WORKER_ID.matcher(workerId).matches() || !SHA256_HEX.matcher(hash).matches()) {
                Log.warnf("ignoring a bootstrap worker credential that is not worker-id:sha256-hex");
                continue;
            }
            // two schedulers may start at once: the unique hash decides, and a revoked one stays revoked
            int added = entities.createNativeQuery("INSERT INTO worker_credential (id, worker_id, token_sha256, created_at)"
                            + " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (token_sha256) DO NOTHING")
                    .setParameter(1, newId()).setParameter(2, workerId).setParameter(3, hash)
                    .setParameter(4, Instant.now()).executeUpdate();
            if (added > 0) {
                Log.infof("provisioned a credential for worker %s", workerId);
            }
        }
    }

    /**
     * Issues a new credential for {@code workerId}; the answer carries the token, once.
     *
     * @throws InvalidRequestException for a malformed worker id
     */
    @Transactional
    public WorkerCredentialView issue(String workerId) {
        if (workerId == null || !WORKER_ID.matcher(workerId).matches()) {
            throw new InvalidRequestException("worker id must be 1-128 letters, digits, '.', '_' or '-'");
        }
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String token = TOKEN_PREFIX + HexFormat.of().formatHex(secret);
        WorkerCredential credential = new WorkerCredential();
        credential.id = newId();
        credential.workerId = workerId;
        credential.tokenSha256 = ServiceCredential.sha256(token);
        credential.createdAt = Instant.now();
        credential.persist();
        Log.infof("issued credential %s for worker %s", credential.id, workerId);
        return new WorkerCredentialView(credential.id, workerId, credential.createdAt, null, token);
    }

    /** The worker's credentials, oldest first, without tokens. */
    @Transactional
    public List<WorkerCredentialView> list(String workerId) {
        return WorkerCredential.<WorkerCredential>list("workerId = ?1 order by createdAt", workerId).stream()
                .map(WorkerCredentials::view).toList();
    }

    /**
     * Revokes one credential of the worker; revoking it again changes nothing.
     *
     * @throws CredentialNotFoundException when the worker has no such credential
     */
    @Transactional
    public WorkerCredentialView revoke(String workerId, String credentialId) {
        WorkerCredential credential = WorkerCredential.findById(credentialId);
        if (credential == null || !credential.workerId.equals(workerId)) {
            throw new CredentialNotFoundException(workerId, credentialId);
        }
        if (credential.revokedAt == null) {
            credential.revokedAt = Instant.now();
            Log.infof("revoked credential %s of worker %s", credentialId, workerId);
        }
        return view(credential);
    }

    @Override
    @Transactional
    public Optional<String> workerIdOf(String presented) {
        WorkerCredential credential = WorkerCredential.find("tokenSha256", ServiceCredential.sha256(presented)).firstResult();
        return credential == null || credential.revokedAt != null ? Optional.empty() : Optional.of(credential.workerId);
    }

    private static String newId() {
        byte[] id = new byte[8];
        RANDOM.nextBytes(id);
        return "wcr_" + HexFormat.of().formatHex(id);
    }

    private static WorkerCredentialView view(WorkerCredential credential) {
        return new WorkerCredentialView(credential.id, credential.workerId, credential.createdAt, credential.revokedAt, null);
    }
}
