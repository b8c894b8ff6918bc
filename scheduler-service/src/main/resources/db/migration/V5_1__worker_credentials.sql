-- Each worker's own credentials, bound to its id; only their SHA-256 is stored.
CREATE TABLE worker_credential (
    id           TEXT PRIMARY KEY,
    worker_id    TEXT NOT NULL,
    token_sha256 TEXT NOT NULL UNIQUE,
    created_at   TIMESTAMPTZ NOT NULL,
    revoked_at   TIMESTAMPTZ
);
CREATE INDEX worker_credential_worker ON worker_credential (worker_id);
