-- Compacted topics take tombstones: a keyed record without a value.
ALTER TABLE outbox_message ALTER COLUMN payload DROP NOT NULL;
