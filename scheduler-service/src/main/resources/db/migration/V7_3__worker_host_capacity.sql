-- Host capacity: what each worker's host can hold in all, as it advertises on every heartbeat.
-- NULL until a worker advertises it; placement puts nothing on such a worker.
ALTER TABLE worker ADD COLUMN host_memory_mb BIGINT;
ALTER TABLE worker ADD COLUMN host_vcpus BIGINT;
ALTER TABLE worker ADD COLUMN host_pids BIGINT;
ALTER TABLE worker ADD COLUMN host_cores BIGINT;
ALTER TABLE worker ADD COLUMN host_max_pids_limit BIGINT;
ALTER TABLE worker ADD COLUMN host_disk_mb BIGINT;
