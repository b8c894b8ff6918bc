package dev.stacyvm.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.stacyvm.client.RemoteSandbox;
import dev.stacyvm.client.StacyVMClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * `./stacyvm bench providers`: the same operations under every provider and runtime the suite has
 * (docs/providers.md), each against raw Docker under the same OCI runtime in the same run: create
 * (cold), exec {@code true}, write and read a 1 MB file, exec that prints it ({@code cat}: 1 MB of
 * output), destroy. Docker with runc, Docker with runsc where a worker offers it, microvm, proot, remote
 * and the mock provider where offered (no raw counterpart: none runs on the engine itself). One client by default ({@code -Dbench.clients}),
 * {@code -Dbench.creates} sandboxes and {@code -Dbench.execs} execs per target. Prints a table with
 * ours-over-raw ratios at p50 and writes JSON; it never judges.
 */
public final class ProviderBenchmark {

    private record Target(String provider, String runtime) {
        String label() {
            return runtime == null ? provider : provider + "/" + runtime;
        }
    }

    public static void main(String[] args) throws Exception {
        String url = System.getProperty("stacyvm.url", "http://127.0.0.1:7423");
        String key = System.getProperty("stacyvm.api-key");
        int clients = Integer.getInteger("bench.clients", 1);
        int creates = Integer.getInteger("bench.creates", 10);
        int execs = Integer.getInteger("bench.execs", 50);
        Path output = Path.of(System.getProperty("bench.output", "benchmarks/target/bench-providers.json"));
        String image = System.getProperty("bench.image", "stacyvm/base:bookworm");
        StacyVMClient api = StacyVMClient.connect(url, key);
        RawDocker raw = new RawDocker(System.getProperty("bench.docker-host", "unix:///var/run/docker.sock"), image);

        List<Target> targets = targets(url, key);
        System.out.println("targets: " + targets.stream().map(Target::label).toList());
        List<Samples> results = new ArrayList<>();
        try {
            for (Target target : targets) {
                results.addAll(measure(api, target, clients, creates, execs));
                if (target.provider().equals("docker")) {
                    results.addAll(measureRaw(raw, target.runtime(), clients, creates, execs));
                }
            }
        } finally {
            for (var container : raw.docker.listContainersCmd().withShowAll(true)
                    .withLabelFilter(Map.of(RawDocker.LABEL, "true")).exec()) {
                raw.remove(container.getId());
            }
        }
        report(results, output);
    }

