package dev.stacyvm.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * One run of the CLI in process against a stand-in gateway on loopback: its exit status and what it
 * wrote to stdout and stderr. The environment names only the gateway and a key (no config file).
 */
record CliRun(int exit, String stdout, String stderr) {

    static CliRun of(int gatewayPort, String... words) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(List.of(words), Map.of("STACYVM_URL", "http://127.0.0.1:" + gatewayPort,
                        "STACYVM_API_KEY", "svm_test", "HOME", "/nonexistent"),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CliRun(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
