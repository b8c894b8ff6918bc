-- The audit chain becomes keyed: records after keyed_since are hashed with HMAC-SHA256 and a key
-- that is not in the database; records up to it keep their plain SHA-256 hashes and still verify.
-- The row is written once, by the first append or start with the key, under the chain head's lock;
-- every exported signed head repeats keyed_since, so moving it later is detected.
CREATE TABLE audit_chain_key (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    keyed_since BIGINT  NOT NULL
);
