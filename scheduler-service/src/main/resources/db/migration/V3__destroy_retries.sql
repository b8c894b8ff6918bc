-- A destroy that failed is retried with backoff: how often it failed and when to try again.
ALTER TABLE sandbox ADD COLUMN destroy_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sandbox ADD COLUMN retry_at TIMESTAMPTZ;
CREATE INDEX sandbox_retry_at ON sandbox (retry_at) WHERE retry_at IS NOT NULL;
