package dev.stacyvm.cli;

import dev.stacyvm.contract.api.NetworkPolicy;
import dev.stacyvm.client.RemoteSandbox;
import dev.stacyvm.client.StacyVMClient;
import dev.stacyvm.contract.api.ExecRequest;
import dev.stacyvm.contract.api.ExecResult;
import dev.stacyvm.contract.api.PreviewAccess;
import dev.stacyvm.contract.api.SandboxView;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** spawn, ls, show, exec, rm, extend, logs, preview. */
final class SandboxCommands {

    private static final List<String> COLUMNS = List.of("ID", "STATE", "IMAGE", "EXPIRES", "OWNER");

    private final StacyVMClient client;
    private final Output output;
    private final PrintStream err;

    SandboxCommands(StacyVMClient client, Output output, PrintStream err) {
        this.client = client;
        this.output = output;
        this.err = err;
    }

    int run(String command, Args args) {
        switch (command) {
            case "spawn" -> output.value(client.create(spec(args)).view(), SandboxView::id);
            case "ls" -> output.table(client.list(), COLUMNS, SandboxCommands::row);
            case "show" -> output.table(List.of(client.get(args.positional(0, "sandbox id")).view()), COLUMNS,
                    SandboxCommands::row);
            case "exec" -> {
                return exec(args);
            }
            case "rm" -> {
                if (args.positional().isEmpty()) {
                    throw new UsageException("missing sandbox id");
                }
                for (String id : args.positional()) {
                    client.destroy(id);
                    output.value(Map.of("id", id, "status", "destroyed"), done -> id);
                }
            }
            case "extend" -> output.value(client.get(args.positional(0, "sandbox id"))
                    .extend(args.positional(1, "ttl")), view -> view.id() + " expires at " + view.expiresAt());
            case "logs" -> {
                Integer lines = args.integer("lines");
                output.value(client.get(args.positional(0, "sandbox id")).logs(lines == null ? 100 : lines),
                        all -> String.join("\n", all));
            }
            case "preview" -> {
                String port = args.positional(1, "port");
                PreviewAccess access = client.get(args.positional(0, "sandbox id")).preview(parsePort(port));
                output.value(access, SandboxCommands::openableUrl);
            }
            default -> throw new UsageException("unknown command \"" + command + "\"");
        }
        return 0;
    }

    /** The create body the spawn options (shared with {@code templates create}) describe. */
    static Map<String, Object> spec(Args args) {
        Map<String, Object> body = new LinkedHashMap<>();
        put(body, "image", args.option("image"));
        put(body, "template", args.option("template"));
        put(body, "ttl", args.option("ttl"));
        put(body, "memory_mb", args.integer("memory"));
        put(body, "vcpus", args.integer("vcpus"));
        put(body, "network", args.option("network"));
        if (!args.pairs("env").isEmpty()) {
            body.put("env", args.pairs("env"));
        }
        if (!args.pairs("meta").isEmpty()) {
            body.put("metadata", args.pairs("meta"));
        }
        if (!args.all("port").isEmpty()) {
            body.put("ports", args.all("port").stream().map(SandboxCommands::parsePort).toList());
        }
        if (args.flag("public")) {
            body.put("public_preview", true);
        }
        put(body, "network_policy", networkPolicy(args));
        return body;
    }

    /** The egress policy {@code --egress}, {@code --allow} and {@code --deny} name; null when none is given. */
    static NetworkPolicy networkPolicy(Args args) {
        String egress = args.option("egress");
        if (egress == null && args.all("allow").isEmpty() && args.all("deny").isEmpty()) {
            return null;
        }
        return new NetworkPolicy(egress, args.all("allow"), args.all("deny"));
    }

    private static void put(Map<String, Object> body, String field, Object value) {
        if (value != null) {
            body.put(field, value);
        }
    }

    static int parsePort(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new UsageException("a port is a number, not \"" + text + "\"");
        }
    }

    private int exec(Args args) {
        String id = args.positional(0, "sandbox id");
        List<String> command = args.positional().subList(1, args.positional().size());
        if (command.isEmpty()) {
            throw new UsageException("missing the command to run");
        }
        Map<String, String> env = args.pairs("env");
        ExecRequest request = command.size() == 1
                ? new ExecRequest(command.get(0), null, "shell", env, args.option("workdir"), args.option("timeout"), null)
                : new ExecRequest(command.get(0), command.subList(1, command.size()), "argv", env, args.option("workdir"),
                        args.option("timeout"), null);
        RemoteSandbox sandbox = client.get(id);
        ExecResult result;
        if (output.json()) {
            result = sandbox.exec(request);
            output.printJson(result);
        } else {
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

    private static List<String> row(SandboxView sandbox) {
        return List.of(sandbox.id(), sandbox.state(), sandbox.image(), String.valueOf(sandbox.expiresAt()),
                String.valueOf(sandbox.ownerId()));
    }

    private static String openableUrl(PreviewAccess access) {
        if (access.publicPreview() || access.token() == null) {
            return access.url();
        }
        return access.url() + (access.url().contains("?") ? "&" : "?") + "preview_token="
                + URLEncoder.encode(access.token(), StandardCharsets.UTF_8);
    }
}
