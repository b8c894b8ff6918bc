-- Per-owner quota overrides set through the admin quota routes; a NULL limit means "the default".
CREATE TABLE quota (
    owner_id                 TEXT PRIMARY KEY,
    max_sandboxes            INTEGER,
    max_ttl_seconds          BIGINT,
    max_exec_timeout_seconds BIGINT,
    max_memory_mb            INTEGER,
    max_vcpus                INTEGER,
    requests_per_minute      INTEGER,
    updated_at               TIMESTAMPTZ NOT NULL
);
