package dev.stacyvm.cli;

import dev.stacyvm.client.StacyVMClient;
import dev.stacyvm.contract.api.ApiException;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code stacyvm} command line. Exit status: the command's own for {@code exec}, 0 for
 * success, 1 for an error the API answered (its code and message on stderr), 2 for a command line
 * it cannot make sense of.
 */
public final class Main {

    static final String USAGE = """
            usage: ./stacyvm COMMAND [options]
              spawn [--image I] [--template T] [--ttl 30m] [--memory MB] [--vcpus N] [--env K=V]...
                    [--meta K=V]... [--port P]... [--public] [--network none|bridge]
                    [--egress allow|deny] [--allow CIDR|DOMAIN]... [--deny CIDR|DOMAIN]...
                                                  the egress policy of a bridge sandbox
              ls                                  the sandboxes you may see
              show ID                             one sandbox
              exec ID [--timeout 60s] [--env K=V]... [--workdir DIR] [--] COMMAND [ARG...]
                                                  streams the output; the exit status passes through
                                                  (one COMMAND word runs in /bin/sh -c, several as they are)
              cp SRC DST                          one side ID:/path; folders go as tar
              rm ID...                            destroy
              extend ID TTL
              logs ID [--lines 100]
              preview ID PORT                     a URL that opens the preview (with a token if private)
              templates ls | show NAME | create NAME [spawn options] | rm NAME | spawn NAME
              keys ls | create NAME [--role user] [--tenant default] | revoke ID     (admin)
              audit [--action A] [--actor A] [--target T] [--since TIME] [--until TIME] [--limit N]  (admin)
            options everywhere: --json (for scripts), --url URL, --api-key KEY, --user ID, --config FILE
            settings: flags, else STACYVM_URL / STACYVM_API_KEY / STACYVM_USER_ID, else the config file
            (STACYVM_CONFIG or ~/.config/stacyvm/config, lines url=, api_key=, user=)
            """;

    static final Set<String> FLAGS = Set.of("json", "public", "help");

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(List.of(args), System.getenv(), System.out, System.err));
    }

    static int run(List<String> words, Map<String, String> environment, PrintStream out, PrintStream err) {
        if (words.isEmpty() || words.get(0).equals("help") || words.get(0).equals("--help")) {
            out.print(USAGE);
            return words.isEmpty() ? 2 : 0;
        }
        try {
            String command = words.get(0);
            Args args = new Args(words.subList(1, words.size()), FLAGS);
            Settings settings = Settings.resolve(args, environment);
            StacyVMClient client = StacyVMClient.connect(settings.url(), settings.apiKey());
            if (settings.user() != null) {
                client = client.asUser(settings.user());
            }
            Output output = new Output(out, args.flag("json"));
            return switch (command) {
                case "spawn", "ls", "show", "exec", "rm", "extend", "logs", "preview" ->
                        new SandboxCommands(client, output, err).run(command, args);
                case "cp" -> new CopyCommand(client, output).run(args);
                case "templates", "keys", "audit" -> new AdminCommands(client, output).run(command, args);
                default -> throw new UsageException("unknown command \"" + command + "\"");
            };
        } catch (UsageException e) {
            err.println("stacyvm: " + e.getMessage());
            err.println("run ./stacyvm help for the commands");
            return 2;
        } catch (ApiException e) {
            err.println("stacyvm: " + e.code().wireName() + ": " + e.getMessage()
                    + (e.retryAfterSeconds() != null ? " (retry after " + e.retryAfterSeconds() + " s)" : ""));
            return 1;
        }
    }
}
