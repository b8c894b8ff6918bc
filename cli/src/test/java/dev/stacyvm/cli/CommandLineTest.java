package dev.stacyvm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The command line as a user meets it: {@code --help} everywhere shows usage and sends nothing,
 * unknown commands and options are errors (status 2) that send nothing, and what follows a
 * sandbox id in {@code exec} is the sandbox's command, options and all.
 */
class CommandLineTest {

    private HttpServer api;
    private final AtomicInteger requests = new AtomicInteger();

    /** A stand-in gateway on loopback that only counts: no command here may reach it. */
    @BeforeEach
    void aGatewayThatCountsRequests() throws Exception {
        api = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        api.createContext("/", exchange -> {
            requests.incrementAndGet();
            exchange.sendResponseHeaders(500, -1);
            exchange.close();
        });
        api.start();
    }

    @AfterEach
    void stop() {
        api.stop(0);
    }

    private CliRun run(String... words) {
        return CliRun.of(api.getAddress().getPort(), words);
    }

    /** Every command path: spawn, templates create, keys revoke, ... */
    private static List<List<String>> commandPaths(CommandLine command, List<String> prefix) {
        List<List<String>> paths = new ArrayList<>();
        command.getSubcommands().forEach((name, sub) -> {
            if (name.equals("help")) {
                return;
            }
            List<String> path = new ArrayList<>(prefix);
            path.add(name);
            paths.add(path);
            paths.addAll(commandPaths(sub, path));
        });
        return paths;
    }

    @Test
    void everyCommandAndSubcommandAnswersHelpWithItsUsageAndDoesNothingElse() {
        CommandLine root = Main.commandLine(new CliContext(Map.of(), System.out, System.err));
        List<List<String>> paths = commandPaths(root, List.of());
        assertTrue(paths.size() >= 17, "every command and subcommand: " + paths);
        for (List<String> path : paths) {
            for (String help : List.of("--help", "-h")) {
                List<String> words = new ArrayList<>(path);
                words.add(help);
                CliRun run = run(words.toArray(String[]::new));
                assertEquals(0, run.exit(), words + ": " + run.stderr());
                assertTrue(run.stdout().startsWith("Usage: ./stacyvm " + String.join(" ", path)), words + ":\n" + run.stdout());
            }
            List<String> asked = new ArrayList<>(List.of("help"));
            asked.addAll(path.subList(0, 1));
            assertEquals(0, run(asked.toArray(String[]::new)).exit(), "help " + path.get(0));
        }
        assertEquals(0, requests.get(), "asking for help sent nothing to the API");
    }

    @Test
    void unknownCommandsAndOptionsAreErrorsThatSendNothing() {
        CliRun unknown = run("frobnicate");
        assertEquals(2, unknown.exit());
        assertTrue(unknown.stderr().startsWith("stacyvm: unknown command \"frobnicate\""), unknown.stderr());
        for (String[] words : List.of(new String[] {"spawn", "--frobnicate"}, new String[] {"ls", "--all"},
                new String[] {"templates", "frob"}, new String[] {"keys", "create"}, new String[] {"spawn", "--memory", "lots"},
                new String[] {"spawn", "--env", "NOEQUALS"}, new String[] {"show"}, new String[] {"exec", "sb-1"},
                new String[] {"rm"}, new String[] {"preview", "sb-1", "http"}, new String[] {"shell"},
                new String[] {"shell", "sb-1", "--cols", "0"}, new String[] {"shell", "sb-1", "--json"})) {
            CliRun run = run(words);
            assertEquals(2, run.exit(), List.of(words) + ": " + run.stderr());
            assertTrue(run.stderr().startsWith("stacyvm: "), List.of(words) + ": " + run.stderr());
        }
        assertEquals(2, run().exit(), "no command at all");
        assertEquals(0, requests.get(), "a command line that does not parse sent nothing to the API");
    }

    @Test
    void everythingFromTheCommandOnBelongsToTheSandbox() {
        CommandLine root = Main.commandLine(new CliContext(Map.of(), System.out, System.err));
        CommandLine.ParseResult parsed = root.parseArgs("exec", "sb-1", "--timeout", "5s", "--env", "A=1", "ls", "-la",
                "--help", "--timeout", "9s");
        SandboxCommands.Exec exec = (SandboxCommands.Exec) parsed.subcommand().commandSpec().userObject();
        assertEquals("sb-1", exec.id);
        assertEquals("5s", exec.timeout);
        assertEquals(Map.of("A", "1"), exec.env);
        assertEquals(List.of("ls", "-la", "--help", "--timeout", "9s"), exec.command);
        parsed = Main.commandLine(new CliContext(Map.of(), System.out, System.err)).parseArgs("exec", "sb-1", "--", "--json", "-x");
        assertEquals(List.of("--json", "-x"), ((SandboxCommands.Exec) parsed.subcommand().commandSpec().userObject()).command);
    }

    @Test
    void spawnOptionsBecomeTheCreateBody() {
        CommandLine.ParseResult parsed = Main.commandLine(new CliContext(Map.of(), System.out, System.err)).parseArgs(
                "spawn", "--memory", "256", "--env", "A=1", "--env", "B=x=y", "--port", "3000", "--public",
                "--network", "bridge", "--egress", "deny", "--allow", "203.0.113.0/24");
        SandboxCommands.Spawn spawn = (SandboxCommands.Spawn) parsed.subcommand().commandSpec().userObject();
        Map<String, Object> body = spawn.spec.body();
        assertEquals(256, body.get("memory_mb"));
        assertEquals(Map.of("A", "1", "B", "x=y"), body.get("env"));
        assertEquals(List.of(3000), body.get("ports"));
        assertEquals(true, body.get("public_preview"));
        assertEquals("bridge", body.get("network"));
        assertTrue(body.get("network_policy").toString().contains("203.0.113.0/24"), body.toString());
        assertTrue(!body.containsKey("image") && !body.containsKey("ttl"), "options not given are left out: " + body);
    }
}
