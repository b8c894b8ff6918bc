-- Leases for work only one scheduler instance may do at a time (expiry, reconciliation): the
-- holder renews before expires_at; once it lapses any instance may take it.
CREATE TABLE scheduler_lease (
    name       TEXT PRIMARY KEY,
    holder     TEXT        NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
