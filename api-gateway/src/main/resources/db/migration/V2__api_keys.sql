-- API keys: only a SHA-256 of each key is stored; the key itself is shown once, at creation.
CREATE TABLE api_key (
    id         TEXT PRIMARY KEY,
    name       TEXT        NOT NULL,
    tenant     TEXT        NOT NULL,
    role       TEXT        NOT NULL,
    key_hash   TEXT        NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);
CREATE INDEX api_key_tenant ON api_key (tenant);
