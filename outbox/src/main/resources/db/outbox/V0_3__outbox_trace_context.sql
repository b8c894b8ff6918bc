-- The trace context (W3C traceparent) of the transaction that wrote a message: the relay publishes
-- later, on its own thread, and restores it so the Kafka record joins the writer's trace.
ALTER TABLE outbox_message ADD COLUMN traceparent TEXT;
