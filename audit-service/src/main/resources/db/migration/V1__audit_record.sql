-- The audit log: append-only. Each row is one event, at most once (event_id is unique).
CREATE TABLE audit_record (
    id             BIGSERIAL PRIMARY KEY,
    event_id       UUID        NOT NULL UNIQUE,
    event_type     TEXT        NOT NULL,
    occurred_at    TIMESTAMPTZ NOT NULL,
    recorded_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    actor          TEXT        NOT NULL,
    action         TEXT        NOT NULL,
    target         TEXT,
    outcome        TEXT        NOT NULL,
    owner_id       TEXT,
    sandbox_id     TEXT,
    worker_id      TEXT,
    request_id     TEXT,
    source_address TEXT,
    detail         TEXT,
    payload        TEXT        NOT NULL
);
CREATE INDEX audit_record_actor ON audit_record (actor, id);
CREATE INDEX audit_record_action ON audit_record (action, id);
CREATE INDEX audit_record_target ON audit_record (target, id);
CREATE INDEX audit_record_occurred ON audit_record (occurred_at);
