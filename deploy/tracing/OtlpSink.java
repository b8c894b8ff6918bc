import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;

/**
 * An OTLP/HTTP receiver for the test instance (`./stacyvm test`): the services export their spans
 * to it (http/protobuf), and it keeps each export request's body, undecoded, as one file in a
 * folder, where the system tests' TracingTest reads them. It runs for as long as the services do,
 * so no export ever fails; it listens on loopback only, answers every export with success, and
 * keeps the newest 5000 requests (at most 16 MiB each), so a long run cannot fill the disk.
 *
 *   java deploy/tracing/OtlpSink.java PORT FOLDER
 */
public final class OtlpSink {

    private static final int MAX_FILES = 5000;
    private static final int MAX_BODY_BYTES = 16 * 1024 * 1024;

    private final Path folder;
    private final AtomicLong sequence = new AtomicLong();
    private final Deque<Path> kept = new ArrayDeque<>();

    private OtlpSink(Path folder) {
        this.folder = folder;
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: java OtlpSink.java PORT FOLDER");
            System.exit(2);
        }
        Path folder = Files.createDirectories(Path.of(args[1]));
        OtlpSink sink = new OtlpSink(folder);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[0])), 64);
        server.createContext("/", sink::handle);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
        System.out.println("OTLP sink on 127.0.0.1:" + args[0] + ", export requests kept in " + folder);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] body = read(exchange);
            if (body == null) {
                exchange.sendResponseHeaders(413, -1);
                return;
            }
            // only traces are kept (the services export no metrics or logs over OTLP)
            if (exchange.getRequestURI().getPath().endsWith("/v1/traces")) {
                keep(body);
            }
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            // an empty ExportTraceServiceResponse: every span accepted
            exchange.sendResponseHeaders(200, -1);
        }
    }

    private static byte[] read(HttpExchange exchange) throws IOException {
        InputStream in = exchange.getRequestBody();
        if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
            in = new GZIPInputStream(in);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        for (int n; (n = in.read(buffer)) != -1; ) {
            if (out.size() + n > MAX_BODY_BYTES) {
                return null;
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    /** Written beside and renamed into place, so a reader never sees half a request. */
    private synchronized void keep(byte[] body) throws IOException {
        String name = String.format("%013d-%06d.pb", System.currentTimeMillis(), sequence.incrementAndGet() % 1_000_000);
        Path partial = folder.resolve(name + ".partial");
        Files.write(partial, body);
        Path file = folder.resolve(name);
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
        kept.addLast(file);
        while (kept.size() > MAX_FILES) {
            Files.deleteIfExists(kept.removeFirst());
        }
    }
}
