package dev.stacyvm.cli;

import dev.stacyvm.contract.api.ApiException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code stacyvm} command line, parsed by picocli: every command and subcommand answers
 * {@code --help} (and {@code help COMMAND}) with its usage and does nothing else, and an unknown
 * command or option is an error. Exit status: the command's own for {@code exec} and {@code shell}, 0 for success,
 * 1 for an error the API answered (its code and message on stderr), 2 for a command line it
 * cannot make sense of.
 */
@Command(name = "./stacyvm", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Sandboxes from the shell. Settings: the flags, else STACYVM_URL / STACYVM_API_KEY / "
                + "STACYVM_USER_ID, else the config file (STACYVM_CONFIG or ~/.config/stacyvm/config).",
        subcommands = {CommandLine.HelpCommand.class, SandboxCommands.Spawn.class, SandboxCommands.Ls.class,
            SandboxCommands.Show.class, SandboxCommands.Exec.class, ShellCommand.class, CopyCommand.class, SandboxCommands.Rm.class,
            SandboxCommands.Extend.class, SandboxCommands.Logs.class, SandboxCommands.Preview.class,
            MonitorCommands.Events.class, MonitorCommands.Top.class, AdminCommands.Templates.class,
            AdminCommands.Keys.class, AdminCommands.Audit.class, ConfigCommands.Config.class})
public final class Main implements Callable<Integer> {

    private final CliContext context;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    Main(CliContext context) {
        this.context = context;
    }

    /** Without a command: the usage, and the status of a command line that says nothing to do. */
    @Override
    public Integer call() {
        spec.commandLine().usage(context.out());
        return 2;
    }

    public static void main(String[] args) {
        System.exit(run(List.of(args), System.getenv(), System.out, System.err));
    }

    static int run(List<String> words, Map<String, String> environment, PrintStream out, PrintStream err) {
        return run(words, environment, System.in, out, err);
    }

    static int run(List<String> words, Map<String, String> environment, InputStream in, PrintStream out, PrintStream err) {
        CliContext context = new CliContext(environment, in, out, err);
        CommandLine commandLine = commandLine(context);
        return commandLine.execute(words.toArray(String[]::new));
    }

    /** The parser with its handlers: usage errors and API errors said briefly on stderr. */
    static CommandLine commandLine(CliContext context) {
        CommandLine commandLine = new CommandLine(new Main(context), new ContextFactory(context));
        commandLine.setOut(new PrintWriter(context.out(), true));
        commandLine.setErr(new PrintWriter(context.err(), true));
        commandLine.setParameterExceptionHandler((failure, args) -> {
            PrintWriter err = failure.getCommandLine().getErr();
            String message = failure.getMessage();
            if (failure instanceof CommandLine.UnmatchedArgumentException unmatched
                    && !failure.getCommandLine().getSubcommands().isEmpty() && !unmatched.getUnmatched().isEmpty()
                    && !unmatched.getUnmatched().get(0).startsWith("-")) {
                message = "unknown command \"" + unmatched.getUnmatched().get(0) + "\"";
            }
            err.println("stacyvm: " + message);
            err.println("run " + failure.getCommandLine().getCommandSpec().qualifiedName() + " --help for its usage");
            return 2;
        });
        commandLine.setExecutionExceptionHandler((failure, failed, parsed) -> {
            PrintWriter err = failed.getErr();
            if (failure instanceof ApiException api) {
                err.println("stacyvm: " + api.code().wireName() + ": " + api.getMessage()
                        + (api.retryAfterSeconds() != null ? " (retry after " + api.retryAfterSeconds() + " s)" : ""));
                return 1;
            }
            if (failure instanceof UsageException usage) {
                err.println("stacyvm: " + usage.getMessage());
                return 2;
            }
            throw failure;
        });
        return commandLine;
    }

    /** Makes commands that take the {@link CliContext}; everything else as picocli would. */
    private record ContextFactory(CliContext context) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            try {
                var constructor = type.getDeclaredConstructor(CliContext.class);
                constructor.setAccessible(true);
                return constructor.newInstance(context);
            } catch (NoSuchMethodException noContext) {
                return CommandLine.defaultFactory().create(type);
            }
        }
    }
}
