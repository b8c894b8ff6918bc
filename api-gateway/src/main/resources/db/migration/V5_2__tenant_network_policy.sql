-- A tenant's egress policy (NetworkPolicy as JSON): it bounds what its networked sandboxes may ask
-- for, and is what they get when they ask for nothing. No row: the tenant sets no bound.
CREATE TABLE tenant_network_policy (
    tenant     TEXT PRIMARY KEY,
    policy     JSONB       NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
