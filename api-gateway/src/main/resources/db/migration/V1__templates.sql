-- Templates: named create settings, each owner's own.
CREATE TABLE template (
    owner_id   TEXT        NOT NULL,
    name       TEXT        NOT NULL,
    spec       JSONB       NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (owner_id, name)
);
