package dev.stacyvm.worker.provider.agent;

import java.util.List;

/**
 * The {@code spawn} operation (docs/agent-protocol.md): what to start in the sandbox, as the engine's
 * exec would.
 *
 * @param argv    what to run; {@code argv[0]} an absolute path or a name on the resulting {@code PATH}
 * @param env     {@code NAME=value} entries added to the container's environment, later ones winning
 * @param workdir the working directory, or null for the container's
 * @param cols    the terminal's width in columns, or 0 for pipes (no terminal)
 * @param rows    the terminal's height in rows, or 0 for pipes
 * @param stdin   whether stdin is passed on ({@code false}: the process reads {@code /dev/null})
 */
public record AgentSpawn(List<String> argv, List<String> env, String workdir, int cols, int rows, boolean stdin) {

    public AgentSpawn {
        argv = List.copyOf(argv);
        env = List.copyOf(env);
    }

    /** Whether the process runs on a new pseudo-terminal. */
    public boolean tty() {
        return cols > 0 && rows > 0;
    }
}
