package dev.stacyvm.gateway.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AuditBudgetTest {

    private final AtomicLong now = new AtomicLong(60_000L * 1_000_000);

    private static AuditTrail.Origin from(String address) {
        return new AuditTrail.Origin("anonymous", "req", address, null);
    }

    private static int taken(AuditBudget budget, String subject, int times) {
        int written = 0;
        for (int i = 0; i < times; i++) {
            written += budget.take(subject, from(subject)) ? 1 : 0;
        }
        return written;
    }

    @Test
    void aFloodFromOneAddressLeavesAtMostItsBudgetAndOneSummaryAMinute() {
        AuditBudget budget = new AuditBudget(20, 600, 100, now::get);
        assertEquals(20, taken(budget, "203.0.113.7", 10_000));
        assertEquals(20, taken(budget, "198.51.100.1", 25), "another address has a budget of its own");
        assertTrue(budget.ended().isEmpty(), "nothing to summarise before the minute is over");

        now.addAndGet(60_000);
        List<AuditBudget.Overflow> ended = budget.ended();
        assertEquals(2, ended.size());
        AuditBudget.Overflow flood = ended.stream().filter(o -> o.subject().equals("203.0.113.7")).findFirst().orElseThrow();
        assertEquals(9_980, flood.unrecorded());
        assertEquals("203.0.113.7", flood.first().sourceAddress());
        assertTrue(budget.ended().isEmpty(), "each summary once");
        assertTrue(budget.take("203.0.113.7", from("203.0.113.7")), "a new minute, a new budget");
    }

    @Test
    void manyAddressesTogetherStopAtTheTotal() {
        AuditBudget budget = new AuditBudget(20, 600, 100_000, now::get);
        int written = 0;
        for (int address = 0; address < 5_000; address++) {
            written += taken(budget, "10.0." + address / 256 + "." + address % 256, 1);
        }
        assertEquals(600, written);
        now.addAndGet(60_000);
        assertEquals(5_000 - 600, budget.ended().stream().mapToInt(AuditBudget.Overflow::unrecorded).sum(),
                "every refusal is in a summary or a record");
    }

    @Test
    void addressesBeyondTheOnesToldApartShareOneWindow() {
        AuditBudget budget = new AuditBudget(1, Integer.MAX_VALUE, 3, now::get);
        for (int address = 0; address < 10; address++) {
            taken(budget, "a" + address, 2);
        }
        now.addAndGet(60_000);
        List<AuditBudget.Overflow> ended = budget.ended();
        assertEquals(4, ended.size(), "three addresses and the shared window, whatever the number of addresses: " + ended);
        AuditBudget.Overflow others = ended.stream().filter(o -> o.subject().equals(AuditBudget.OTHERS)).findFirst().orElseThrow();
        assertEquals(13, others.unrecorded(), "7 addresses' 14 refusals, one of them recorded");
        assertFalse(ended.stream().anyMatch(o -> o.subject().equals("a9")));
    }

    @Test
    void onceTheTotalIsSpentNewSubjectsShareOneSummary() {
        AuditBudget budget = new AuditBudget(20, 100, 100_000, now::get);
        for (int address = 0; address < 5_000; address++) {
            taken(budget, "10.1." + address / 256 + "." + address % 256, 1);
        }
        now.addAndGet(60_000);
        List<AuditBudget.Overflow> ended = budget.ended();
        assertEquals(1, ended.size(), "100 records, and the 4,900 after them in one summary, not one each: " + ended.size());
        assertEquals(AuditBudget.OTHERS, ended.get(0).subject());
        assertEquals(4_900, ended.get(0).unrecorded());
    }

    @Test
    void anIpv6SenderCountsByItsSlash64() {
        assertEquals("2001:db8:1:2::/64", DeniedAuthentications.subjectOf("2001:db8:1:2:aaaa::1"));
        assertEquals("2001:db8:1:2::/64", DeniedAuthentications.subjectOf("[2001:db8:1:2:ffff:ffff:ffff:ffff]"));
        assertEquals("203.0.113.7", DeniedAuthentications.subjectOf("203.0.113.7"));
        assertEquals("(unknown address)", DeniedAuthentications.subjectOf(null));
    }
}
