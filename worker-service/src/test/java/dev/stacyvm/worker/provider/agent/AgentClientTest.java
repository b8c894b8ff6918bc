package dev.stacyvm.worker.provider.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker's side of the agent protocol against a stand-in agent on a real Unix socket: the
 * handshake's proofs both ways, so that whatever answers on a sandbox's socket without its token
 * is never believed and never learns it, and frames from a misbehaving agent are refused.
 */
class AgentClientTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "ab".repeat(32);
    private static final AgentSpawn ECHO = new AgentSpawn(List.of("/bin/echo", "hi"), List.of("A=1"), null, 0, 0, true);

    @TempDir
    Path folder;
    private Path socket;
    private ServerSocketChannel server;

    /** What the stand-in does with one accepted connection. */
    interface Agent {
        void serve(InputStream in, OutputStream out) throws Exception;
    }

    @BeforeEach
    void listen() throws IOException {
        socket = folder.resolve("agent.sock");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(socket));
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    private CompletableFuture<Void> answerOnce(Agent agent) {
        return CompletableFuture.runAsync(() -> {
            try (SocketChannel connection = server.accept()) {
                agent.serve(ChannelStreams.input(connection), ChannelStreams.output(connection));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static void send(OutputStream out, int type, byte[] payload) throws IOException {
        AgentFrame.write(out, type, payload, 0, payload.length);
        out.flush();
    }

    private static void send(OutputStream out, int type, String json) throws IOException {
        send(out, type, json.getBytes(StandardCharsets.UTF_8));
    }

    /** A faithful agent: checks the worker's proof, proves itself, echoes stdin and exits 3. */
    private static Agent honest(String token, List<JsonNode> requests) {
        return (in, out) -> {
            String nonce = "0123456789abcdef0123456789abcdef";
            send(out, AgentFrame.HELLO, "{\"v\":1,\"nonce\":\"" + nonce + "\"}");
            JsonNode request = JSON.readTree(AgentFrame.read(in).payload());
            requests.add(request);
            if (!AgentClient.proof(token, "stacyvm-worker\n" + nonce).equals(request.path("proof").asText())) {
                send(out, AgentFrame.ERROR, "{\"code\":\"unauthorized\",\"message\":\"wrong proof\"}");
                return;
            }
            String proof = AgentClient.proof(token, "stacyvm-agent\n" + request.path("nonce").asText());
            send(out, AgentFrame.ACCEPTED, "{\"proof\":\"" + proof + "\",\"pid\":42}");
            ByteArrayOutputStream stdin = new ByteArrayOutputStream();
            for (AgentFrame frame = AgentFrame.read(in); frame.type() != AgentFrame.STDIN_CLOSE; frame = AgentFrame.read(in)) {
                stdin.write(frame.payload());
            }
            send(out, AgentFrame.STDOUT, stdin.toByteArray());
            send(out, AgentFrame.STDERR, "oops".getBytes(StandardCharsets.UTF_8));
            send(out, AgentFrame.EXIT, "{\"exit_code\":3}");
        };
    }

    @Test
    void aSpawnCarriesTheRequestStdinOutputAndTheExitStatus() throws Exception {
        List<JsonNode> requests = new java.util.concurrent.CopyOnWriteArrayList<>();
        CompletableFuture<Void> agent = answerOnce(honest(TOKEN, requests));
        try (AgentProcess process = AgentClient.spawn(socket, TOKEN, ECHO, Duration.ofSeconds(5))) {
            assertEquals(42, process.pid());
            byte[] big = new byte[100_000]; // more than one frame
            java.util.Arrays.fill(big, (byte) 'x');
            process.stdin(big, 0, big.length);
            process.closeStdin();
            ByteArrayOutputStream stdout = new ByteArrayOutputStream();
            AgentFrame frame;
            while ((frame = process.next()).type() == AgentFrame.STDOUT) {
                stdout.write(frame.payload());
            }
            assertArrayEquals(big, stdout.toByteArray());
            assertEquals(AgentFrame.STDERR, frame.type());
            AgentFrame exit = process.next();
            assertEquals(3, AgentProcess.exitCode(exit));
            assertTrue(process.exited());
        }
        agent.get(5, TimeUnit.SECONDS);
        JsonNode request = requests.get(0);
        assertEquals("spawn", request.path("op").asText());
        assertEquals("[\"/bin/echo\",\"hi\"]", request.path("argv").toString());
        assertEquals("[\"A=1\"]", request.path("env").toString());
        assertTrue(request.path("stdin").asBoolean());
        assertTrue(request.path("tty").isMissingNode(), "no terminal asked for");
        assertTrue(!request.toString().contains(TOKEN), "the token never crosses the socket: " + request);
    }

    @Test
    void anAgentWithoutTheTokenIsNeverBelieved() {
        // a process of the sandbox answering on the socket: it cannot make the agent's proof
        CompletableFuture<Void> impostor = answerOnce((in, out) -> {
            send(out, AgentFrame.HELLO, "{\"v\":1,\"nonce\":\"0123456789abcdef0123456789abcdef\"}");
            AgentFrame.read(in);
            try {
                send(out, AgentFrame.ACCEPTED, "{\"proof\":\"" + "00".repeat(32) + "\",\"pid\":1}");
                send(out, AgentFrame.STDOUT, "forged".getBytes(StandardCharsets.UTF_8));
            } catch (IOException hungUp) {
                // the worker may hang up as soon as it reads the bad proof: it never believed it either way
            }
        });
        AgentUnavailableException refused = assertThrows(AgentUnavailableException.class,
                () -> AgentClient.spawn(socket, TOKEN, ECHO, Duration.ofSeconds(5)));
        assertTrue(refused.getMessage().contains("proof"), refused.getMessage());
        impostor.join();
    }

    @Test
    void anAgentWithAnotherTokenRefusesTheWorker() {
        CompletableFuture<Void> other = answerOnce(honest("cd".repeat(32), new java.util.ArrayList<>()));
        AgentUnavailableException refused = assertThrows(AgentUnavailableException.class,
                () -> AgentClient.spawn(socket, TOKEN, ECHO, Duration.ofSeconds(5)));
        assertTrue(refused.getMessage().contains("unauthorized"), refused.getMessage());
        other.join();
    }

    @Test
    void anAgentThatNeverGreetsIsGivenUpOnAtTheDeadline() throws Exception {
        CompletableFuture<Void> silent = answerOnce((in, out) -> in.read());
        long started = System.nanoTime();
        assertThrows(AgentUnavailableException.class, () -> AgentClient.spawn(socket, TOKEN, ECHO, Duration.ofMillis(300)));
        assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(5), "gave up at its deadline");
        silent.get(5, TimeUnit.SECONDS);
    }

    @Test
    void oversizedAndUnexpectedFramesAreProtocolErrors() throws Exception {
        CompletableFuture<Void> agent = answerOnce((in, out) -> {
            String nonce = "0123456789abcdef0123456789abcdef";
            send(out, AgentFrame.HELLO, "{\"v\":1,\"nonce\":\"" + nonce + "\"}");
            JsonNode request = JSON.readTree(AgentFrame.read(in).payload());
            send(out, AgentFrame.ACCEPTED, "{\"proof\":\"" + AgentClient.proof(TOKEN, "stacyvm-agent\n"
                    + request.path("nonce").asText()) + "\",\"pid\":7}");
            send(out, AgentFrame.HELLO, "{}");
            out.write(new byte[] {AgentFrame.STDOUT, 0x7f, 0, 0, 0});
            out.flush();
        });
        try (AgentProcess process = AgentClient.spawn(socket, TOKEN, ECHO, Duration.ofSeconds(5))) {
            assertThrows(AgentProtocolException.class, process::next, "a HELLO after the handshake");
            assertThrows(AgentProtocolException.class, process::next, "a frame of 2 GiB is never read");
        }
        agent.get(5, TimeUnit.SECONDS);
        assertThrows(AgentProtocolException.class,
                () -> AgentProcess.exitCode(new AgentFrame(AgentFrame.EXIT, "{\"exit_code\":999}".getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void noSocketIsUnavailableNotAFailure() throws IOException {
        server.close();
        Files.deleteIfExists(socket);
        assertThrows(AgentUnavailableException.class, () -> AgentClient.spawn(socket, TOKEN, ECHO, Duration.ofSeconds(1)));
    }
}
