-- The OCI runtime each sandbox runs under (runc, or runsc: gVisor), and the ones each worker's engine
-- offers; every sandbox and worker recorded before runtimes existed ran runc only.
ALTER TABLE sandbox ADD COLUMN runtime TEXT NOT NULL DEFAULT 'runc';
ALTER TABLE worker ADD COLUMN runtimes JSONB NOT NULL DEFAULT '["runc"]';
