/*
 * Preview router benchmark: requests per second and latency of the same small page fetched
 * directly from a sandbox's published port and through the preview-router, in the same run.
 * Run with `./stacyvm bench previews` against a running suite (it needs only the JDK):
 *
 *   java -Djdk.httpclient.allowRestrictedHeaders=host deploy/bench/PreviewBenchmark.java \
 *        GATEWAY_URL API_KEY ROUTER_PORT APP_PY [REQUESTS] [CONCURRENCY]
 *
 * It creates one sandbox with a public preview on port 3000, runs the test web app in it, measures,
 * prints a table, and destroys the sandbox.
 */
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class PreviewBenchmark {

    record Figures(String target, int concurrency, int requests, double seconds, long[] nanos) {
        double perSecond() {
            return requests / seconds;
        }

        double percentileMillis(double p) {
            long[] sorted = nanos.clone();
            Arrays.sort(sorted);
            return sorted[(int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] / 1e6;
        }
    }

    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    public static void main(String[] args) throws Exception {
        String gateway = args[0];
        String key = args[1];
        int routerPort = Integer.parseInt(args[2]);
        String app = Files.readString(Path.of(args[3]));
        int requests = args.length > 4 ? Integer.parseInt(args[4]) : 3000;
        int concurrency = args.length > 5 ? Integer.parseInt(args[5]) : 16;

        String id = field(api(gateway, key, "POST", "/sandboxes",
                "{\"ports\":[3000],\"public_preview\":true,\"ttl\":\"15m\"}"), "id");
        try {
            api(gateway, key, "POST", "/sandboxes/" + id + "/files",
                    "{\"path\":\"/workspace/app.py\",\"content\":" + json(app) + "}");
            api(gateway, key, "POST", "/sandboxes/" + id + "/exec", "{\"mode\":\"shell\",\"command\":"
                    + json("setsid python3 /workspace/app.py 3000 >/tmp/app.log 2>&1 </dev/null & sleep 1") + "}");
            String published = run("docker", "port", "stacyvm-" + id, "3000/tcp").lines().findFirst().orElseThrow().trim();
            URI direct = URI.create("http://" + published + "/headers");
            URI routed = URI.create("http://127.0.0.1:" + routerPort + "/headers");
            String host = "3000-" + id + ".localhost:" + routerPort;

            List<Figures> results = new ArrayList<>();
            for (int clients : new int[] {1, concurrency}) {
                int count = clients == 1 ? Math.max(200, requests / 5) : requests;
                measure("direct", direct, null, 200, clients);
                measure("router", routed, host, 200, clients);
                results.add(measure("direct", direct, null, count, clients));
                results.add(measure("router", routed, host, count, clients));
            }
            System.out.printf("%n| path | clients | requests | req/s | p50 ms | p95 ms | p99 ms |%n|---|---|---|---|---|---|---|%n");
            for (Figures f : results) {
                System.out.printf("| %s | %d | %d | %.0f | %.2f | %.2f | %.2f |%n", f.target(), f.concurrency(), f.requests(),
                        f.perSecond(), f.percentileMillis(0.50), f.percentileMillis(0.95), f.percentileMillis(0.99));
            }
            for (int i = 0; i < results.size(); i += 2) {
                Figures d = results.get(i);
                Figures r = results.get(i + 1);
                System.out.printf("%d client(s): router/direct throughput %.2f, p50 added %.2f ms, p95 added %.2f ms%n",
                        d.concurrency(), r.perSecond() / d.perSecond(), r.percentileMillis(0.5) - d.percentileMillis(0.5),
                        r.percentileMillis(0.95) - d.percentileMillis(0.95));
            }
        } finally {
            api(gateway, key, "DELETE", "/sandboxes/" + id, null);
        }
    }

    static Figures measure(String name, URI uri, String host, int count, int clients) throws Exception {
        long[] nanos = new long[count];
        AtomicInteger next = new AtomicInteger();
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(clients)) {
            List<Future<?>> workers = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                workers.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
                        if (host != null) {
                            request.header("Host", host);
                        }
                        long sent = System.nanoTime();
                        HttpResponse<byte[]> answer = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
                        nanos[i] = System.nanoTime() - sent;
                        if (answer.statusCode() != 200) {
                            throw new IllegalStateException(name + " answered " + answer.statusCode());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get();
            }
        }
        return new Figures(name, clients, count, (System.nanoTime() - start) / 1e9, nanos);
    }

    static String api(String gateway, String key, String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway + "/api/v1" + path))
                .header("X-API-Key", key).header("Content-Type", "application/json").timeout(Duration.ofMinutes(3))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> answer = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() >= 300) {
            throw new IllegalStateException(method + " " + path + " answered " + answer.statusCode() + ": " + answer.body());
        }
        return answer.body();
    }

    static String field(String json, String name) {
        Matcher value = Pattern.compile("\"" + name + "\":\"([^\"]+)\"").matcher(json);
        if (!value.find()) {
            throw new IllegalStateException("no " + name + " in " + json);
        }
        return value.group(1);
    }

    static String json(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return out.append('"').toString();
    }

    static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + ": " + output);
        }
        return output;
    }
}
