package dev.stacyvm.gateway.quota;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** An administrator's quota override for one owner; a {@code null} limit keeps the default. */
@Entity
@Table(name = "quota")
public class Quota extends QuotaLimits {

    @Id
    @Column(name = "owner_id")
    public String ownerId;

    @Column(name = "max_ttl_seconds")
    public Long maxTtlSeconds;

    @Column(name = "max_exec_timeout_seconds")
    public Long maxExecTimeoutSeconds;
}
