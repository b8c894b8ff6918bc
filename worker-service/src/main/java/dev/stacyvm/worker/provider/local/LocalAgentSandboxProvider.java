package dev.stacyvm.worker.provider.local;

import dev.stacyvm.contract.api.NetworkPolicy;
import dev.stacyvm.contract.internal.ImageCommit;
import dev.stacyvm.contract.internal.RuntimeStatus;
import dev.stacyvm.worker.config.WorkerConfig;
import dev.stacyvm.worker.error.InvalidRequestException;
import dev.stacyvm.worker.error.ProviderFailureException;
import dev.stacyvm.worker.error.RuntimeNotFoundException;
import dev.stacyvm.worker.error.RuntimeNotRunningException;
import dev.stacyvm.worker.provider.CommandResult;
import dev.stacyvm.worker.provider.ExecCommand;
import dev.stacyvm.worker.provider.ExecOutcome;
import dev.stacyvm.worker.provider.ExecOutputSink;
import dev.stacyvm.worker.provider.InteractiveExec;
import dev.stacyvm.worker.provider.LogTail;
import dev.stacyvm.worker.provider.ProviderCapabilities;
import dev.stacyvm.worker.provider.SandboxProvider;
import dev.stacyvm.worker.provider.TerminalSize;
import dev.stacyvm.worker.provider.agent.AgentCalls;
import dev.stacyvm.worker.provider.agent.AgentClient;
import dev.stacyvm.worker.provider.agent.AgentCommands;
import dev.stacyvm.worker.provider.agent.AgentProcess;
import dev.stacyvm.worker.provider.agent.AgentSpawn;
import dev.stacyvm.worker.provider.agent.AgentUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What the providers whose sandboxes live in a folder of the worker's and are served by their
 * agent alone share (proot, microvm): the folder holds the agent's token ({@code token}) and
 * socket ({@code run/agent.sock}); every exec, terminal, file operation, process list and signal
 * goes through the agent ({@link AgentCommands}, {@link AgentCalls}), never an engine. They make
 * no images, have no network, run no OCI runtime and offer the same capabilities; each says how a
 * sandbox is made, whether it runs, and what it uses.
 */
public abstract class LocalAgentSandboxProvider implements SandboxProvider {

    /** Where the agent is inside every sandbox. */
    public static final String AGENT_PATH = "/.stacyvm/bin/stacyvm-agent";
    /** The agent's socket in a sandbox's {@code run} folder. */
    public static final String SOCKET = "agent.sock";

    protected final WorkerConfig config;
    protected final SandboxFolders folders;
    private final AgentCommands commands;
    private final Duration handshake;

    /**
     * @param folders   the provider's sandbox folders
     * @param handshake how long a connection to the agent may take to prove itself
     */
    protected LocalAgentSandboxProvider(WorkerConfig config, SandboxFolders folders, Duration handshake) {
        this.config = config;
        this.folders = folders;
        this.handshake = handshake;
        this.commands = new AgentCommands(this::spawn, AGENT_PATH, config.execTimeoutGrace());
    }

    /**
     * The sandbox whose folder this is, from its state file.
     *
     * @throws RuntimeNotFoundException when it has none (gone meanwhile)
     */
    protected abstract LocalSandbox readSandbox(Path folder);

    /** The file {@link #logs} reads: the sandbox's main process's output. */
    protected abstract Path logFile(Path folder);

    /** Called before each connection to a running sandbox's agent (a provider may mend its link first). */
    protected void beforeConnect(String sandboxId, Path folder) {
    }

    private AgentProcess spawn(String sandboxId, AgentSpawn spawn) throws AgentUnavailableException {
        requireRunning(sandboxId);
        Path folder = folders.folder(sandboxId);
        beforeConnect(sandboxId, folder);
        String token;
        try {
            token = Files.readString(folder.resolve("token")).strip();
        } catch (IOException e) {
            throw new RuntimeNotFoundException(sandboxId);
        }
        return AgentClient.spawn(folder.resolve("run").resolve(SOCKET), token, spawn, handshake);
    }

    @Override
    public boolean holds(String sandboxId) {
        return folders.holds(sandboxId);
    }

