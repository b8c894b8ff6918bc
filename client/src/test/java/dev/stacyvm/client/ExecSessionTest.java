package dev.stacyvm.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.contract.api.ExecSocketRequest;
import dev.stacyvm.contract.api.SandboxView;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ExecSession}'s handshake against a stand-in gateway on loopback that refuses every upgrade: a refusal is the
 * API's typed error, with the caller's credentials sent on the handshake. (The conversation itself runs against the
 * suite in the system tests' {@code CliTest}.)
 */
class ExecSessionTest {

    private HttpServer gateway;
    private final List<String> handshakes = Collections.synchronizedList(new ArrayList<>());
    private volatile int status;
    private volatile String body;

    @BeforeEach
    void aGatewayThatRefusesUpgrades() throws IOException {
        gateway = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        gateway.createContext("/api/v1/sandboxes/", exchange -> {
            handshakes.add(exchange.getRequestURI().getPath() + " key=" + exchange.getRequestHeaders().getFirst("X-API-Key")
                    + " user=" + exchange.getRequestHeaders().getFirst("X-User-ID") + " upgrade="
                    + exchange.getRequestHeaders().getFirst("Upgrade"));
            byte[] answer = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.getResponseHeaders().add("Retry-After", "15");
            exchange.sendResponseHeaders(status, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        gateway.start();
    }

    @AfterEach
    void stop() {
        gateway.stop(0);
    }

    private RemoteSandbox sandbox() throws IOException {
        Http http = new Http(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(),
                "http://127.0.0.1:" + gateway.getAddress().getPort(), Map.of("X-API-Key", "svm_test", "X-User-ID", "alice"),
                Duration.ofSeconds(10));
        return new RemoteSandbox(http, Http.JSON.readValue("{\"id\":\"sb-0123456789ab\"}", SandboxView.class));
    }

    @Test
    void aRefusedHandshakeIsTheApisTypedError() throws IOException {
        status = 429;
        body = "{\"code\":\"resource_limit\",\"message\":\"too many exec sockets open\"}";
        RemoteSandbox sandbox = sandbox();
        ApiException refused = assertThrows(ApiException.class, () -> sandbox.terminal(80, 24));
        assertEquals(ErrorCode.RESOURCE_LIMIT, refused.code());
        assertEquals("too many exec sockets open", refused.getMessage());
        assertEquals(15L, refused.retryAfterSeconds());
        assertEquals(List.of("/api/v1/sandboxes/sb-0123456789ab/exec/ws key=svm_test user=alice upgrade=websocket"), handshakes);

        status = 404;
        body = "not json";
        assertEquals(ErrorCode.NOT_FOUND, assertThrows(ApiException.class, () -> sandbox.openExecSocket(
                new ExecSocketRequest(null, "true", null, null, null, null, null, null, null, null, null), null)).code());
    }

    @Test
    void aRequestWithoutACommandSendsNothing() throws IOException {
        RemoteSandbox sandbox = sandbox();
        assertThrows(IllegalArgumentException.class, () -> sandbox.openExecSocket(
                new ExecSocketRequest(null, "", null, null, null, null, null, null, null, null, null), null));
        assertTrue(handshakes.isEmpty(), handshakes.toString());
    }
}
