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

    @Inject
    AuditTrail audit;

    @Inject
    GatewayConfig config;

    @Inject
    MeterRegistry registry;

    private AuditBudget budget;
    private Counter unrecorded;

    @PostConstruct
    void meters() {
        unrecorded = Counter.builder("stacyvm.audit.denied_lookups.unrecorded")
                .description("Denied lookups of another owner's things beyond the per-caller audit budget, counted only")
                .register(registry);
        // per caller; callers hold keys, so the number told apart needs no tighter bound than this
        budget = new AuditBudget(config.deniedLookups().perCallerPerMinute(), Integer.MAX_VALUE, 10_000,
                System::currentTimeMillis);
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
        if (budget.take(origin.actor(), origin)) {
            audit.recordTarget(origin, action, sandboxId, ownerId, target, AuditEvent.DENIED,
                    "not_found: lookup of " + what);
        } else {
            unrecorded.increment();
        }
    }

    /** Writes the summaries of minutes that are over. */
    @Scheduled(every = "15s", skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void summarizeEndedMinutes() {
        for (AuditBudget.Overflow ended : budget.ended()) {
            boolean shared = AuditBudget.OTHERS.equals(ended.subject());
            // the shared window's first caller is one of many: the summary names none of them
            AuditTrail.Origin origin = shared ? new AuditTrail.Origin("(many callers)", null, null) : ended.first();
            audit.recordTarget(origin, SUMMARY, null, null, null, AuditEvent.DENIED, ended.unrecorded()
                    + " more denied lookups of other owners' sandboxes or templates by " + (shared ? "callers beyond the "
                    + "ones told apart" : "this caller") + " in the minute from "
                    + Instant.ofEpochMilli(ended.minuteStartMillis()) + " were counted, not recorded one by one");
        }
    }
}
