package dev.stacyvm.scheduler.service;

import dev.stacyvm.contract.api.SandboxState;
import dev.stacyvm.contract.event.PreviewRoute;
import dev.stacyvm.contract.event.SandboxProgress;
import dev.stacyvm.contract.event.SandboxStateChanged;
import dev.stacyvm.contract.event.Topics;
import dev.stacyvm.contract.internal.PullProgress;
import dev.stacyvm.outbox.OutboxWriter;
import dev.stacyvm.scheduler.Sandbox;
import dev.stacyvm.scheduler.error.SandboxNotFoundException;
import dev.stacyvm.scheduler.error.StateConflictException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The only way a sandbox's state changes: the row update, its {@code sandbox.state_changed}
 * event and (for a sandbox with preview ports) its preview route are written in one transaction,
 * never one without the others.
 */
@ApplicationScoped
public class SandboxTransitions {

    @Inject
    OutboxWriter outbox;

    /**
     * Records how far a {@code creating} sandbox's create has come (its worker's word on a pull)
     * and publishes it as {@code sandbox.progress}; a sandbox past {@code creating}, or placed on
     * another worker, is left alone.
     *
     * @return whether it was recorded
     */
    @Transactional
    public boolean progress(String id, String workerId, PullProgress progress) {
        Sandbox sandbox = Sandbox.findById(id, LockModeType.PESSIMISTIC_WRITE);
        if (sandbox == null || sandbox.state != SandboxState.CREATING || !workerId.equals(sandbox.workerId)) {
            return false;
        }
        sandbox.progress = progress.detail();
        outbox.append(SandboxProgress.of(sandbox.id, sandbox.ownerId, sandbox.workerId, progress.phase(),
                progress.detail(), progress.bytesDone(), progress.bytesTotal(), sandbox.isBuild()));
        return true;
    }

    /** Records a new sandbox in {@code creating}. */
    @Transactional
    public Sandbox begin(Sandbox sandbox) {
        sandbox.state = SandboxState.CREATING;
        sandbox.updatedAt = Instant.now();
        sandbox.persist();
        outbox.append(SandboxStateChanged.of(sandbox.id, sandbox.ownerId, sandbox.workerId, null,
                SandboxState.CREATING.wireName(), sandbox.image, null, sandbox.isBuild()));
        publishRoute(sandbox);
        return sandbox;
    }

    /**
     * Moves a sandbox to {@code to}, applying {@code changes} to the row first. Moving to the state
     * it is already in changes nothing and publishes nothing, and so does destroying a destroyed
     * sandbox, which makes retries harmless.
     *
     * @throws SandboxNotFoundException for an unknown id
     * @throws StateConflictException for a move the state machine does not allow
     */
    @Transactional
    public Sandbox move(String id, SandboxState to, String reason, Consumer<Sandbox> changes) {
        Sandbox sandbox = Sandbox.findById(id, LockModeType.PESSIMISTIC_WRITE);
        if (sandbox == null) {
            throw new SandboxNotFoundException(id);
        }
        if (sandbox.state == to || sandbox.state == SandboxState.DESTROYED && to == SandboxState.DESTROYING) {
            return sandbox;
        }
        if (!SandboxStateMachine.allows(sandbox.state, to)) {
            throw new StateConflictException("sandbox " + id + " is " + sandbox.state.wireName() + " and cannot become " + to.wireName());
        }
        SandboxState from = sandbox.state;
        changes.accept(sandbox);
        sandbox.state = to;
        sandbox.updatedAt = Instant.now();
        outbox.append(SandboxStateChanged.of(sandbox.id, sandbox.ownerId, sandbox.workerId, from.wireName(),
                to.wireName(), sandbox.image, reason, sandbox.isBuild()));
        publishRoute(sandbox);
        return sandbox;
    }

    /**
     * Keeps the sandbox's preview route current on the compacted routes topic, in the same
     * transaction: its state and published ports while it lives, a tombstone once destroyed.
     */
    private void publishRoute(Sandbox sandbox) {
        if (sandbox.ports == null || sandbox.ports.isEmpty()) {
            return;
        }
        PreviewRoute route = sandbox.state == SandboxState.DESTROYED ? null
                : new PreviewRoute(sandbox.id, sandbox.ownerId, sandbox.state.wireName(), sandbox.previewHost,
                        sandbox.publishedPorts == null ? Map.of() : sandbox.publishedPorts, sandbox.publicPreview,
                        sandbox.updatedAt, sandbox.previewGeneration);
        outbox.appendState(Topics.PREVIEW_ROUTES, sandbox.id, route);
    }

    /**
     * Moves a live sandbox's preview generation on and publishes its route with it, in one
     * transaction: once the router has read the route, every earlier preview token is refused.
     */
    @Transactional
    public Sandbox rotatePreviewGeneration(String id) {
        Sandbox sandbox = Sandbox.findById(id, LockModeType.PESSIMISTIC_WRITE);
        if (sandbox == null || sandbox.state == SandboxState.DESTROYED) {
            throw new SandboxNotFoundException(id);
        }
        sandbox.previewGeneration++;
        sandbox.updatedAt = Instant.now();
        publishRoute(sandbox);
        return sandbox;
    }

    public Sandbox move(String id, SandboxState to, String reason) {
        return move(id, to, reason, sandbox -> {
        });
    }
}
