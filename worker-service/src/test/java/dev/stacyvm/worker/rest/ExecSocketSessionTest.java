package dev.stacyvm.worker.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stacyvm.contract.api.ExecSocketRequest;
import dev.stacyvm.worker.error.RuntimeNotRunningException;
import dev.stacyvm.worker.provider.ExecOutcome;
import dev.stacyvm.worker.provider.InteractiveExec;
import dev.stacyvm.worker.provider.TerminalSize;
import dev.stacyvm.worker.service.RuntimeService;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The worker's end of an exec WebSocket over a real Vert.x socket, with a command that echoes
 * its stdin: the order of client messages, base64 both ways, UTF-8 split across chunks, the done
 * frame, typed errors and their close codes, and the command killed when the socket closes.
 */
class ExecSocketSessionTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Vertx vertx;
    private HttpServer server;
    private final List<EchoExec> opened = new CopyOnWriteArrayList<>();
    private volatile RuntimeException refusal;

    /** A command that gives back what it is sent, and records what else it is asked. */
    private static final class EchoExec implements InteractiveExec {
        final BlockingQueue<byte[]> input = new LinkedBlockingQueue<>();
        final List<String> calls = new CopyOnWriteArrayList<>();
        final CountDownLatch closed = new CountDownLatch(1);
        final ExecSocketRequest request;

        EchoExec(ExecSocketRequest request) {
            this.request = request;
        }

        @Override
        public ExecOutcome relay(OutputReceiver receiver) {
            try {
                while (true) {
                    byte[] chunk = input.poll(20, TimeUnit.SECONDS);
                    if (chunk == null || chunk.length == 0 || closed.getCount() == 0) {
                        return new ExecOutcome(closed.getCount() == 0 ? 137 : 0, Duration.ofMillis(5), false, closed.getCount() == 0);
                    }
                    // split a character across two chunks: the text frames must still carry it whole
                    int half = chunk.length / 2;
                    receiver.accept("stdout", java.util.Arrays.copyOfRange(chunk, 0, half));
                    receiver.accept("stdout", java.util.Arrays.copyOfRange(chunk, half, chunk.length));
                }
            } catch (IOException | InterruptedException gone) {
                return new ExecOutcome(137, Duration.ZERO, false, true);
            }
        }

        @Override
        public void write(byte[] bytes) {
            calls.add("stdin:" + new String(bytes, StandardCharsets.UTF_8));
            input.add(bytes);
        }

        @Override
        public void endInput() {
            calls.add("eof");
            input.add(new byte[0]);
        }

        @Override
        public void resize(TerminalSize size) {
            calls.add("resize:" + size.cols() + "x" + size.rows());
        }

        @Override
        public boolean signal(String signal) {
            calls.add("signal:" + signal);
            return true;
        }

        @Override
        public void close() {
            closed.countDown();
            input.add(new byte[0]);
        }
    }

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        RuntimeService runtimes = new RuntimeService() {
            @Override
            public InteractiveExec openInteractive(String sandboxId, ExecSocketRequest request) {
                if (refusal != null) {
                    throw refusal;
                }
                EchoExec exec = new EchoExec(request);
                opened.add(exec);
                return exec;
            }

            @Override
            public void interactiveEnded(String sandboxId) {
                // no disk to meter
            }
        };
        // upgraded from a request handler, as the worker's route does (InternalExecSocket)
        server = vertx.createHttpServer().requestHandler(request -> request.toWebSocket()
                        .onSuccess(socket -> new ExecSocketSession(socket, "sb-1", runtimes, JSON).start()))
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** A connected client: every text message it gets, and the close status. */
    private final class Client {
        final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
        final CountDownLatch closed = new CountDownLatch(1);
        volatile Short status;
        final WebSocket socket;

        Client() throws Exception {
            socket = vertx.createHttpClient().webSocket(server.actualPort(), "127.0.0.1", "/")
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            socket.textMessageHandler(text -> {
                try {
                    messages.add(JSON.readTree(text));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            socket.closeHandler(v -> {
                status = socket.closeStatusCode();
                closed.countDown();
            });
        }

        Client send(String text) {
            socket.writeTextMessage(text);
            return this;
        }

        JsonNode next() throws InterruptedException {
            JsonNode message = messages.poll(10, TimeUnit.SECONDS);
            assertTrue(message != null, "a message within 10 s");
            return message;
        }

        short awaitClose() throws InterruptedException {
            assertTrue(closed.await(10, TimeUnit.SECONDS), "closed within 10 s");
            return status;
        }
    }

    @Test
    void clientMessagesReachTheCommandInOrderAndOutputEndsWithDone() throws Exception {
        Client client = new Client();
        client.send("{\"command\":\"cat\",\"pty\":true,\"cols\":100,\"rows\":30}")
                .send("{\"type\":\"resize\",\"cols\":120,\"rows\":40}")
                .send("{\"type\":\"stdin\",\"data\":\"grüße\\n\"}")
                .send("{\"type\":\"signal\",\"signal\":\"SIGINT\"}")
                .send("{\"type\":\"eof\"}");
        StringBuilder output = new StringBuilder();
        JsonNode message;
        while (!(message = client.next()).has("type")) {
            assertEquals("stdout", message.get("stream").asText());
            output.append(message.get("data").asText());
        }
        assertEquals("grüße\n", output.toString(), "a character split between chunks arrives whole");
        assertEquals("done", message.get("type").asText());
        assertEquals(0, message.get("exit_code").asInt());
        assertEquals((short) 1000, client.awaitClose());
        EchoExec exec = opened.get(0);
        assertEquals(List.of("resize:120x40", "stdin:grüße\n", "signal:SIGINT", "eof"), exec.calls);
        assertEquals(100, exec.request.cols());
    }

    @Test
    void base64CarriesBytesBothWays() throws Exception {
        Client client = new Client();
        byte[] bytes = {0, (byte) 0xff, (byte) 0xc3, 10};
        String encoded = java.util.Base64.getEncoder().encodeToString(bytes);
        client.send("{\"command\":\"cat\",\"encoding\":\"base64\"}")
                .send("{\"type\":\"stdin\",\"data\":\"" + encoded + "\"}").send("{\"type\":\"eof\"}");
        ByteArrayOutputStream echoed = new ByteArrayOutputStream();
        JsonNode message;
        while (!(message = client.next()).has("type")) {
            echoed.write(java.util.Base64.getDecoder().decode(message.get("data").asText()));
        }
        assertEquals("done", message.get("type").asText());
        assertEquals(java.util.HexFormat.of().formatHex(bytes), java.util.HexFormat.of().formatHex(echoed.toByteArray()));
    }

    @Test
    void aBinaryMessageIsStdinAsItIs() throws Exception {
        Client client = new Client();
        client.send("{\"command\":\"cat\"}");
        client.socket.writeBinaryMessage(io.vertx.core.buffer.Buffer.buffer("raw\n"));
        client.send("{\"type\":\"eof\"}");
        assertEquals("ra", client.next().get("data").asText());
        assertEquals("w\n", client.next().get("data").asText());
        assertEquals("done", client.next().get("type").asText());
    }

    @Test
    void closingTheSocketClosesTheCommand() throws Exception {
        Client client = new Client();
        client.send("{\"command\":\"sleep 30\"}");
        for (int attempt = 0; attempt < 100 && opened.isEmpty(); attempt++) {
            Thread.sleep(50);
        }
        client.socket.close();
        assertTrue(opened.get(0).closed.await(10, TimeUnit.SECONDS), "the command is killed when the client leaves");
    }

    @Test
    void invalidRequestsAndFramesAreTypedErrorsClosedWith1007() throws Exception {
        for (String[] conversation : List.of(new String[] {"nonsense"}, new String[] {"{\"command\":\"cat\",\"encoding\":\"hex\"}"},
                new String[] {"{\"command\":\"cat\"}", "{\"type\":\"teleport\"}"},
                new String[] {"{\"command\":\"cat\"}", "{\"type\":\"resize\",\"cols\":0,\"rows\":5}"},
                new String[] {"{\"command\":\"cat\"}", "{\"type\":\"signal\"}"})) {
            Client client = new Client();
            for (String message : conversation) {
                client.send(message);
            }
            JsonNode error = client.next();
            assertEquals("error", error.get("type").asText(), List.of(conversation) + ": " + error);
            assertEquals("bad_request", error.get("code").asText(), List.of(conversation) + ": " + error);
            assertEquals((short) 1007, client.awaitClose(), List.of(conversation).toString());
        }
    }

    @Test
    void aSandboxThatIsNotRunningIsAConflictClosedWith1011() throws Exception {
        refusal = new RuntimeNotRunningException("sb-1");
        Client client = new Client();
        client.send("{\"command\":\"cat\"}");
        JsonNode error = client.next();
        assertEquals("conflict", error.get("code").asText(), error.toString());
        assertEquals((short) 1011, client.awaitClose());
    }
}
