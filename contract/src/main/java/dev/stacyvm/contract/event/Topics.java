package dev.stacyvm.contract.event;

/** Kafka topic names; see docs/events.md. */
public final class Topics {

    public static final String SANDBOX_EVENTS = "stacyvm.sandbox-events";
    public static final String AUDIT_EVENTS = "stacyvm.audit-events";
    public static final String PREVIEW_ROUTES = "stacyvm.preview-routes";

    private Topics() {
    }
}
