package dev.stacyvm.worker.service;

import dev.stacyvm.contract.api.BackgroundOutput;
import dev.stacyvm.contract.api.BackgroundProcess;
import dev.stacyvm.contract.api.ExecRequest;
import dev.stacyvm.worker.error.BackgroundLimitException;
import dev.stacyvm.worker.error.NoSuchProcessException;
import dev.stacyvm.worker.provider.ExecCommand;
import dev.stacyvm.worker.provider.ExecOutcome;
import dev.stacyvm.worker.provider.InteractiveExec;
import dev.stacyvm.worker.provider.SandboxProviders;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Commands started detached ({@code background: true}): each runs through the provider's
 * interactive exec with its stdin closed, while a virtual thread keeps its output in a bounded
 * {@link OutputRing} ({@value #OUTPUT_BYTES} bytes) and records how it ended. Held in this worker's
 * memory, per sandbox: a worker restart loses the records (and ends the processes, whose output
 * then has no reader). At most {@value #MAX_RUNNING} run per sandbox; ended ones are kept, up to
 * {@value #MAX_KEPT}, until killed or the sandbox goes.
 */
@ApplicationScoped
public class BackgroundProcesses {

    static final int OUTPUT_BYTES = 256 * 1024;
    static final int MAX_RUNNING = 16;
    static final int MAX_KEPT = 64;
    /** Without a timeout a background process runs as long as the agent allows: until the sandbox ends. */
    static final Duration UNTIL_THE_SANDBOX_ENDS = Duration.ofDays(365);

    @Inject
    RuntimeService runtimes;

    @Inject
    SandboxProviders providers;

    private final Map<String, Map<String, Background>> bySandbox = new ConcurrentHashMap<>();
    /** Starts in flight per sandbox, counted against {@value #MAX_RUNNING}; guarded by {@code this}. */
    private final Map<String, Integer> starting = new java.util.HashMap<>();

    /** One process: what was asked, its exec, its output and, once ended, how. */
    private static final class Background {
        final String id;
        final String command;
        final Instant startedAt = Instant.now();
        final OutputRing output = new OutputRing(OUTPUT_BYTES);
        final InteractiveExec exec;
        volatile ExecOutcome outcome;
        volatile Instant endedAt;

        Background(String id, String command, InteractiveExec exec) {
            this.id = id;
            this.command = command;
            this.exec = exec;
        }

        BackgroundProcess view() {
            ExecOutcome ended = outcome;
            return new BackgroundProcess(id, command, ended == null ? BackgroundProcess.RUNNING : BackgroundProcess.EXITED,
                    ended == null ? null : ended.exitCode(), ended == null ? null : ended.timedOut(), startedAt, endedAt,
                    output.written());
        }
    }

    /**
     * Starts {@code request}'s command detached, as an exec would run it.
     *
     * @throws BackgroundLimitException when {@value #MAX_RUNNING} already run in the sandbox
     */
    public BackgroundProcess start(String sandboxId, ExecRequest request) {
        reserve(sandboxId);
        final Background process;
        String id = "bg-" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try {
            ExecRequest detached = request.timeout() == null || request.timeout().isBlank()
                    ? new ExecRequest(request.command(), request.args(), request.mode(), request.env(), request.workdir(),
                            dev.stacyvm.contract.time.GoDuration.format(UNTIL_THE_SANDBOX_ENDS), null, null)
                    : request;
            ExecCommand command = runtimes.prepareStream(sandboxId, detached);
            InteractiveExec exec = providers.forSandbox(sandboxId).openInteractive(sandboxId, command, null);
            try {
                exec.endInput();
            } catch (RuntimeException failed) {
                exec.close();
                throw failed;
            }
            process = new Background(id, describe(request), exec);
            // registered only once it started: a start for a sandbox that has gone fails above and
            // leaves no entry behind (RuntimeService.destroy forgets after the runtime is gone, too)
            synchronized (this) {
                Map<String, Background> processes = bySandbox.computeIfAbsent(sandboxId, sandbox -> new ConcurrentHashMap<>());
                forgetOldest(processes);
                processes.put(id, process);
            }
        } finally {
            release(sandboxId);
        }
        Thread.ofVirtual().name("background-" + id).start(() -> {
            ExecOutcome outcome = process.exec.relay((stream, bytes) -> process.output.append(stream, bytes));
            process.endedAt = Instant.now();
            process.outcome = outcome;
            process.output.close();
            runtimes.interactiveEnded(sandboxId);
        });
        return process.view();
    }

    /**
     * Counts a start in flight against the limit, so concurrent starts cannot pass it together.
     *
     * @throws BackgroundLimitException when running and starting processes already reach it
     */
    private synchronized void reserve(String sandboxId) {
        long running = bySandbox.getOrDefault(sandboxId, Map.of()).values().stream()
                .filter(process -> process.outcome == null).count();
        if (running + starting.getOrDefault(sandboxId, 0) >= MAX_RUNNING) {
            throw new BackgroundLimitException(sandboxId, MAX_RUNNING);
        }
        starting.merge(sandboxId, 1, Integer::sum);
    }

    private synchronized void release(String sandboxId) {
        starting.computeIfPresent(sandboxId, (sandbox, count) -> count == 1 ? null : count - 1);
    }

    /** The sandbox's background processes, oldest first. */
    public List<BackgroundProcess> list(String sandboxId) {
        return bySandbox.getOrDefault(sandboxId, Map.of()).values().stream()
                .sorted(Comparator.comparing((Background process) -> process.startedAt)).map(Background::view).toList();
    }

    /** @throws NoSuchProcessException when the sandbox has no such process (any more) */
    public BackgroundProcess get(String sandboxId, String processId) {
        return find(sandboxId, processId).view();
    }

    /** Its output from byte {@code since} on, as far as the buffer holds it. */
    public BackgroundOutput output(String sandboxId, String processId, long since) {
        Background process = find(sandboxId, processId);
        OutputRing.Slice slice = process.output.since(since);
        List<BackgroundOutput.Chunk> chunks = new ArrayList<>();
        for (OutputRing.Chunk chunk : slice.chunks()) {
            chunks.add(new BackgroundOutput.Chunk(chunk.stream(), new String(chunk.data(), StandardCharsets.UTF_8), chunk.offset()));
        }
        return new BackgroundOutput(chunks, slice.next(), slice.dropped(), process.view());
    }

    /** Receives followed output; a failing receiver (gone) ends the following, not the process. */
    @FunctionalInterface
    public interface Follower {
        void accept(OutputRing.Chunk chunk) throws java.io.IOException;

        /** Called about every half second while nothing comes, so a receiver that left is noticed. */
        default void idle() throws java.io.IOException {
        }
    }

    /**
     * Passes the output from {@code since} on to {@code follower} as it comes, until the process
     * ends (answering how it ended) or the follower fails.
     */
    public BackgroundProcess follow(String sandboxId, String processId, long since, Follower follower)
            throws java.io.IOException, InterruptedException {
        Background process = find(sandboxId, processId);
        long next = Math.max(0, since);
        while (true) {
            OutputRing.Slice slice = process.output.since(next);
            for (OutputRing.Chunk chunk : slice.chunks()) {
                follower.accept(chunk);
            }
            next = slice.next();
            if (process.output.awaitAfter(next, 500)) {
                return process.view();
            }
            if (process.output.written() <= next) {
                follower.idle();
            }
        }
    }

    /** Signals the process's command (its process group) as the agent's {@code kill --signal} does. */
    public BackgroundProcess signal(String sandboxId, String processId, String signal) {
        Background process = find(sandboxId, processId);
        if (process.outcome == null) {
            process.exec.signal(signal);
        }
        return process.view();
    }

    /** Kills the process with everything it started, if it runs, and forgets it. */
    public void kill(String sandboxId, String processId) {
        Background process = find(sandboxId, processId);
        process.exec.close();
        bySandbox.getOrDefault(sandboxId, Map.of()).remove(processId);
    }

    /** The sandbox is gone: its processes went with it. */
    public void forget(String sandboxId) {
        Map<String, Background> processes = bySandbox.remove(sandboxId);
        if (processes != null) {
            processes.values().forEach(process -> {
                try {
                    process.exec.close();
                } catch (RuntimeException gone) {
                    Log.debugf("background process %s of %s: %s", process.id, sandboxId, gone.toString());
                }
            });
        }
    }

    private Background find(String sandboxId, String processId) {
        Background process = bySandbox.getOrDefault(sandboxId, Map.of()).get(processId);
        if (process == null) {
            throw new NoSuchProcessException(processId, sandboxId);
        }
        return process;
    }

    private static void forgetOldest(Map<String, Background> processes) {
        while (processes.size() >= MAX_KEPT) {
            var oldest = processes.values().stream().filter(process -> process.outcome != null)
                    .min(Comparator.comparing((Background process) -> process.startedAt));
            if (oldest.isEmpty()) {
                return; // all running: MAX_RUNNING keeps that below MAX_KEPT
            }
            processes.remove(oldest.get().id);
        }
    }

    private static String describe(ExecRequest request) {
        if (ExecRequest.MODE_ARGV.equals(request.mode()) || request.args() == null || request.args().isEmpty()) {
            return request.args() == null || request.args().isEmpty()
                    ? request.command() : request.command() + " " + String.join(" ", request.args());
        }
        return request.shellLine();
    }
}
