-- The OpenTelemetry trace id of the API request behind an audit.recorded event (docs/observability.md,
-- "Tracing"). Nullable: records written before it, and state changes, have none. A record's hash
-- covers it only when it is set, so every record written before this column verifies as it did.
ALTER TABLE audit_record ADD COLUMN trace_id TEXT;
CREATE INDEX audit_record_trace ON audit_record (trace_id) WHERE trace_id IS NOT NULL;