    @Override
    public void requireRunning(String sandboxId) {
        if (!holds(sandboxId)) {
            throw new RuntimeNotFoundException(sandboxId);
        }
        Path folder = folders.folder(sandboxId);
        if (!readSandbox(folder).running(folder)) {
            throw new RuntimeNotRunningException(sandboxId);
        }
    }

    /** This worker's sandboxes of this provider, running or not (their folders stay until destroyed). */
    @Override
    public List<RuntimeStatus> runtimes(String workerId) {
        List<RuntimeStatus> found = new ArrayList<>();
        try {
            for (Path folder : folders.sandboxes()) {
                LocalSandbox sandbox;
                try {
                    sandbox = readSandbox(folder);
                } catch (RuntimeNotFoundException goneMeanwhile) {
                    continue;
                }
                if (workerId.equals(sandbox.workerId())) {
                    boolean running = sandbox.running(folder);
                    found.add(new RuntimeStatus(sandbox.sandboxId(), sandbox.runtimeId(), running, running ? "running" : "exited"));
                }
            }
        } catch (IOException e) {
            throw new ProviderFailureException("could not list the " + name() + " sandboxes: " + e.getMessage());
        }
        return found;
    }

    @Override
    public ExecOutcome exec(String sandboxId, ExecCommand command, ExecOutputSink sink) {
        return commands.exec(sandboxId, timed(command), env(command), sink);
    }

    @Override
    public InteractiveExec openInteractive(String sandboxId, ExecCommand command, TerminalSize terminal) {
        requireRunning(sandboxId);
        List<String> env = new ArrayList<>(env(command));
        if (terminal != null && !command.env().containsKey("TERM")) {
            env.add("TERM=xterm-256color");
        }
        return commands.openInteractive(sandboxId, timed(command), env, terminal);
    }

    private ExecCommand timed(ExecCommand command) {
        return command.timeout() != null ? command
                : new ExecCommand(command.argv(), command.env(), command.workdir(), config.execDefaultTimeout());
    }

    private static List<String> env(ExecCommand command) {
        List<String> env = new ArrayList<>();
        if (command.env() != null) {
            command.env().forEach((name, value) -> env.add(name + "=" + value));
        }
        return env;
    }

    @Override
    public CommandResult run(String sandboxId, List<String> argv, InputStream input, OutputStream output, Duration timeout) {
        return commands.run(sandboxId, argv, input, output, timeout);
    }

    @Override
    public void requireWorkdir(String sandboxId, String workdir) {
        AgentCalls.requireWorkdir(this, AGENT_PATH, sandboxId, workdir);
    }

    @Override
    public LogTail.Result logs(String sandboxId, int lines, int maxBytes) {
        if (!holds(sandboxId)) {
            throw new RuntimeNotFoundException(sandboxId);
        }
        return LogTail.ofFile(logFile(folders.folder(sandboxId)), lines, maxBytes);
    }

    @Override
    public String processes(String sandboxId) {
        return AgentCalls.processes(this, AGENT_PATH, sandboxId);
    }

    @Override
    public void signal(String sandboxId, int pid, String signal) {
        AgentCalls.signal(this, AGENT_PATH, sandboxId, pid, signal);
    }

    @Override
    public void applyNetworkPolicy(String sandboxId, NetworkPolicy policy) {
        throw new InvalidRequestException("provider " + name() + " has no network");
    }

    @Override
    public ImageCommit.Result commit(String sandboxId, ImageCommit commit) {
        throw new InvalidRequestException("builds run on docker: provider " + name() + " makes no images");
    }

    @Override
    public ImageCommit.Base imageConfig(String sandboxId) {
        throw new InvalidRequestException("builds run on docker: provider " + name() + " makes no images");
    }

    @Override
    public List<String> capabilities() {
        return List.of(ProviderCapabilities.EXEC, ProviderCapabilities.EXEC_TIMEOUT, ProviderCapabilities.PROCESSES,
                ProviderCapabilities.FILES, ProviderCapabilities.ARCHIVES, ProviderCapabilities.TERMINAL,
                ProviderCapabilities.LOGS);
    }

    /** None: no OCI runtime; the sandboxes take the default name, as mock's do. */
    @Override
    public List<String> ociRuntimes() {
        return List.of();
    }
}
