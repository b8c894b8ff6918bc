-- Fencing: each new process of a worker takes it over with a higher generation.
ALTER TABLE worker ADD COLUMN generation BIGINT NOT NULL DEFAULT 1;
ALTER TABLE worker ADD COLUMN instance_id TEXT;
