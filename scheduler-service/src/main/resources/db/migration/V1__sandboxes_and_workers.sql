CREATE TABLE worker (
    id             TEXT PRIMARY KEY,
    endpoint       TEXT        NOT NULL,
    status         TEXT        NOT NULL,
    capacity       INTEGER     NOT NULL,
    providers      JSONB       NOT NULL DEFAULT '[]',
    labels         JSONB       NOT NULL DEFAULT '{}',
    registered_at  TIMESTAMPTZ NOT NULL,
    last_heartbeat TIMESTAMPTZ NOT NULL
);

CREATE TABLE sandbox (
    id              TEXT PRIMARY KEY,
    owner_id        TEXT        NOT NULL,
    state           TEXT        NOT NULL,
    provider        TEXT        NOT NULL,
    image           TEXT        NOT NULL,
    memory_mb       INTEGER     NOT NULL,
    vcpus           INTEGER     NOT NULL,
    pids_limit      INTEGER     NOT NULL,
    network         TEXT        NOT NULL,
    ports           JSONB       NOT NULL DEFAULT '[]',
    public_preview  BOOLEAN     NOT NULL DEFAULT FALSE,
    metadata        JSONB       NOT NULL DEFAULT '{}',
    worker_id       TEXT REFERENCES worker (id),
    runtime_id      TEXT,
    published_ports JSONB       NOT NULL DEFAULT '{}',
    error           TEXT,
    created_at      TIMESTAMPTZ NOT NULL,
    expires_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    version         BIGINT      NOT NULL DEFAULT 0
);

CREATE INDEX sandbox_owner_live ON sandbox (owner_id) WHERE state <> 'destroyed';
CREATE INDEX sandbox_expiry ON sandbox (expires_at) WHERE state IN ('running', 'unhealthy', 'error');
CREATE INDEX sandbox_worker_live ON sandbox (worker_id) WHERE state IN ('creating', 'running', 'unhealthy');
