package dev.stacyvm.gateway.build;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.contract.api.ExecRequest;
import dev.stacyvm.contract.api.ExecResult;
import dev.stacyvm.contract.api.ExecStreamLine;
import dev.stacyvm.contract.api.SandboxView;
import dev.stacyvm.contract.event.AuditEvent;
import dev.stacyvm.contract.internal.ImageCommit;
import dev.stacyvm.contract.internal.SandboxSpec;
import dev.stacyvm.contract.time.GoDuration;
import dev.stacyvm.gateway.EnvironmentBuild;
import dev.stacyvm.gateway.config.GatewayConfig;
import dev.stacyvm.gateway.service.AuditTrail;
import dev.stacyvm.gateway.service.InternalServices;
import dev.stacyvm.gateway.service.WorkerStreams;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs builds (docs/images.md, Builds): each in its own build sandbox, created through the
 * scheduler like any sandbox of its owner (so the owner's quota, placement and every containment
 * hold), its steps run as execs and archive uploads through the worker, then the sandbox committed
 * into the build's image and destroyed. The build's record carries its state and log; a build a
 * gateway stopped running (it died) is failed by any gateway's {@link #failAbandoned} sweep.
 */
@ApplicationScoped
public class BuildRunner {

    /** Builds not touched for this long belong to a gateway that is gone. */
    static final Duration ABANDONED_AFTER = Duration.ofMinutes(2);
    /** How often a running build's log is written: each write rewrites the row, so never per line. */
    private static final Duration LOG_FLUSH = Duration.ofSeconds(1);
    /** ... and once the log is past this many characters, less often: the row is large to rewrite. */
    private static final int LARGE_LOG = 64 * 1024;
    private static final Duration LARGE_LOG_FLUSH = Duration.ofSeconds(5);

    @Inject
    GatewayConfig config;

    @Inject
    InternalServices services;

    @Inject
    WorkerStreams streams;

    @Inject
    AuditTrail audit;

    @Inject
    ObjectMapper json;

    private volatile ThreadPoolExecutor executor;
    /** The builds this gateway holds, queued or running: {@link #touch} keeps them fresh. */
    private final Set<String> held = ConcurrentHashMap.newKeySet();

    /**
     * A build to run: its record's id, the image it makes, its plan, its sandbox's resolved spec
     * (already {@code builder}), its context (null without one; the runner closes it), who asked,
     * and for a Dockerfile build its text and build args, planned again over the base image's
     * environment once the build sandbox runs (null for a spec's).
     */
    public record Job(String buildId, String image, BuildPlan plan, SandboxSpec sandbox, BuildContext context,
                      AuditTrail.Origin origin, String dockerfile, Map<String, String> buildArgs) {
    }

    private ThreadPoolExecutor executor() {
        if (executor == null) {
            synchronized (this) {
                if (executor == null) {
                    var builds = config.builds();
                    executor = new ThreadPoolExecutor(builds.concurrency(), builds.concurrency(), 0, TimeUnit.SECONDS,
                            new LinkedBlockingQueue<>(builds.maxQueued()),
                            Thread.ofPlatform().name("build-", 0).daemon().factory());
                }
            }
        }
        return executor;
    }

    /**
     * Queues a build.
     *
     * @throws ApiException {@code capacity_exhausted} when {@code builds.max-queued} builds already wait
     */
    public void submit(Job job) {
        held.add(job.buildId());
        try {
            executor().execute(() -> run(job));
        } catch (RejectedExecutionException full) {
            held.remove(job.buildId());
            closeQuietly(job.context());
            throw new ApiException(ErrorCode.CAPACITY_EXHAUSTED, "too many builds are waiting; try again later");
        }
    }

    /** Destroys a build's sandbox (a cancel), if it has one; a failure leaves it to its TTL. */
    void stopSandbox(String sandboxId) {
        if (sandboxId == null) {
            return;
        }
        try {
            services.scheduler().destroy(sandboxId);
        } catch (RuntimeException failed) {
            Log.warnf("could not destroy build sandbox %s: %s", sandboxId, failed.getMessage());
        }
    }

