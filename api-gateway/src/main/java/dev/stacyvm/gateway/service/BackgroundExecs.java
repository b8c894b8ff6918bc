package dev.stacyvm.gateway.service;

import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.BackgroundOutput;
import dev.stacyvm.contract.api.BackgroundProcess;
import dev.stacyvm.contract.api.ExecRequest;
import dev.stacyvm.contract.api.SandboxView;
import dev.stacyvm.contract.time.GoDuration;
import dev.stacyvm.gateway.auth.CallerContext;
import dev.stacyvm.gateway.auth.CredentialSessions;
import dev.stacyvm.gateway.config.GatewayConfig;
import dev.stacyvm.gateway.quota.Quotas;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;

/**
 * Commands started with {@code background: true} on {@code POST /sandboxes/{id}/exec}, and the
 * routes under {@code /sandboxes/{id}/exec/background}: who may see the sandbox decides who may
 * see its processes; starting one is audited as {@code sandbox.exec}, signalling or killing one as
 * {@code sandbox.process.signal}. The worker holds the processes and their output.
 */
@ApplicationScoped
public class BackgroundExecs {

    private static final Duration WORKER_TIMEOUT = Duration.ofSeconds(30);

    @Inject
    SandboxGateway sandboxes;

    @Inject
    InternalServices services;

    @Inject
    WorkerStreams streams;

    @Inject
    AuditTrail audit;

    @Inject
    Quotas quotas;

    @Inject
    GatewayConfig config;

    @Inject
    CallerContext caller;

    @Inject
    CredentialSessions sessions;

    /**
     * Starts the command detached: checked as an exec is (a command, a running sandbox the caller
     * may see, a timeout, when given, within the owner's {@code max_exec_timeout}).
     *
     * @throws ApiException {@code bad_request} (also with {@code stream: true}), {@code not_found},
     *                      {@code conflict}, {@code resource_limit} (16 running already, or the timeout)
     */
    public BackgroundProcess start(String id, ExecRequest request) {
        if (request.command() == null || request.command().isEmpty()) {
            throw ApiException.badRequest("command is required");
        }
        if (Boolean.TRUE.equals(request.stream())) {
            throw ApiException.badRequest("background and stream exclude each other: follow a background process's "
                    + "output at /sandboxes/{id}/exec/background/{process_id}/output?follow=true");
        }
        SandboxView sandbox = sandboxes.runningForCommand(id);
        String timeout = request.timeout() == null || request.timeout().isBlank() ? null
                : GoDuration.format(ExecTimeouts.of(request.timeout(), config.exec().defaultTimeout(),
                        quotas.of(sandbox.ownerId()).maxExecTimeout()));
        ExecRequest bounded = new ExecRequest(request.command(), request.args(), request.mode(), request.env(),
                request.workdir(), timeout, null, true);
        return audit.around(SandboxGateway.EXEC, sandbox, sandbox.ownerId(),
                () -> services.worker(sandbox.workerId(), WORKER_TIMEOUT).startBackground(id, bounded),
                started -> "background process " + started.id() + " started: " + started.command());
    }

    public List<BackgroundProcess> list(String id) {
        SandboxView sandbox = sandboxes.get(id);
        return services.worker(sandbox.workerId(), WORKER_TIMEOUT).backgroundProcesses(id);
    }

    /** @throws ApiException {@code not_found} for a process the sandbox does not have */
    public BackgroundProcess get(String id, String processId) {
        SandboxView sandbox = sandboxes.get(id);
        return services.worker(sandbox.workerId(), WORKER_TIMEOUT).backgroundProcess(id, valid(id, processId));
    }

    /** Its output from byte {@code since} on (the buffer keeps the last 256 KiB). */
    public BackgroundOutput output(String id, String processId, long since) {
        SandboxView sandbox = sandboxes.get(id);
        return services.worker(sandbox.workerId(), WORKER_TIMEOUT).backgroundOutput(id, valid(id, processId), Math.max(0, since));
    }

    /**
     * Its output from byte {@code since} on, then live, as NDJSON ({@code ExecStreamLine}s, the
     * exit line last once it ends), streamed through from the worker; leaving stops only the reading.
     */
    public StreamingOutput follow(String id, String processId, long since) {
        SandboxView sandbox = sandboxes.get(id);
        InputStream body = streams.get(services.workerEndpoint(sandbox.workerId()), "/internal/sandboxes/" + id
                + "/background/" + valid(id, processId) + "/output/stream?since=" + Math.max(0, since));
        String apiKeyId = caller.apiKeyId();
        java.time.Instant validUntil = caller.validUntil();
        return output -> {
            // a key revoked (a token expired) meanwhile cuts the following (the process runs on)
            try (body; CredentialSessions.Registration held = sessions.hold(apiKeyId, validUntil, () -> close(body))) {
                byte[] buffer = new byte[8192];
                for (int n; (n = body.read(buffer)) >= 0; ) {
                    output.write(buffer, 0, n);
                    output.flush();
                }
                if (held.revoked()) {
                    throw new dev.stacyvm.gateway.auth.CredentialEndedException(
                            "the credential that opened this stream was revoked or expired");
                }
            }
        };
    }

    private static void close(InputStream body) {
        try {
            body.close();
        } catch (java.io.IOException ignored) {
            // the worker's connection is dropped either way
        }
    }

    /** Sends {@code signal} (TERM unless named) to the process's command, audited. */
    public BackgroundProcess signal(String id, String processId, String signal) {
        SandboxView sandbox = sandboxes.get(id);
        String name = signal == null || signal.isBlank() ? "TERM" : signal;
        return audit.around(SandboxGateway.SIGNAL_PROCESS, sandbox, sandbox.ownerId(),
                () -> services.worker(sandbox.workerId(), WORKER_TIMEOUT).signalBackground(id, valid(id, processId), name),
                signalled -> "signal " + name + " to background process " + processId);
    }

    /** A process id as the worker makes them ({@code bg-} and 12 hex digits); any other is not there. */
    private static String valid(String id, String processId) {
        if (processId == null || !processId.matches("bg-[0-9a-f]{12}")) {
            throw new ApiException(dev.stacyvm.contract.api.ErrorCode.NOT_FOUND, "no background process " + processId
                    + " in sandbox " + id);
        }
        return processId;
    }

    /** Kills the process with everything it started and forgets it, audited. */
    public void kill(String id, String processId) {
        SandboxView sandbox = sandboxes.get(id);
        audit.around(SandboxGateway.SIGNAL_PROCESS, sandbox, sandbox.ownerId(), () -> {
            services.worker(sandbox.workerId(), WORKER_TIMEOUT).killBackground(id, valid(id, processId));
            return processId;
        }, killed -> "killed background process " + killed);
    }
}
