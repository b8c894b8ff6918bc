package dev.stacyvm.gateway.service;

import dev.stacyvm.contract.api.SandboxState;
import dev.stacyvm.contract.api.SandboxView;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The sandboxes this gateway found running within the last {@link #TTL}, so that a burst of execs
 * and file operations on one sandbox asks the scheduler once rather than each time (a scheduler
 * round trip and transaction was a tenth of an exec of {@code true}).
 *
 * <p>Only what cannot change is relied on: a sandbox's owner and worker are fixed at create, so
 * a remembered view still says who may act on it and where; whether it still runs is the worker's
 * to say, and the worker refuses a command for a sandbox that has gone ({@code not_found}, as the
 * scheduler would have). This gateway forgets a sandbox as it destroys it or changes it, so its own
 * callers never see a stale view; a change made elsewhere (another gateway, the TTL reaper) is
 * seen at most {@link #TTL} later. Callers that need the current view (previews, stats, the
 * sandbox itself) do not use this.
 */
@ApplicationScoped
public class RunningViews {

    /** How long a running view is answered from memory. */
    static final Duration TTL = Duration.ofSeconds(1);

    /** Past this many remembered sandboxes, expired ones are dropped (and all, if none had expired). */
    static final int MAX_ENTRIES = 10_000;

    private record Remembered(SandboxView view, long expiresAtNanos) {
    }

    private final ConcurrentMap<String, Remembered> views = new ConcurrentHashMap<>();
    /** Raised by every forget: a view asked for before it may be older than the change it forgot. */
    private final AtomicLong generation = new AtomicLong();
    private final LongSupplier clock;

    public RunningViews() {
        this(System::nanoTime);
    }

    RunningViews(LongSupplier nanoClock) {
        this.clock = nanoClock;
    }

    /** The view remembered for {@code id} if it is younger than {@link #TTL}. */
    public Optional<SandboxView> find(String id) {
        Remembered remembered = views.get(id);
        if (remembered == null) {
            return Optional.empty();
        }
        if (clock.getAsLong() - remembered.expiresAtNanos() >= 0) {
            views.remove(id, remembered);
            return Optional.empty();
        }
        return Optional.of(remembered.view());
    }

    /** What to pass to {@link #remember}: read before asking the scheduler. */
    public long generation() {
        return generation.get();
    }

    /**
     * Remembers a view the scheduler answered, if it is running and nothing was forgotten since
     * {@code askedAt} ({@link #generation()} before the question): an answer that crossed this
     * gateway's own destroy of the sandbox must not outlive it. Any other state is not kept.
     */
    public void remember(SandboxView view, long askedAt) {
        if (!SandboxState.RUNNING.wireName().equals(view.state()) || generation.get() != askedAt) {
            views.remove(view.id());
            return;
        }
        long now = clock.getAsLong();
        if (views.size() >= MAX_ENTRIES) {
            views.values().removeIf(old -> now - old.expiresAtNanos() >= 0);
            if (views.size() >= MAX_ENTRIES) {
                views.clear();
            }
        }
        views.put(view.id(), new Remembered(view, now + TTL.toNanos()));
    }

    /** Forgets one sandbox: this gateway is about to change or destroy it. */
    public void forget(String id) {
        generation.incrementAndGet();
        views.remove(id);
    }

    /** Forgets every sandbox (a prune destroys many at once). */
    public void forgetAll() {
        generation.incrementAndGet();
        views.clear();
    }
}
