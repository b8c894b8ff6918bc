-- Short-lived, single-use tokens for opening an exec WebSocket from a browser (which cannot set
-- headers on a WebSocket): only the token's SHA-256 is stored, with the caller it stands for and
-- the one sandbox it opens. Redeeming deletes the row; expired rows are swept when tokens are made.
CREATE TABLE exec_socket_token (
    token_sha256 TEXT PRIMARY KEY,
    sandbox_id   TEXT        NOT NULL,
    tenant       TEXT        NOT NULL,
    key_name     TEXT        NOT NULL,
    owner_key    TEXT        NOT NULL,
    role         TEXT        NOT NULL,
    user_id      TEXT,
    api_key_id   TEXT,
    expires_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX exec_socket_token_expiry ON exec_socket_token (expires_at);