    private void run(Job job) {
        Instant deadline = Instant.now().plus(config.builds().timeout());
        BuildLog log = new BuildLog(job.buildId());
        String sandboxId = null;
        try (BuildContext context = job.context()) {
            if (!begin(job.buildId())) {
                return; // canceled while it waited
            }
            log.line("building " + job.image() + " from " + job.plan().from());
            step(job.buildId(), "creating the build sandbox");
            SandboxView sandbox;
            try {
                sandbox = services.scheduler().create(job.sandbox());
            } catch (ApiException refused) {
                throw new BuildFailure("the build sandbox could not be created: " + refused.code().wireName() + ": "
                        + refused.getMessage());
            }
            sandboxId = sandbox.id();
            String workerId = sandbox.workerId();
            audit.record(job.origin(), "sandbox.create", sandboxId, job.sandbox().ownerId(), workerId, AuditEvent.SUCCESS,
                    "build " + job.buildId() + "'s sandbox, image " + job.plan().from() + " as root");
            recordSandbox(job.buildId(), sandboxId, workerId);
            log.line("build sandbox " + sandboxId + " on worker " + workerId);
            BuildPlan plan = job.dockerfile() == null ? job.plan() : overBase(job, sandboxId, workerId);
            for (BuildPlan.Step step : plan.steps()) {
                if (canceled(job.buildId())) {
                    return;
                }
                String what = (step.line() > 0 ? "line " + step.line() + ": " : "") + step.describe();
                step(job.buildId(), step.describe());
                log.line("==> " + what);
                Duration left = Duration.between(Instant.now(), deadline);
                if (left.isNegative() || left.isZero()) {
                    throw new BuildFailure("the build took longer than " + config.builds().timeout()
                            + " (stacyvm.gateway.builds.timeout)");
                }
                switch (step) {
                    case BuildPlan.Run run -> run(job.buildId(), sandboxId, workerId, run, left, log);
                    case BuildPlan.Workdir workdir -> shell(sandboxId, workerId, List.of("mkdir", "-p", "--", workdir.path()));
                    case BuildPlan.Copy copy -> copy(job.buildId(), sandboxId, workerId, copy, context, deadline, log);
                }
            }
            if (canceled(job.buildId())) {
                return;
            }
            step(job.buildId(), "committing the image");
            log.line("==> committing " + job.image());
            BuildPlan.ImageChanges changes = plan.image();
            ImageCommit.Result made = services.worker(workerId, Duration.ofMinutes(10)).commit(sandboxId,
                    new ImageCommit(job.image(), job.plan().from(), changes.env(), changes.cmd(), changes.entrypoint(),
                            changes.workdir(), changes.user(), changes.exposedPorts(), changes.labels()));
            log.line("built " + made.image() + " (" + made.digest() + ", " + made.sizeBytes() + " bytes)");
            log.flush();
            if (!finish(job, EnvironmentBuild.READY, null, made, workerId)) {
                // canceled while it committed: the image is nobody's, so it goes
                removeImage(workerId, made.image());
            }
        } catch (BuildFailure failed) {
            log.line("build failed: " + failed.getMessage());
            log.flush();
            finish(job, EnvironmentBuild.FAILED, failed.getMessage(), null, null);
        } catch (IOException | RuntimeException failed) {
            // a step ended by a cancel (the sandbox destroyed under it) is the cancel, not a failure
            if (canceled(job.buildId())) {
                log.flush();
                return;
            }
            String why = failed instanceof ApiException api ? api.code().wireName() + ": " + api.getMessage()
                    : "the build failed: " + failed.getMessage();
            Log.warnf(failed instanceof ApiException ? null : failed, "build %s failed: %s", job.buildId(), why);
            log.line("build failed: " + why);
            log.flush();
            finish(job, EnvironmentBuild.FAILED, why, null, null);
        } finally {
            held.remove(job.buildId());
            if (sandboxId != null) {
                stopSandbox(sandboxId);
                audit.record(job.origin(), "sandbox.destroy", sandboxId, job.sandbox().ownerId(), null, AuditEvent.SUCCESS,
                        "build " + job.buildId() + " ended");
            }
        }
    }

    /**
     * The Dockerfile planned again over the base image's environment and working directory, as
     * Docker's builder substitutes {@code $PATH} and resolves relative paths.
     */
    private BuildPlan overBase(Job job, String sandboxId, String workerId) {
        ImageCommit.Base base = services.worker(workerId, Duration.ofSeconds(30)).imageConfig(sandboxId);
        Map<String, String> env = new LinkedHashMap<>();
        for (String entry : base.env() == null ? List.<String>of() : base.env()) {
            int equals = entry.indexOf('=');
            if (equals > 0) {
                env.put(entry.substring(0, equals), entry.substring(equals + 1));
            }
        }
        try {
            return Dockerfile.plan(job.dockerfile(), job.buildArgs(), new Dockerfile.BaseImage(env, base.workdir()));
        } catch (Dockerfile.DockerfileException refused) {
            throw new BuildFailure(refused.getMessage());
        }
    }

