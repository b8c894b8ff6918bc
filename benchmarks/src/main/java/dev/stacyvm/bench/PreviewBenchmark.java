package dev.stacyvm.bench;

import dev.stacyvm.client.RemoteSandbox;
import dev.stacyvm.client.StacyVMClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * `./stacyvm bench previews`: the preview-router alone. One sandbox with a public preview runs the
 * test web app; the same small page is fetched from its published port and through the router,
 * with one client and with several, after a warm-up, and the table shows what the router adds.
 */
public final class PreviewBenchmark {

    private PreviewBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        StacyVMClient api = StacyVMClient.connect(System.getProperty("stacyvm.url", "http://127.0.0.1:7423"),
                System.getProperty("stacyvm.api-key"));
        int routerPort = Integer.getInteger("stacyvm.preview-port", 7480);
        int requests = Integer.getInteger("bench.requests", 3000);
        int concurrency = Integer.getInteger("bench.clients", 16);
        RawDocker raw = new RawDocker(System.getProperty("bench.docker-host", "unix:///var/run/docker.sock"), "");

        String user = "bench-previews";
        RemoteSandbox sandbox = SuiteBenchmark.previewSandbox(api.asUser(user));
        String id = sandbox.id();
        try {
            String published = raw.publishedPort("stacyvm-" + id, 3000);
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpRequest direct = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + published + "/headers")).build();
            HttpRequest routed = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + routerPort + "/headers"))
                    .header("Host", "3000-" + id + ".localhost:" + routerPort).build();

            List<Samples> results = new ArrayList<>();
            for (int clients : new int[] {1, concurrency}) {
                int count = clients == 1 ? Math.max(200, requests / 5) : requests;
                Timed.run("warm-up", "direct", clients, 200, (c, i) -> SuiteBenchmark.check(http.send(direct, HttpResponse.BodyHandlers.discarding())));
                Timed.run("warm-up", "router", clients, 200, (c, i) -> SuiteBenchmark.check(http.send(routed, HttpResponse.BodyHandlers.discarding())));
                results.add(Timed.run("preview request", "direct", clients, count,
                        (c, i) -> SuiteBenchmark.check(http.send(direct, HttpResponse.BodyHandlers.discarding()))));
                results.add(Timed.run("preview request", "router", clients, count,
                        (c, i) -> SuiteBenchmark.check(http.send(routed, HttpResponse.BodyHandlers.discarding()))));
            }
            System.out.println();
            System.out.print(Samples.table(results.stream().map(Samples::row).toList()));
            for (int i = 0; i + 1 < results.size(); i += 2) {
                Samples d = results.get(i);
                Samples r = results.get(i + 1);
                System.out.printf("%d client(s): router/direct throughput %.2f, p50 added %.2f ms, p95 added %.2f ms%n",
                        d.clients(), r.perSecond() / d.perSecond(), r.percentileMillis(0.5) - d.percentileMillis(0.5),
                        r.percentileMillis(0.95) - d.percentileMillis(0.95));
            }
        } finally {
            sandbox.destroy();
        }
    }
}
