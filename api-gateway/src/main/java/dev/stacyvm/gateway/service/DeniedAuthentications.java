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
 * Records requests refused for their credential ({@code auth.denied}: none, unknown, revoked, an
 * invalid bearer token). Anyone who reaches the gateway can send them, without any key, and each
 * record is a row in the outbox, a Kafka message and a row in the hash-chained audit log; so per
 * source address at most {@code stacyvm.gateway.denied-authentications.per-address-per-minute}
 * are recorded one by one, and at most {@code total-per-minute} from all addresses together. The
 * rest are answered the same {@code 401}, counted (metric
 * {@code stacyvm_audit_denied_authentications_unrecorded_total}) and recorded as one
 * {@code auth.unrecorded} summary per address when the minute is over. An IPv6 sender counts by its
 * /64. Refusals of a valid key for its role are recorded one by one, as every act of a key is.
 */
@ApplicationScoped
public class DeniedAuthentications {

    static final String SUMMARY = "auth.unrecorded";
    /** Addresses told apart in one minute; the ones after that share one summary. */
    static final int MAX_ADDRESSES = 10_000;

    @Inject
    AuditTrail audit;

    @Inject
    GatewayConfig config;

    @Inject
    MeterRegistry registry;

    private AuditBudget budget;
    private Counter unrecorded;

    @PostConstruct
    void init() {
        unrecorded = Counter.builder("stacyvm.audit.denied_authentications.unrecorded")
                .description("Requests refused for their credential beyond the audit budget, counted only")
                .register(registry);
        budget = new AuditBudget(config.deniedAuthentications().perAddressPerMinute(),
                config.deniedAuthentications().totalPerMinute(), MAX_ADDRESSES, System::currentTimeMillis);
    }

    /** A request from {@code origin} was refused for its credential; recorded, or counted past the budget. */
    public void denied(AuditTrail.Origin origin, String method, String path, String reason) {
        if (budget.take(subjectOf(origin.sourceAddress()), origin)) {
            audit.recordDenied(origin, method, path, reason);
        } else {
            unrecorded.increment();
        }
    }

    /**
     * Whom a refusal counts against: its address, or for IPv6 its /64 (one host has a whole /64
     * to send from, so its addresses are one sender).
     */
    static String subjectOf(String address) {
        if (address == null || address.isEmpty()) {
            return "(unknown address)";
        }
        if (address.indexOf(':') < 0) {
            return address;
        }
        try {
            // a literal, so no name is looked up
            byte[] bytes = java.net.InetAddress.getByName(address.startsWith("[") ? address.substring(1, address.length() - 1)
                    : address.replaceFirst("%.*$", "")).getAddress();
            if (bytes.length != 16) {
                return address;
            }
            StringBuilder prefix = new StringBuilder();
            for (int i = 0; i < 8; i += 2) {
                prefix.append(Integer.toHexString(((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff))).append(':');
            }
            return prefix.append(":/64").toString();
        } catch (java.net.UnknownHostException notALiteral) {
            return address;
        }
    }

    /** Writes the summaries of minutes that are over. */
    @Scheduled(every = "15s", skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void summarizeEndedMinutes() {
        for (AuditBudget.Overflow ended : budget.ended()) {
            boolean shared = AuditBudget.OTHERS.equals(ended.subject());
            String from = shared ? "addresses beyond the ones told apart" : ended.subject();
            // the shared window's first address is one of many: the summary names none of them
            audit.recordTarget(new AuditTrail.Origin("anonymous", null, shared ? null : ended.first().sourceAddress()), SUMMARY, null, null,
                    null, AuditEvent.DENIED, ended.unrecorded() + " more requests refused for their credential from "
                            + from + " in the minute from " + Instant.ofEpochMilli(ended.minuteStartMillis())
                            + " were counted, not recorded one by one");
        }
    }
}
