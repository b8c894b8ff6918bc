package dev.stacyvm.gateway.terminal;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A stored exec WebSocket token: its hash, the sandbox it opens and the caller it stands for. */
@Entity
@Table(name = "exec_socket_token")
public class ExecSocketToken extends PanacheEntityBase {

    @Id
    @Column(name = "token_sha256")
    public String tokenSha256;

    @Column(name = "sandbox_id")
    public String sandboxId;

    public String tenant;

    @Column(name = "key_name")
    public String keyName;

    @Column(name = "owner_key")
    public String ownerKey;

    public String role;

    @Column(name = "user_id")
    public String userId;

    @Column(name = "api_key_id")
    public String apiKeyId;

    @Column(name = "expires_at")
    public Instant expiresAt;

    /** When the credential that made it expires (a bearer token); null for an API key. */
    @Column(name = "credential_expires_at")
    public Instant credentialExpiresAt;
}
