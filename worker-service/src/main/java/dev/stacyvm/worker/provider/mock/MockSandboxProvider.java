package dev.stacyvm.worker.provider.mock;

import dev.stacyvm.contract.api.NetworkPolicy;
import dev.stacyvm.contract.api.SandboxStats;
import dev.stacyvm.contract.internal.ImageCommit;
import dev.stacyvm.contract.internal.RuntimeHandle;
import dev.stacyvm.contract.internal.RuntimeSpec;
import dev.stacyvm.contract.internal.RuntimeStatus;
import dev.stacyvm.worker.error.InvalidRequestException;
import dev.stacyvm.worker.error.NoSuchProcessException;
import dev.stacyvm.worker.error.RuntimeNotFoundException;
import dev.stacyvm.worker.error.WorkerUnavailableException;
import dev.stacyvm.worker.provider.CommandResult;
import dev.stacyvm.worker.provider.ExecCommand;
import dev.stacyvm.worker.provider.ExecOutcome;
import dev.stacyvm.worker.provider.ExecOutputSink;
import dev.stacyvm.worker.provider.InteractiveExec;
import dev.stacyvm.worker.provider.LogTail;
import dev.stacyvm.worker.provider.ProviderCapabilities;
import dev.stacyvm.worker.provider.SandboxProvider;
import dev.stacyvm.worker.provider.TerminalSize;
import dev.stacyvm.worker.provider.docker.HardenedContainers;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code mock} provider (docs/providers.md): sandboxes held in the worker's memory, for demos
 * and client tests on a host without a container engine. Nothing runs: a sandbox is a file tree
 * ({@link MemoryFiles}, at most {@link #MAX_FILE_BYTES} or its {@code disk_mb}, whichever is less)
 * and commands are the few built-ins of {@link MockShell}, each ended by its timeout, its exec's
 * close or its sandbox's destroy. A worker holds at most {@link #MAX_SANDBOXES} of them. It is
 * never a worker's first provider unless it is the only one, and placement gives it only to a
 * create that names it. A worker restart loses its sandboxes, which the scheduler's reconciliation
 * then ends.
 */
@ApplicationScoped
@Identifier(MockSandboxProvider.NAME)
public class MockSandboxProvider implements SandboxProvider {

    public static final String NAME = dev.stacyvm.contract.internal.SandboxSpec.MOCK_PROVIDER;

    /** The most one mock sandbox's files may hold, in bytes (their entries counted too): the worker's heap holds them. */
    static final long MAX_FILE_BYTES = 4L * 1024 * 1024;

    /**
     * The most mock sandboxes one worker holds: with {@link #MAX_FILE_BYTES} each, 64 MiB of the
     * worker's heap at most, whatever its sandbox capacity.
     */
    static final int MAX_SANDBOXES = 16;

    static final String WORKSPACE = "/workspace";

    private static final List<String> CAPABILITIES = List.of(ProviderCapabilities.EXEC, ProviderCapabilities.EXEC_TIMEOUT,
            ProviderCapabilities.FILES, ProviderCapabilities.TERMINAL, ProviderCapabilities.LOGS);

    /** One mock sandbox: what it was created with, its files, its log. */
    private record MockSandbox(RuntimeSpec spec, String runtimeId, String workerId, MemoryFiles files, List<String> log,
                               java.util.concurrent.atomic.AtomicBoolean gone) {
    }

    private final Map<String, MockSandbox> sandboxes = new ConcurrentHashMap<>();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public synchronized RuntimeHandle create(RuntimeSpec spec, String workerId) {
        if (spec.env() != null && MockShell.envChars(spec.env()) > MockShell.MAX_ENV_CHARS / 2) {
            throw new InvalidRequestException("the mock provider keeps at most " + MockShell.MAX_ENV_CHARS / 2
                    + " characters of a sandbox's environment");
        }
        if (!sandboxes.containsKey(spec.sandboxId()) && sandboxes.size() >= MAX_SANDBOXES) {
            throw new WorkerUnavailableException("the mock provider holds at most " + MAX_SANDBOXES
                    + " sandboxes on a worker (its files are in the worker's memory)");
        }
        MockSandbox sandbox = sandboxes.computeIfAbsent(spec.sandboxId(), id -> {
            long limit = spec.diskMb() > 0 ? Math.min(MAX_FILE_BYTES, spec.diskMb() * 1024L * 1024) : MAX_FILE_BYTES;
            List<String> log = new ArrayList<>();
            log.add("mock sandbox " + id + " started from " + spec.image() + " (nothing runs: docs/providers.md)");
            return new MockSandbox(spec, "mock-" + id, workerId, new MemoryFiles(limit, List.of("/tmp", WORKSPACE)),
                    java.util.Collections.synchronizedList(log), new java.util.concurrent.atomic.AtomicBoolean());
        });
        return new RuntimeHandle(spec.sandboxId(), sandbox.runtimeId(), workerId, Map.of(), null, null);
    }

    @Override
    public boolean holds(String sandboxId) {
        return sandboxes.containsKey(sandboxId);
    }

    @Override
    public synchronized void destroy(String sandboxId) {
        MockSandbox gone = sandboxes.remove(sandboxId);
        if (gone != null) {
            gone.gone().set(true); // every command still running in it ends
        }
    }

    @Override
    public ExecOutcome exec(String sandboxId, ExecCommand command, ExecOutputSink sink) {
        MockSandbox sandbox = sandbox(sandboxId);
        if (command.workdir() != null) {
            requireWorkdir(sandboxId, command.workdir());
        }
        long started = System.nanoTime();
        MockShell shell = new MockShell(sandbox.files(), env(sandbox, command), workdir(command),
                MockShell.deadline(command.timeout()), sandbox.gone()::get, null);
        int status;
        boolean timedOut = false;
        boolean abandoned = false;
        try {
            status = shell.run(command.argv(), null,
                    (stream, bytes) -> sink.accept(stream, new String(bytes, StandardCharsets.UTF_8)));
        } catch (MockShell.TimedOut late) {
            status = MockShell.KILLED;
            timedOut = true;
        } catch (MockShell.Ended stopped) {
            status = MockShell.KILLED; // its sandbox was destroyed
        } catch (IOException receiverGone) {
            status = MockShell.KILLED;
            abandoned = true;
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            status = MockShell.KILLED;
            abandoned = true;
        }
        return new ExecOutcome(status, Duration.ofNanos(System.nanoTime() - started), timedOut, abandoned);
    }

    @Override
    public InteractiveExec openInteractive(String sandboxId, ExecCommand command, TerminalSize terminal) {
        MockSandbox sandbox = sandbox(sandboxId);
        if (command.workdir() != null) {
            requireWorkdir(sandboxId, command.workdir());
        }
        return new MockInteractiveExec(sandbox.files(), command, env(sandbox, command), workdir(command), terminal,
                sandbox.gone()::get);
    }

    /**
     * Answers the agent's {@code files} operations from the sandbox's {@link MemoryFiles} (archives,
     * directories as tar, are not offered) and runs any other helper as {@link MockShell} does.
     */
    @Override
    public CommandResult run(String sandboxId, List<String> argv, InputStream input, OutputStream output, Duration timeout) {
        MockSandbox sandbox = sandbox(sandboxId);
        if (argv.size() >= 3 && argv.get(0).equals(HardenedContainers.AGENT_PATH) && argv.get(1).equals("files")) {
            if (argv.get(2).startsWith("archive-")) {
                throw new InvalidRequestException("the mock provider does not archive directories (docs/providers.md)");
            }
            return sandbox.files().run(argv.get(2), argv.subList(3, argv.size()), input, output);
        }
        java.io.ByteArrayOutputStream stderr = new java.io.ByteArrayOutputStream();
        MockShell shell = new MockShell(sandbox.files(), env(sandbox, null), WORKSPACE, MockShell.deadline(timeout),
                sandbox.gone()::get, null);
        int status;
        try {
            status = shell.run(argv, input, (stream, bytes) -> {
                if (stream.equals(ExecOutputSink.STDOUT) && output != null) {
                    output.write(bytes);
                } else if (stream.equals(ExecOutputSink.STDERR) && stderr.size() < 64 * 1024) {
                    stderr.write(bytes);
                }
            });
        } catch (MockShell.Ended late) {
            status = MockShell.KILLED;
        } catch (IOException receiverGone) {
            throw new java.io.UncheckedIOException(receiverGone);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            status = MockShell.KILLED;
        }
        return new CommandResult(status, stderr.toString(StandardCharsets.UTF_8).strip());
    }

    @Override
    public void requireRunning(String sandboxId) {
        sandbox(sandboxId);
    }

    @Override
    public void requireWorkdir(String sandboxId, String workdir) {
        String normalized;
        try {
            normalized = MockShell.normalize(workdir);
        } catch (RuntimeException tooLong) {
            throw new InvalidRequestException("workdir is too long");
        }
        if (!sandbox(sandboxId).files().isDirectory(normalized)) {
            throw new InvalidRequestException("workdir " + workdir + " does not exist or is not a directory");
        }
    }

    @Override
    public LogTail.Result logs(String sandboxId, int lines, int maxBytes) {
        LogTail tail = new LogTail(maxBytes);
        List<String> log = sandbox(sandboxId).log();
        synchronized (log) {
            for (String line : log.subList(Math.max(0, log.size() - lines), log.size())) {
                tail.accept((line + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        return tail.finish();
    }

    @Override
    public long diskUsedBytes(String sandboxId) {
        return sandbox(sandboxId).files().usedBytes();
    }

    @Override
    public SandboxStats stats(String sandboxId) {
        MockSandbox sandbox = sandbox(sandboxId);
        RuntimeSpec spec = sandbox.spec();
        return new SandboxStats(sandboxId, Instant.now(), 0.0, spec.vcpus(), sandbox.files().usedBytes(),
                spec.memoryMb() * 1024L * 1024, 0, null, 0, spec.pidsLimit(), 0, 0);
    }

    @Override
    public void applyNetworkPolicy(String sandboxId, NetworkPolicy policy) {
        sandbox(sandboxId); // a mock sandbox has no network: every policy holds
    }

    @Override
    public String processes(String sandboxId) {
        sandbox(sandboxId);
        return "{\"processes\": [], \"truncated\": false}";
    }

    @Override
    public void signal(String sandboxId, int pid, String signal) {
        sandbox(sandboxId);
        throw new NoSuchProcessException(pid, sandboxId);
    }

    @Override
    public ImageCommit.Result commit(String sandboxId, ImageCommit commit) {
        sandbox(sandboxId);
        throw new InvalidRequestException("the mock provider builds no images");
    }

    @Override
    public ImageCommit.Base imageConfig(String sandboxId) {
        sandbox(sandboxId);
        throw new InvalidRequestException("the mock provider builds no images");
    }

    @Override
    public List<RuntimeStatus> runtimes(String workerId) {
        List<RuntimeStatus> runtimes = new ArrayList<>();
        sandboxes.forEach((id, sandbox) -> {
            if (workerId.equals(sandbox.workerId())) {
                runtimes.add(new RuntimeStatus(id, sandbox.runtimeId(), true, "running"));
            }
        });
        return runtimes;
    }

    @Override
    public boolean healthy() {
        return true;
    }

    @Override
    public List<String> capabilities() {
        return CAPABILITIES;
    }

    /** None: a mock sandbox runs under no OCI runtime (placement then treats the worker as runc's). */
    @Override
    public List<String> ociRuntimes() {
        return List.of();
    }

    /** None: a mock sandbox runs on no engine, so its certification holds for the host alone. */
    @Override
    public String engineVersion() {
        return dev.stacyvm.contract.certification.HostFingerprint.NO_ENGINE;
    }

    private MockSandbox sandbox(String sandboxId) {
        MockSandbox sandbox = sandboxes.get(sandboxId);
        if (sandbox == null) {
            throw new RuntimeNotFoundException(sandboxId);
        }
        return sandbox;
    }

    /**
     * The command's environment: the sandbox's with the command's over it.
     *
     * @throws InvalidRequestException past {@link MockShell#MAX_ENV_CHARS}, as execve refuses too large an environment
     */
    private static Map<String, String> env(MockSandbox sandbox, ExecCommand command) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HOME", WORKSPACE);
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        if (sandbox.spec().env() != null) {
            env.putAll(sandbox.spec().env());
        }
        if (command != null && command.env() != null) {
            env.putAll(command.env());
        }
        if (MockShell.envChars(env) > MockShell.MAX_ENV_CHARS) {
            throw new InvalidRequestException("the environment is larger than the mock provider's "
                    + MockShell.MAX_ENV_CHARS + " characters");
        }
        return env;
    }

    private static String workdir(ExecCommand command) {
        return command.workdir() == null ? WORKSPACE : command.workdir();
    }
}
