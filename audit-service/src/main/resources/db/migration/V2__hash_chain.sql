-- The audit log as a hash chain: each record carries the hash of the one before it and its own,
-- computed over its content, so a changed, inserted or removed row breaks the chain at that row.
ALTER TABLE audit_record ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_record ADD COLUMN record_hash TEXT;

-- One row: the hash of the newest record. Appends lock it, which orders the chain.
CREATE TABLE audit_chain_head (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    last_hash TEXT NOT NULL
);
INSERT INTO audit_chain_head (id, last_hash) VALUES (1, '');