    /** docker/runc always; docker/runsc when a worker advertises it; microvm, proot, remote and mock when offered and healthy. */
    private static List<Target> targets(String url, String key) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        ObjectMapper json = new ObjectMapper();
        JsonNode workers = json.readTree(http.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/workers"))
                .header("X-API-Key", key).build(), HttpResponse.BodyHandlers.ofString()).body());
        JsonNode providers = json.readTree(http.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/providers"))
                .header("X-API-Key", key).build(), HttpResponse.BodyHandlers.ofString()).body());
        boolean runsc = false;
        for (JsonNode worker : workers) {
            for (JsonNode runtime : worker.path("runtimes")) {
                runsc |= runtime.asText().equals("runsc");
            }
        }
        List<Target> targets = new ArrayList<>(List.of(new Target("docker", "runc")));
        if (runsc) {
            targets.add(new Target("docker", "runsc"));
        }
        // the providers without an OCI runtime, where the suite offers them healthy
        for (String engineless : List.of("microvm", "proot", "remote", "mock")) {
            for (JsonNode provider : providers) {
                if (provider.path("name").asText().equals(engineless) && provider.path("healthy").asBoolean()) {
                    targets.add(new Target(engineless, null));
                    break;
                }
            }
        }
        return targets;
    }

    private static List<Samples> measure(StacyVMClient api, Target target, int clients, int creates, int execs)
            throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ttl", "30m");
        body.put("provider", target.provider());
        if (target.runtime() != null) {
            body.put("runtime", target.runtime());
        }
        // an environment keeps a create out of the warm pool: each one starts cold, like raw Docker's
        body.put("env", Map.of("BENCH", "providers"));
        String path = target.label();
        List<RemoteSandbox> made = new ArrayList<>(Collections.nCopies(creates, null));
        List<Samples> results = new ArrayList<>();
        // unmeasured: the JIT warms every path once per target
        Timed.run("warm-up", path, 1, 1, (c, i) -> {
            RemoteSandbox sandbox = api.asUser("bench-providers").create(body);
            for (int n = 0; n < 50; n++) {
                sandbox.exec("true");
            }
            sandbox.writeFile("/workspace/one.bin", SuiteBenchmark.ONE_MB_TEXT);
            SuiteBenchmark.drain(sandbox.readFile("/workspace/one.bin"));
            sandbox.destroy();
        });
        results.add(Timed.run("create cold", path, clients, creates,
                (c, i) -> made.set(i, api.asUser("bench-providers-" + i).create(body))));
        results.add(Timed.run("exec true", path, clients, execs, (c, i) -> made.get(c).exec("true")));
        results.add(Timed.run("write 1 MB file", path, clients, creates,
                (c, i) -> made.get(i).writeFile("/workspace/one.bin", SuiteBenchmark.ONE_MB_TEXT)));
        results.add(Timed.run("read 1 MB file", path, clients, creates,
                (c, i) -> SuiteBenchmark.drain(made.get(i).readFile("/workspace/one.bin"))));
        results.add(Timed.run("exec 1 MB output", path, clients, creates, (c, i) -> {
            var ran = made.get(i).exec("cat /workspace/one.bin");
            if (ran.exitCode() != 0 || ran.stdout().length() != SuiteBenchmark.ONE_MB_TEXT.length()) {
                throw new IllegalStateException("cat answered " + ran.exitCode() + " with " + ran.stdout().length() + " bytes");
            }
        }));
        results.add(Timed.run("destroy", path, clients, creates, (c, i) -> made.get(i).destroy()));
        return results;
    }

    private static List<Samples> measureRaw(RawDocker raw, String runtime, int clients, int creates, int execs)
            throws Exception {
        String path = "raw docker/" + runtime;
        List<String> made = new ArrayList<>(Collections.nCopies(creates, null));
        List<Samples> results = new ArrayList<>();
        Timed.run("warm-up", path, 1, 1, (c, i) -> {
            String container = raw.createAndStart(runtime);
            raw.exec(container, "true");
            raw.remove(container);
        });
        results.add(Timed.run("create cold", path, clients, creates, (c, i) -> made.set(i, raw.createAndStart(runtime))));
        results.add(Timed.run("exec true", path, clients, execs, (c, i) -> raw.exec(made.get(c), "true")));
        results.add(Timed.run("write 1 MB file", path, clients, creates,
                (c, i) -> raw.write(made.get(i), "/workspace", Tars.oneFile("one.bin", 1024 * 1024))));
        results.add(Timed.run("read 1 MB file", path, clients, creates, (c, i) -> raw.read(made.get(i), "/workspace/one.bin")));
        results.add(Timed.run("exec 1 MB output", path, clients, creates,
                (c, i) -> raw.exec(made.get(i), "cat", "/workspace/one.bin")));
        results.add(Timed.run("destroy", path, clients, creates, (c, i) -> raw.remove(made.get(i))));
        return results;
    }

    private static void report(List<Samples> results, Path output) throws Exception {
        List<Samples.Row> rows = results.stream().map(Samples::row).toList();
        System.out.println();
        System.out.print(Samples.table(rows));
        System.out.println();
        System.out.println("| operation | target | ours p50 ms | raw p50 ms (same runtime) | ours / raw |");
        System.out.println("|---|---|---|---|---|");
        List<Map<String, Object>> ratios = new ArrayList<>();
        for (Samples.Row row : rows) {
            if (row.path().startsWith("raw docker/")) {
                continue;
            }
            String runtime = row.path().contains("/") ? row.path().substring(row.path().indexOf('/') + 1) : null;
            Samples.Row rawRow = runtime == null ? null : rows.stream()
                    .filter(r -> r.operation().equals(row.operation()) && r.path().equals("raw docker/" + runtime))
                    .findFirst().orElse(null);
            String ratio = rawRow == null || rawRow.p50Ms() == 0 ? "n/a"
                    : String.format("%.2fx", row.p50Ms() / rawRow.p50Ms());
            System.out.printf("| %s | %s | %.2f | %s | %s |%n", row.operation(), row.path(), row.p50Ms(),
                    rawRow == null ? "n/a" : String.format("%.2f", rawRow.p50Ms()), ratio);
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("operation", row.operation());
            entry.put("target", row.path());
            entry.put("ours_p50_ms", row.p50Ms());
            entry.put("raw_p50_ms", rawRow == null ? null : rawRow.p50Ms());
            ratios.add(entry);
        }
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("measured_at", Instant.now().toString());
        document.put("rows", rows);
        document.put("ratios", ratios);
        Files.createDirectories(output.toAbsolutePath().getParent());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(output.toFile(), document);
        System.out.println("written: " + output);
    }
}
