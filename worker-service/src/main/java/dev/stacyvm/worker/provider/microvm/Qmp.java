package dev.stacyvm.worker.provider.microvm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A client of one QEMU's machine protocol (QMP, QEMU's "QEMU Machine Protocol Specification"): one
 * JSON object per line each way; QEMU greets, the client negotiates ({@code qmp_capabilities}),
 * then each command gets its {@code return} or {@code error}, with asynchronous {@code event}s in
 * between, which this skips. Used while a template's snapshot is taken, on a guest that has run
 * nothing of a sandbox's, and to follow a sandbox's restore from one. Every command has a deadline:
 * a QEMU that stops answering never holds the worker.
 */
final class Qmp implements AutoCloseable {

    private final SocketChannel channel;
    private final BufferedReader in;
    private final OutputStream out;
    private final ObjectMapper mapper;
    private final Duration answerWithin;

    private Qmp(SocketChannel channel, ObjectMapper mapper, Duration answerWithin) {
        this.channel = channel;
        this.mapper = mapper;
        this.answerWithin = answerWithin;
        this.in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
        this.out = Channels.newOutputStream(channel);
    }

    /**
     * Connects to QMP's socket (retrying while QEMU starts, at most {@code wait}) and negotiates;
     * each command then gets at most {@code wait} for its answer.
     *
     * @throws IOException when it cannot, or QEMU answers an error
     */
    static Qmp connect(Path socket, ObjectMapper mapper, Duration wait) throws IOException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                channel.connect(UnixDomainSocketAddress.of(socket));
                Qmp qmp = new Qmp(channel, mapper, wait);
                qmp.withinDeadline(qmp::read); // the greeting
                qmp.execute("qmp_capabilities", Map.of());
                return qmp;
            } catch (IOException notYet) {
                channel.close();
                if (System.nanoTime() > deadline) {
                    throw new IOException("QMP did not answer on " + socket + ": " + notYet.getMessage());
                }
                sleep(20);
            }
        }
    }

    /**
     * Runs one command and answers its {@code return} value.
     *
     * @throws IOException when QEMU answers an error, the connection ends, or no answer comes in time
     *                     (the connection is then closed)
     */
    JsonNode execute(String command, Map<String, Object> arguments) throws IOException {
        Map<String, Object> message = arguments.isEmpty() ? Map.of("execute", command) : Map.of("execute", command, "arguments", arguments);
        return withinDeadline(() -> {
            out.write(mapper.writeValueAsBytes(message));
            out.write('\n');
            out.flush();
            while (true) {
                JsonNode answer = read();
                if (answer.has("return")) {
                    return answer.get("return");
                }
                if (answer.has("error")) {
                    throw new IOException("QEMU refused " + command + ": " + answer.path("error").path("desc").asText());
                }
                // an event: not the answer
            }
        });
    }

    private interface Exchange {
        JsonNode run() throws IOException;
    }

    /**
     * Runs {@code exchange}, closing the connection when it takes longer than the deadline: a
     * channel's blocking read has no timeout of its own, and closing it ends the read.
     */
    private JsonNode withinDeadline(Exchange exchange) throws IOException {
        Thread watchdog = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(answerWithin);
                channel.close();
            } catch (InterruptedException | IOException answeredInTime) {
                // nothing to do
            }
        });
        try {
            return exchange.run();
        } catch (IOException e) {
            throw channel.isOpen() ? e : new IOException("QEMU did not answer within " + answerWithin.toSeconds() + " s", e);
        } finally {
            watchdog.interrupt();
        }
    }

    private JsonNode read() throws IOException {
        String line = in.readLine();
        if (line == null) {
            throw new IOException("QMP closed");
        }
        return mapper.readTree(line);
    }

    static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
