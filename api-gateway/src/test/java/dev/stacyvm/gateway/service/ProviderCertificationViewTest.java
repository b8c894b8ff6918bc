package dev.stacyvm.gateway.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.stacyvm.contract.api.Certification;
import dev.stacyvm.contract.api.ProviderView;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A caller below operator sees each runtime's certification, never which worker (host) holds it. */
class ProviderCertificationViewTest {

    @Test
    void workersAndReportsAreLeftOutAndEachRuntimeIsCertifiedWhenAnyWorkerHasIt() {
        Instant at = Instant.parse("2026-12-03T20:00:00Z");
        ProviderView full = new ProviderView("docker", true, true, List.of("exec"), 2, List.of(
                new Certification("worker-host-a-7425", "docker", "runc", Certification.UNCERTIFIED, null, null),
                new Certification("worker-host-b-7425", "docker", "runc", Certification.CERTIFIED, "r.json", at),
                new Certification("worker-host-a-7425", "docker", "runsc", Certification.FAILED, "s.json", at)));
        ProviderView shown = ProviderCatalog.withoutWorkers(full);
        assertEquals(2, shown.certifications().size());
        Certification runc = shown.certifications().get(0);
        assertEquals("runc", runc.runtime());
        assertEquals(Certification.CERTIFIED, runc.state());
        assertNull(runc.workerId());
        assertNull(runc.report());
        assertEquals(Certification.FAILED, shown.certifications().get(1).state());
        assertNull(shown.certifications().get(1).workerId());
    }
}
