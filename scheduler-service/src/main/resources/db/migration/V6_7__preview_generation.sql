-- Revocable preview tokens: each token carries the sandbox's preview generation, and rotating it
-- (the route published on stacyvm.preview-routes carries the new one) refuses every earlier token.
ALTER TABLE sandbox ADD COLUMN preview_generation BIGINT NOT NULL DEFAULT 0;