    private void run(String buildId, String sandboxId, String workerId, BuildPlan.Run run, Duration left, BuildLog log)
            throws IOException {
        ExecRequest request = new ExecRequest(run.argv().get(0), run.argv().subList(1, run.argv().size()),
                ExecRequest.MODE_ARGV, run.env(), run.workdir(), GoDuration.format(left), true);
        ExecStreamLine exit = null;
        try (InputStream upstream = streams.postJson(services.workerEndpoint(workerId),
                "/internal/sandboxes/" + sandboxId + "/exec/stream", request);
             BufferedReader lines = new BufferedReader(new InputStreamReader(upstream, StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                if (line.isBlank()) {
                    // the worker's keepalive: a chance to notice a cancel while the step is silent
                    if (canceled(buildId)) {
                        return;
                    }
                    continue;
                }
                ExecStreamLine parsed;
                try {
                    parsed = json.readValue(line, ExecStreamLine.class);
                } catch (JsonProcessingException unparsable) {
                    continue;
                }
                if (parsed.exitCode() != null) {
                    exit = parsed;
                } else if (parsed.data() != null) {
                    log.append(parsed.data());
                }
            }
        }
        log.flush();
        if (exit == null) {
            if (canceled(buildId)) {
                return;
            }
            throw new BuildFailure(run.describe() + " ended without an exit status");
        }
        if (Boolean.TRUE.equals(exit.timedOut())) {
            throw new BuildFailure("the build took longer than " + config.builds().timeout()
                    + " (stacyvm.gateway.builds.timeout), in " + run.describe());
        }
        if (exit.exitCode() != 0) {
            throw new BuildFailure(describeFailed(run) + " exited with " + exit.exitCode());
        }
    }

    private static String describeFailed(BuildPlan.Run run) {
        String what = run.describe();
        return (run.line() > 0 ? "line " + run.line() + ": " : "") + (what.length() > 200 ? what.substring(0, 200) + "..." : what);
    }

    private void copy(String buildId, String sandboxId, String workerId, BuildPlan.Copy copy, BuildContext context,
            Instant deadline, BuildLog log) throws IOException {
        int uid = 0;
        int gid = 0;
        if (copy.owner() != null) {
            String[] parts = copy.owner().split(":", 2);
            uid = id(sandboxId, workerId, parts[0], false, copy);
            // a user alone: its number as the group's too, as Docker's builder does
            gid = parts.length > 1 ? id(sandboxId, workerId, parts[1], true, copy) : uid;
        }
        BuildContext.Selection selection;
        try {
            selection = context.select(copy.sources(), copy.destination(), uid, gid,
                    () -> Instant.now().isAfter(deadline) || canceled(buildId));
        } catch (BuildContext.ContextException refused) {
            throw new BuildFailure("line " + copy.line() + ": " + refused.getMessage());
        }
        try {
            shell(sandboxId, workerId, List.of("mkdir", "-p", "--", selection.directory()));
            try (InputStream tar = Files.newInputStream(selection.tar());
                 InputStream answer = streams.put(services.workerEndpoint(workerId), "/internal/sandboxes/" + sandboxId
                         + "/files/archive?" + WorkerStreams.query("path", selection.directory()), "application/x-tar", tar)) {
                answer.transferTo(java.io.OutputStream.nullOutputStream());
            }
            log.line(selection.entries() + " entries into " + selection.directory());
        } finally {
            Files.deleteIfExists(selection.tar());
        }
    }

    /** A user or group as a number: numeric as it is, a name as the build sandbox's passwd or group file says. */
    private int id(String sandboxId, String workerId, String name, boolean group, BuildPlan.Copy copy) {
        if (name.matches("[0-9]{1,9}")) {
            return Integer.parseInt(name);
        }
        if (!name.matches("[a-z_][a-z0-9_.-]{0,31}")) {
            throw new BuildFailure("line " + copy.line() + ": --chown names \"" + name + "\", not a user or group");
        }
        ExecResult found = shell(sandboxId, workerId, group ? List.of("getent", "group", name) : List.of("id", "-u", name),
                false);
        String out = found.stdout() == null ? "" : found.stdout().trim();
        String number = group ? (out.split(":").length > 2 ? out.split(":")[2] : "") : out;
        if (found.exitCode() != 0 || !number.matches("[0-9]{1,9}")) {
            throw new BuildFailure("line " + copy.line() + ": --chown: the image has no " + (group ? "group " : "user ")
                    + name);
        }
        return Integer.parseInt(number);
    }

    private void shell(String sandboxId, String workerId, List<String> argv) {
        shell(sandboxId, workerId, argv, true);
    }

    private ExecResult shell(String sandboxId, String workerId, List<String> argv, boolean mustSucceed) {
        ExecResult result = services.worker(workerId, Duration.ofSeconds(90)).exec(sandboxId, new ExecRequest(argv.get(0),
                argv.subList(1, argv.size()), ExecRequest.MODE_ARGV, null, "/", "60s", false));
        if (mustSucceed && result.exitCode() != 0) {
            throw new BuildFailure(String.join(" ", argv) + " failed: " + (result.stderr() == null ? "" : result.stderr().trim()));
        }
        return result;
    }

    // ---- the record

    /** Marks the build building; false when it was canceled while it waited. */
    private boolean begin(String buildId) {
        return QuarkusTransaction.requiringNew().call(() -> {
            EnvironmentBuild build = EnvironmentBuild.findById(buildId, LockModeType.PESSIMISTIC_WRITE);
            if (build == null || build.finished()) {
                return false;
            }
            build.status = EnvironmentBuild.BUILDING;
            build.startedAt = now();
            build.updatedAt = build.startedAt;
            return true;
        });
    }

    private void step(String buildId, String step) {
        QuarkusTransaction.requiringNew().run(() -> {
            EnvironmentBuild build = EnvironmentBuild.findById(buildId);
            if (build != null && !build.finished()) {
                build.currentStep = step.length() > 500 ? step.substring(0, 500) + "..." : step;
                build.updatedAt = now();
            }
        });
    }

    private void recordSandbox(String buildId, String sandboxId, String workerId) {
        boolean canceled = QuarkusTransaction.requiringNew().call(() -> {
            EnvironmentBuild build = EnvironmentBuild.findById(buildId, LockModeType.PESSIMISTIC_WRITE);
            build.sandboxId = sandboxId;
            build.workerId = workerId;
            build.updatedAt = now();
            return build.finished();
        });
        if (canceled) {
            // a cancel that came before the sandbox was known: it could not destroy it
            stopSandbox(sandboxId);
        }
    }

    private boolean canceled(String buildId) {
        return QuarkusTransaction.requiringNew().call(() -> {
            EnvironmentBuild build = EnvironmentBuild.findById(buildId);
            return build == null || build.cancelRequested || build.finished();
        });
    }

    /** Removes a build's image from its worker; one that cannot go is left to garbage collection. */
    void removeImage(String workerId, String image) {
        try {
            services.worker(workerId, Duration.ofSeconds(60)).removeImage(image);
        } catch (RuntimeException failed) {
            Log.warnf("could not remove build image %s from worker %s: %s", image, workerId, failed.getMessage());
        }
    }

    /**
     * Ends the build as {@code status} unless a cancel ended it first, and records the audit event;
     * whether it ended it.
     */
    private boolean finish(Job job, String status, String error, ImageCommit.Result made, String workerId) {
        boolean ended = QuarkusTransaction.requiringNew().call(() -> {
            EnvironmentBuild build = EnvironmentBuild.findById(job.buildId(), LockModeType.PESSIMISTIC_WRITE);
            if (build == null || build.finished()) {
                return false;
            }
            build.status = status;
            build.currentStep = status;
            build.error = error;
            if (made != null) {
                build.digest = made.digest();
                build.imageSizeBytes = made.sizeBytes();
                build.workerId = workerId;
            }
            build.finishedAt = now();
            build.updatedAt = build.finishedAt;
            return true;
        });
        if (ended) {
            audit.recordTarget(job.origin(), "build.finish", null, job.sandbox().ownerId(), job.buildId(),
                    made != null ? AuditEvent.SUCCESS : AuditEvent.FAILURE,
                    made != null ? "built " + job.image() : error);
        }
        return ended;
    }

    /** Keeps the records of the builds this gateway holds fresh, so no sweep takes them for abandoned. */
    @Scheduled(every = "15s", delayed = "15s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void touch() {
        if (held.isEmpty()) {
            return;
        }
        List<String> ids = new ArrayList<>(held);
        QuarkusTransaction.requiringNew().run(() -> EnvironmentBuild.update(
                "updatedAt = ?1 where id in ?2 and status in ?3", now(), ids,
                List.of(EnvironmentBuild.QUEUED, EnvironmentBuild.BUILDING)));
    }

    /**
     * Fails builds left queued or building by a gateway that stopped (their records went stale),
     * destroying their sandboxes.
     */
    @Scheduled(every = "60s", delayed = "30s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void failAbandoned() {
        Instant stale = Instant.now().minus(ABANDONED_AFTER);
        List<String> sandboxes = QuarkusTransaction.requiringNew().call(() -> {
            List<EnvironmentBuild> abandoned = EnvironmentBuild.list("status in ?1 and updatedAt < ?2",
                    List.of(EnvironmentBuild.QUEUED, EnvironmentBuild.BUILDING), stale);
            List<String> ids = new ArrayList<>();
            for (EnvironmentBuild build : abandoned) {
                if (held.contains(build.id)) {
                    continue;
                }
                build.status = EnvironmentBuild.FAILED;
                build.currentStep = EnvironmentBuild.FAILED;
                build.error = "the gateway running the build stopped";
                build.finishedAt = now();
                build.updatedAt = build.finishedAt;
                if (build.sandboxId != null) {
                    ids.add(build.sandboxId);
                }
            }
            return ids;
        });
        sandboxes.forEach(this::stopSandbox);
    }

    @PreDestroy
    void stop() {
        ExecutorService running = executor;
        if (running != null) {
            running.shutdownNow();
        }
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    private static void closeQuietly(BuildContext context) {
        if (context != null) {
            try {
                context.close();
            } catch (IOException ignored) {
                // a temporary file
            }
        }
    }

    /** A step that failed the build: its message is the build's error, as the user reads it. */
    static final class BuildFailure extends RuntimeException {

        BuildFailure(String message) {
            super(message);
        }
    }

    /**
     * The build's log: text gathered and written to its record at most every {@link #LOG_FLUSH},
     * the record keeping the newest {@code builds.max-log-bytes}.
     */
    final class BuildLog {

        private final String buildId;
        private final StringBuilder pending = new StringBuilder();
        private Instant flushed = Instant.now();
        /** Characters of output dropped before they were written (past the log's size between writes). */
        private long droppedPending;
        /** Characters written so far. */
        private long written;

        BuildLog(String buildId) {
            this.buildId = buildId;
        }

        void line(String text) {
            append(text.endsWith("\n") ? text : text + "\n");
            flush();
        }

        void append(String text) {
            // PostgreSQL's text holds no NUL: a program's stray one is shown as U+FFFD
            pending.append(text.indexOf('\0') >= 0 ? text.replace('\0', '\uFFFD') : text);
            int max = config.builds().maxLogBytes();
            if (pending.length() > max) {
                // only the newest fits the log anyway: the rest is counted as dropped when written
                droppedPending += pending.length() - max;
                pending.delete(0, pending.length() - max);
            }
            Duration every = written > LARGE_LOG ? LARGE_LOG_FLUSH : LOG_FLUSH;
            if (Duration.between(flushed, Instant.now()).compareTo(every) > 0) {
                flush();
            }
        }

        void flush() {
            flushed = Instant.now();
            if (pending.isEmpty()) {
                return;
            }
            String text = pending.toString();
            long skipped = droppedPending;
            pending.setLength(0);
            droppedPending = 0;
            written += text.length();
            int max = config.builds().maxLogBytes();
            QuarkusTransaction.requiringNew().run(() -> {
                EnvironmentBuild build = EnvironmentBuild.findById(buildId, LockModeType.PESSIMISTIC_WRITE);
                if (build == null) {
                    return;
                }
                String log = build.log + text;
                if (skipped > 0) {
                    // output was dropped between the row's log and this text: the row's is older still
                    build.logDropped += build.log.length() + skipped;
                    log = text;
                }
                if (log.length() > max) {
                    int drop = log.length() - max;
                    build.logDropped += drop;
                    log = log.substring(drop);
                }
                build.log = log;
                build.updatedAt = now();
            });
        }
    }
}
