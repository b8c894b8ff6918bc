-- When the credential that made an exec socket token stops being valid (a bearer token's exp): a
-- token is not redeemed past it, and the socket opened with it closes then. Null for API keys,
-- which do not expire (their revocation is checked through api_key_id).
ALTER TABLE exec_socket_token ADD COLUMN credential_expires_at TIMESTAMPTZ;
