-- A tenant's registry credentials: pulls of that tenant's images from `registry` use them. The secret
-- is AES-256-GCM sealed (12-byte nonce, then ciphertext and tag) under the gateway's registry secrets
-- key; it is never answered back.
CREATE TABLE registry_connection (
    id         TEXT PRIMARY KEY,
    tenant     TEXT        NOT NULL,
    owner_id   TEXT        NOT NULL,
    provider   TEXT        NOT NULL,
    registry   TEXT        NOT NULL,
    username   TEXT        NOT NULL,
    secret     BYTEA       NOT NULL,
    is_default BOOLEAN     NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (tenant, registry, username)
);
CREATE INDEX registry_connection_tenant ON registry_connection (tenant, registry);
