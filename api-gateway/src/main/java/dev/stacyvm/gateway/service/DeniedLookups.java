package dev.stacyvm.gateway.service;

import dev.stacyvm.contract.event.AuditEvent;
import dev.stacyvm.gateway.config.GatewayConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Records lookups that name another owner's sandbox or template: the caller gets the same
 * {@code not_found} as for a missing one (ids do not leak), but the attempt is in the audit log as
 * {@code sandbox.lookup} or {@code template.lookup} with outcome {@code denied}, the target's owner
 * and the caller. Per caller (the audit actor) at most
 * {@code stacyvm.gateway.denied-lookups.per-caller-per-minute} such records are written in a
 * minute; the rest are counted (metric {@code stacyvm_audit_denied_lookups_unrecorded_total}) and
 * recorded as one {@code lookup.unrecorded} summary when the minute is over, so a flood of guesses
 * costs the log a bounded number of rows.
 */
@ApplicationScoped
public class DeniedLookups {

    static final String SANDBOX = "sandbox.lookup";
    static final String TEMPLATE = "template.lookup";
    static final String SUMMARY = "lookup.unrecorded";
    private static final long MINUTE_MILLIS = 60_000;

    @Inject
    AuditTrail audit;

    @Inject
    GatewayConfig config;

    @Inject
    MeterRegistry registry;

    private final ConcurrentMap<String, Window> windows = new ConcurrentHashMap<>();
    private Counter unrecorded;

    @PostConstruct
    void meters() {
        unrecorded = Counter.builder("stacyvm.audit.denied_lookups.unrecorded")
                .description("Denied lookups of another owner's things beyond the per-caller audit budget, counted only")
                .register(registry);
    }

    /** One caller's minute: how many denied lookups it recorded and how many it only counted. */
    private static final class Window {
        final long minute;
        final AuditTrail.Origin origin;
        int recorded;
        int unrecorded;

        Window(long minute, AuditTrail.Origin origin) {
            this.minute = minute;
            this.origin = origin;
        }
    }

    /** A lookup of another owner's sandbox {@code sandboxId} (owned by {@code ownerId}) was answered {@code not_found}. */
    public void sandbox(String sandboxId, String ownerId) {
        record(SANDBOX, sandboxId, ownerId, sandboxId, "another owner's sandbox " + sandboxId);
    }

    /** A lookup of template {@code name}, which only other owners have, was answered {@code not_found}. */
    public void template(String name) {
        record(TEMPLATE, null, null, "template:" + name, "a template named " + name + " that only other owners have");
    }

    private void record(String action, String sandboxId, String ownerId, String target, String what) {
        AuditTrail.Origin origin = audit.origin();
        long minute = System.currentTimeMillis() / MINUTE_MILLIS;
        Window ended = null;
        boolean write;
        Window window;
        synchronized (windows) {
            window = windows.get(origin.actor());
            if (window == null || window.minute != minute) {
                ended = window;
                window = new Window(minute, origin);
                windows.put(origin.actor(), window);
            }
            write = window.recorded < config.deniedLookups().perCallerPerMinute();
            if (write) {
                window.recorded++;
            } else {
                window.unrecorded++;
            }
        }
        summarize(ended);
        if (write) {
            audit.recordTarget(origin, action, sandboxId, ownerId, target, AuditEvent.DENIED,
                    "not_found: lookup of " + what);
        } else {
            unrecorded.increment();
        }
    }

    /** Writes the summaries of minutes that are over, and forgets them (a bounded map). */
    @Scheduled(every = "15s", skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void summarizeEndedMinutes() {
        long minute = System.currentTimeMillis() / MINUTE_MILLIS;
        for (String actor : windows.keySet()) {
            Window ended;
            synchronized (windows) {
                ended = windows.get(actor);
                if (ended == null || ended.minute == minute) {
                    continue;
                }
                windows.remove(actor);
            }
            summarize(ended);
        }
    }

    private void summarize(Window ended) {
        if (ended == null || ended.unrecorded == 0) {
            return;
        }
        audit.recordTarget(ended.origin, SUMMARY, null, null, null, AuditEvent.DENIED, ended.unrecorded
                + " more denied lookups of other owners' sandboxes or templates by this caller in the minute from "
                + Instant.ofEpochMilli(ended.minute * MINUTE_MILLIS) + " were counted, not recorded one by one");
    }
}
