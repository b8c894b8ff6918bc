package dev.stacyvm.gateway.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stacyvm.contract.api.SandboxView;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RunningViewsTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final RunningViews views = new RunningViews(now::get);

    private static SandboxView sandbox(String id, String state) {
        return new SandboxView(id, state, "docker", "img", null, 512, 1, null, null, null, null, "owner-a", "worker-1",
                null, false, null, null, "none", null, null, null, null, "runc", true);
    }

    @Test
    void aRunningViewIsAnsweredFromMemoryForOneSecondOnly() {
        views.remember(sandbox("sb-1", "running"), views.generation());
        now.addAndGet(RunningViews.TTL.toNanos() - 1);
        assertEquals("worker-1", views.find("sb-1").orElseThrow().workerId());

        now.addAndGet(1);
        assertTrue(views.find("sb-1").isEmpty(), "a second after the scheduler answered, it is asked again");
    }

    @Test
    void aSandboxInAnyOtherStateIsNotRememberedAndReplacesARunningView() {
        views.remember(sandbox("sb-1", "creating"), views.generation());
        assertTrue(views.find("sb-1").isEmpty());

        views.remember(sandbox("sb-2", "running"), views.generation());
        views.remember(sandbox("sb-2", "unhealthy"), views.generation());
        assertTrue(views.find("sb-2").isEmpty(), "a newer answer that it stopped wins over the remembered one");
    }

    @Test
    void aSandboxThisGatewayChangesOrDestroysIsForgottenAtOnce() {
        views.remember(sandbox("sb-1", "running"), views.generation());
        views.remember(sandbox("sb-2", "running"), views.generation());
        views.forget("sb-1");
        assertTrue(views.find("sb-1").isEmpty());
        assertTrue(views.find("sb-2").isPresent());

        views.forgetAll();
        assertTrue(views.find("sb-2").isEmpty(), "a prune forgets every sandbox");
    }

    @Test
    void anAnswerThatCrossedAForgetIsNotRemembered() {
        long asked = views.generation();
        views.forget("sb-1"); // this gateway destroyed it while the scheduler was being asked
        views.remember(sandbox("sb-1", "running"), asked);
        assertTrue(views.find("sb-1").isEmpty(), "the running answer predates the destroy");

        long askedAgain = views.generation();
        views.remember(sandbox("sb-1", "running"), askedAgain);
        assertTrue(views.find("sb-1").isPresent());
    }

    @Test
    void theMemoryIsBoundedWhateverTheNumberOfSandboxes() {
        for (int i = 0; i < RunningViews.MAX_ENTRIES * 2 + 7; i++) {
            views.remember(sandbox("sb-" + i, "running"), views.generation());
        }
        int kept = 0;
        for (int i = 0; i < RunningViews.MAX_ENTRIES * 2 + 7; i++) {
            kept += views.find("sb-" + i).isPresent() ? 1 : 0;
        }
        assertTrue(kept > 0 && kept <= RunningViews.MAX_ENTRIES, "kept " + kept);
    }
}
