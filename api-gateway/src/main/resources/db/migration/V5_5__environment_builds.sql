-- StacyVM's environments (docs/images.md, Builds): specs (a base image plus apt and pip packages)
-- and builds, of a spec or of a Dockerfile with its context. A build's image lives on the worker
-- that built it (worker_id), named stacyvm.invalid/{tenant}/{name}:{build id}.
CREATE TABLE environment_spec (
    id              TEXT PRIMARY KEY,
    tenant          TEXT        NOT NULL,
    owner_id        TEXT        NOT NULL,
    name            TEXT        NOT NULL,
    base_image      TEXT        NOT NULL,
    python_packages JSONB       NOT NULL,
    apt_packages    JSONB       NOT NULL,
    python_version  TEXT,
    pip_index_url   TEXT,
    network_policy  JSONB,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX environment_spec_owner ON environment_spec (owner_id);

CREATE TABLE environment_build (
    id               TEXT PRIMARY KEY,
    spec_id          TEXT REFERENCES environment_spec (id) ON DELETE SET NULL,
    tenant           TEXT        NOT NULL,
    owner_id         TEXT        NOT NULL,
    name             TEXT        NOT NULL,
    base_image       TEXT        NOT NULL,
    status           TEXT        NOT NULL,
    current_step     TEXT        NOT NULL,
    log              TEXT        NOT NULL,
    log_dropped      BIGINT      NOT NULL DEFAULT 0,
    error            TEXT,
    image            TEXT        NOT NULL,
    digest           TEXT,
    image_size_bytes BIGINT      NOT NULL DEFAULT 0,
    worker_id        TEXT,
    sandbox_id       TEXT,
    cancel_requested BOOLEAN     NOT NULL DEFAULT FALSE,
    created_at       TIMESTAMPTZ NOT NULL,
    started_at       TIMESTAMPTZ,
    finished_at      TIMESTAMPTZ,
    updated_at       TIMESTAMPTZ NOT NULL,
    UNIQUE (image)
);
CREATE INDEX environment_build_owner ON environment_build (owner_id, created_at DESC);
CREATE INDEX environment_build_status ON environment_build (status);
