-- The disk a sandbox may write (MiB), counted against max_disk_mb in admission. Sandboxes created
-- before had no disk limit: 0, which counts nothing.
ALTER TABLE sandbox ADD COLUMN disk_mb INTEGER NOT NULL DEFAULT 0;
