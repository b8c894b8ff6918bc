package dev.stacyvm.systemtests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Test hosts at addresses of the test's choosing, each in a network namespace the test made,
 * joined to the host by a veth pair and serving a folder over HTTP on port 80 ({@code python3 -m
 * http.server}). The host end holds {@code hostEnd}/32 and a /32 route to the address; sandbox
 * traffic leaves the host masqueraded to {@code hostEnd}, which the namespace routes back. Traffic
 * stays on this machine: the address exists only inside the namespace. {@link #close} removes
 * everything made.
 */
final class TestHosts implements AutoCloseable {

    private final String suffix = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
    /** Commands that undo what was made, run in order (newest first). */
    private final List<List<String>> undo = new ArrayList<>();
    private final List<Process> servers = new ArrayList<>();
    private int hosts;

    /**
     * Starts a host at {@code address} serving {@code folder}, and proves the host reaches it (its
     * index answers with {@code expected}) before returning.
     */
    void serve(String address, String hostEnd, Path folder, String expected) throws Exception {
        int number = hosts++;
        String namespace = "svm-net-" + suffix + "-" + number;
        String hostVeth = "snh" + suffix + number;
        String peerVeth = "snp" + suffix + number;
        run("ip", "netns", "add", namespace);
        undo.add(0, List.of("ip", "netns", "delete", namespace));
        run("ip", "link", "add", hostVeth, "type", "veth", "peer", "name", peerVeth);
        undo.add(0, List.of("ip", "link", "delete", hostVeth));
        run("ip", "link", "set", peerVeth, "netns", namespace);
        run("ip", "addr", "add", hostEnd + "/32", "dev", hostVeth);
        run("ip", "link", "set", hostVeth, "up");
        run("ip", "route", "add", address + "/32", "dev", hostVeth, "src", hostEnd);
        undo.add(0, List.of("ip", "route", "delete", address + "/32", "dev", hostVeth));
        run("ip", "netns", "exec", namespace, "ip", "link", "set", "lo", "up");
        run("ip", "netns", "exec", namespace, "ip", "addr", "add", address + "/32", "dev", peerVeth);
        run("ip", "netns", "exec", namespace, "ip", "link", "set", peerVeth, "up");
        run("ip", "netns", "exec", namespace, "ip", "route", "add", hostEnd + "/32", "dev", peerVeth);
        Process server = new ProcessBuilder("ip", "netns", "exec", namespace, "python3", "-m", "http.server", "80",
                "--bind", address, "--directory", folder.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        servers.add(server);
        String answer = "";
        for (int attempt = 0; attempt < 50 && !answer.contains(expected) && server.isAlive(); attempt++) {
            answer = fetch(address, 80);
            if (!answer.contains(expected)) {
                Thread.sleep(100);
            }
        }
        assertTrue(answer.contains(expected), "the test host " + address + " answers the host: " + answer);
    }

    /** What {@code address:port} answers an HTTP GET of / from the host, or "" when it does not (2 s bounds). */
    static String fetch(String address, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 2000);
            socket.setSoTimeout(3000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET / HTTP/1.0\r\nHost: " + address + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            return new String(in.readNBytes(65536), StandardCharsets.UTF_8);
        } catch (IOException unreachable) {
            return "";
        }
    }

    static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0,
                String.join(" ", command) + " failed: " + output);
        return output;
    }

    @Override
    public void close() throws Exception {
        for (Process server : servers) {
            server.destroy();
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroyForcibly();
                server.waitFor(10, TimeUnit.SECONDS);
            }
        }
        servers.clear();
        for (List<String> command : undo) {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        undo.clear();
    }
}
