-- max_disk_mb (MiB): the disk_mb all live sandboxes of an owner (quota; NULL: the default) or of a
-- key or tenant (scope_quota; NULL: no limit) may ask for together.
ALTER TABLE quota ADD COLUMN max_disk_mb INTEGER;
ALTER TABLE scope_quota ADD COLUMN max_disk_mb INTEGER;
