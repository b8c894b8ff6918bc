package dev.stacyvm.cli;

import dev.stacyvm.client.RemoteSandbox;
import dev.stacyvm.contract.api.ExecRequest;
import dev.stacyvm.contract.api.ExecResult;
import dev.stacyvm.contract.api.PreviewAccess;
import dev.stacyvm.contract.api.SandboxView;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Stack;
import picocli.CommandLine.Command;
import picocli.CommandLine.IParameterConsumer;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The sandbox commands: spawn, ls, show, exec, rm, extend, logs, preview. */
final class SandboxCommands {

    private static final List<String> COLUMNS = List.of("ID", "STATE", "IMAGE", "EXPIRES", "OWNER");

    private SandboxCommands() {
    }

    private static List<String> row(SandboxView sandbox) {
        return List.of(sandbox.id(), sandbox.state(), sandbox.image(), String.valueOf(sandbox.expiresAt()),
                String.valueOf(sandbox.ownerId()));
    }

    @Command(name = "spawn", description = "Create a sandbox and print its id.", mixinStandardHelpOptions = true)
    static final class Spawn extends ApiCommand {
        @Mixin
        SpawnOptions spec;

        Spawn(CliContext context) {
            super(context);
        }

        @Override
        public Integer call() {
            output().value(client().create(spec.body()).view(), SandboxView::id);
            return 0;
        }
    }

    @Command(name = "ls", description = "List the sandboxes you may see.", mixinStandardHelpOptions = true)
    static final class Ls extends ApiCommand {

        Ls(CliContext context) {
            super(context);
        }

        @Override
        public Integer call() {
            output().table(client().list(), COLUMNS, SandboxCommands::row);
            return 0;
        }
    }

    @Command(name = "show", description = "Show one sandbox.", mixinStandardHelpOptions = true)
    static final class Show extends ApiCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "the sandbox")
        String id;

        Show(CliContext context) {
            super(context);
        }

        @Override
        public Integer call() {
            output().table(List.of(client().get(id).view()), COLUMNS, SandboxCommands::row);
            return 0;
        }
    }

    /**
     * Takes every word from the command's first one on as the command, options included: what
     * follows the sandbox id belongs to the sandbox ({@code exec ID ls -la --color}).
     */
    static final class RestIsTheCommand implements IParameterConsumer {
        @Override
        public void consumeParameters(Stack<String> args, ArgSpec argSpec, CommandSpec commandSpec) {
            List<String> command = new ArrayList<>();
            while (!args.isEmpty()) {
                command.add(args.pop());
            }
            argSpec.setValue(command);
        }
    }

    @Command(name = "exec", mixinStandardHelpOptions = true,
            description = {"Run a command in a sandbox; its output streams, and its exit status is this command's.",
                "One COMMAND word runs in /bin/sh -c, several run as they are. Options go before COMMAND;",
                "everything from COMMAND on (or after --) is the sandbox's."})
    static final class Exec extends ApiCommand {
        @Option(names = "--timeout", paramLabel = "DURATION", description = "stop it after this long (default 60s)")
        String timeout;
        @Option(names = "--env", paramLabel = "KEY=VALUE", description = "an environment variable (repeatable)")
        Map<String, String> env = new java.util.LinkedHashMap<>();
        @Option(names = "--workdir", paramLabel = "DIR", description = "run it in this folder")
        String workdir;
        @Parameters(index = "0", paramLabel = "ID", description = "the sandbox")
        String id;
        @Parameters(index = "1..*", paramLabel = "COMMAND", arity = "1..*", parameterConsumer = RestIsTheCommand.class,
                description = "the command and its arguments")
        List<String> command;

        Exec(CliContext context) {
            super(context);
        }

        @Override
        public Integer call() {
            ExecRequest request = command.size() == 1
                    ? new ExecRequest(command.get(0), null, "shell", env, workdir, timeout, null)
                    : new ExecRequest(command.get(0), command.subList(1, command.size()), "argv", env, workdir, timeout, null);
            RemoteSandbox sandbox = client().get(id);
            Output output = output();
            ExecResult result;
            if (output.json()) {
                result = sandbox.exec(request);
                output.printJson(result);
            } else {
                PrintStream err = context.err();
                result = sandbox.execStream(request, line -> {
                    PrintStream target = "stderr".equals(line.stream()) ? err : output.stream();
                    target.print(line.data());
                    target.flush();
                });
                if (result.timedOut()) {
                    err.println("stacyvm: the command timed out after " + result.duration());
                }
            }
            return result.exitCode();
        }
    }

    @Command(name = "rm", description = "Destroy sandboxes.", mixinStandardHelpOptions = true)
    static final class Rm extends ApiCommand {
        @Parameters(paramLabel = "ID", arity = "1..*", description = "the sandboxes")
        List<String> ids;

        Rm(CliContext context) {
            super(context);
        }

        @Override
        public Integer call() {
            var client = client();
            Output output = output();
            for (String id : ids) {
                client.destroy(id);
                output.value(Map.of("id", id, "status", "destroyed"), done -> id);
            }
            return 0;
        }
    }

    @Command(name = "extend", description = "Give a sandbox more time to live.", mixinStandardHelpOptions = true)
    static final class Extend extends ApiCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "the sandbox")
        String id;
        @Parameters(index = "1", paramLabel = "TTL", description = "how much longer, a Go duration (30m)")
        String ttl;

        Extend(CliContext context) {
            super(context);
        }

        @Override
        public Integer call() {
            output().value(client().get(id).extend(ttl),
                    view -> view.id() + " expires at " + view.expiresAt());
            return 0;
        }
    }

    @Command(name = "logs", description = "Print a sandbox's output log.", mixinStandardHelpOptions = true)
    static final class Logs extends ApiCommand {
        @Option(names = "--lines", paramLabel = "N", defaultValue = "100", description = "the last N lines (default ${DEFAULT-VALUE})")
        int lines;
        @Parameters(index = "0", paramLabel = "ID", description = "the sandbox")
        String id;

        Logs(CliContext context) {
            super(context);
        }

        @Override
        public Integer call() {
            output().value(client().get(id).logs(lines), all -> String.join("\n", all));
            return 0;
        }
    }

    @Command(name = "preview", description = "Print a URL that opens a sandbox's preview (with a token if private).",
            mixinStandardHelpOptions = true)
    static final class Preview extends ApiCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "the sandbox")
        String id;
        @Parameters(index = "1", paramLabel = "PORT", description = "a port the sandbox declared")
        int port;

        Preview(CliContext context) {
            super(context);
        }

        @Override
        public Integer call() {
            PreviewAccess access = client().get(id).preview(port);
            output().value(access, Preview::openableUrl);
            return 0;
        }

        private static String openableUrl(PreviewAccess access) {
            if (access.publicPreview() || access.token() == null) {
                return access.url();
            }
            return access.url() + (access.url().contains("?") ? "&" : "?") + "preview_token="
                    + URLEncoder.encode(access.token(), StandardCharsets.UTF_8);
        }
    }
}
