-- Disk in placement (issue 14, Capacity): host_disk_mb is now the sum of disk_mb a worker host's
-- sandboxes may declare together; beside it the largest one sandbox may have and the MiB free now.
-- Null until the worker's next heartbeat advertises them.
ALTER TABLE worker ADD COLUMN host_max_disk_mb BIGINT;
ALTER TABLE worker ADD COLUMN host_disk_free_mb BIGINT;
