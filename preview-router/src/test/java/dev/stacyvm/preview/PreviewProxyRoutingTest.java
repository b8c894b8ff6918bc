package dev.stacyvm.preview;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.sun.net.httpserver.HttpServer;
import dev.stacyvm.contract.event.PreviewRoute;
import dev.stacyvm.contract.event.Topics;
import dev.stacyvm.contract.preview.PreviewTokens;
import dev.stacyvm.testing.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The router in process against a real Kafka broker: routes published on the compacted topic
 * send preview hosts to an app on a loopback port (standing in for a sandbox's published port),
 * private previews need their token, and a request that comes before its route is held until it
 * arrives. No container engine: the app is a plain HTTP server of this JVM.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaTestResource.class, initArgs = @ResourceArg(name = "topics",
        value = "stacyvm.preview-routes:compact"))
class PreviewProxyRoutingTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule());
    private static HttpServer app;

    @Inject
    RouteTable routes;

    @BeforeAll
    static void startTheApp() throws Exception {
        app = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        app.createContext("/", exchange -> {
            byte[] body = ("app saw " + exchange.getRequestMethod() + " " + exchange.getRequestURI() + " host "
                    + exchange.getRequestHeaders().getFirst("Host")).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        app.start();
    }

    @AfterAll
    static void stopTheApp() {
        app.stop(0);
    }

    private static String newSandboxId() {
        return "sb-" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    private static void publish(String sandboxId, PreviewRoute route) throws Exception {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(Topics.PREVIEW_ROUTES, sandboxId, route == null ? null : JSON.writeValueAsString(route))).get();
        }
    }

    private static PreviewRoute route(String sandboxId, boolean publicPreview, long generation) {
        return new PreviewRoute(sandboxId, "owner-1", "running", "127.0.0.1", Map.of(3000, app.getAddress().getPort()),
                publicPreview, Instant.now(), generation);
    }

    /** Waits (bounded) until the router's table holds what Kafka carried for the sandbox. */
    private void awaitRoute(String sandboxId, boolean present) throws InterruptedException {
        Instant deadline = Instant.now().plus(PATIENCE);
        while (routes.find(sandboxId).isPresent() != present && Instant.now().isBefore(deadline)) {
            Thread.sleep(50);
        }
        assertEquals(present, routes.find(sandboxId).isPresent(), "route of " + sandboxId + " present");
    }

    private static Response ask(String sandboxId, int port, String path) {
        return given().header("Host", port + "-" + sandboxId + ".localhost").redirects().follow(false).get(path);
    }

    @Test
    void aPublicPreviewReachesTheAppAtItsPublishedPortWithThePreviewHostKept() throws Exception {
        String id = newSandboxId();
        publish(id, route(id, true, 1));
        awaitRoute(id, true);
        ask(id, 3000, "/page?x=1").then().statusCode(200)
                .body(equalTo("app saw GET /page?x=1 host 3000-" + id + ".localhost"));
    }

    @Test
    void aPrivatePreviewNeedsATokenOfItsCurrentGenerationAndTheAppNeverSeesIt() throws Exception {
        String id = newSandboxId();
        publish(id, route(id, false, 2));
        awaitRoute(id, true);
        ask(id, 3000, "/").then().statusCode(401).body("code", equalTo("unauthorized"))
                .body("message", containsString("/api/v1/sandboxes/" + id + "/preview/3000"));
        PreviewTokens tokens = new PreviewTokens("test-preview-token-secret");
        String stale = tokens.issue(id, 3000, 1, Instant.now().plusSeconds(60));
        given().header("Host", "3000-" + id + ".localhost").header("X-Preview-Token", stale).get("/").then().statusCode(401);
        String current = tokens.issue(id, 3000, 2, Instant.now().plusSeconds(60));
        given().header("Host", "3000-" + id + ".localhost").header("X-Preview-Token", current).get("/a").then()
                .statusCode(200).body(equalTo("app saw GET /a host 3000-" + id + ".localhost"));
    }

    @Test
    void aPreviewInAnotherSitesFrameGetsAPartitionedCookieThatOnlyTheFramesOwnRequestsMayUse() throws Exception {
        String id = newSandboxId();
        publish(id, route(id, false, 1));
        awaitRoute(id, true);
        String token = new PreviewTokens("test-preview-token-secret").issue(id, 3000, 1, Instant.now().plusSeconds(60));
        String host = "3000-" + id + ".localhost";
        Response framed = given().header("Host", host).header("Sec-Fetch-Dest", "iframe").header("Sec-Fetch-Site", "cross-site")
                .redirects().follow(false).get("/app?x=1&preview_token=" + token);
        // a page that moves the frame on by itself, so that its next load is the preview's own request
        framed.then().statusCode(200).header("Cache-Control", "no-store")
                .body(containsString("<meta http-equiv=\"refresh\" content=\"0; url=/app?x=1\">"))
                .body(not(containsString(token)));
        String setCookie = framed.header("Set-Cookie");
        assertTrue(setCookie.startsWith("stacyvm_preview_framed=" + token + ";"), setCookie);
        for (String attribute : new String[] {"HTTPOnly", "SameSite=None", "Secure", "Partitioned", "Path=/"}) {
            assertTrue(setCookie.toLowerCase().contains(attribute.toLowerCase()), attribute + " in " + setCookie);
        }
        String cookie = "stacyvm_preview_framed=" + token;
        // the frame's load after the hand-over page, and its page's requests: same-origin
        given().header("Host", host).header("Cookie", cookie).header("Sec-Fetch-Site", "same-origin")
                .header("Sec-Fetch-Mode", "navigate").header("Sec-Fetch-Dest", "iframe").get("/app")
                .then().statusCode(200).body(equalTo("app saw GET /app host " + host));
        given().header("Host", host).header("Cookie", cookie).header("Sec-Fetch-Site", "same-origin").get("/app")
                .then().statusCode(200).body(equalTo("app saw GET /app host " + host));
        // another preview framed beside it (same partition) navigating its own frame here, or posting
        // a form into it; another site's page opening it
        given().header("Host", host).header("Cookie", cookie).header("Sec-Fetch-Site", "cross-site")
                .header("Sec-Fetch-Mode", "navigate").header("Sec-Fetch-Dest", "iframe").get("/app").then().statusCode(401);
        given().header("Host", host).header("Cookie", cookie).header("Sec-Fetch-Site", "cross-site")
                .header("Sec-Fetch-Mode", "navigate").header("Sec-Fetch-Dest", "iframe").post("/app").then().statusCode(401);
        given().header("Host", host).header("Cookie", cookie).header("Sec-Fetch-Site", "cross-site")
                .header("Sec-Fetch-Mode", "navigate").header("Sec-Fetch-Dest", "document").get("/app").then().statusCode(401);
        // any other page's request that carries it (another preview in the console, another site)
        for (String site : new String[] {"cross-site", "same-site", "none"}) {
            given().header("Host", host).header("Cookie", cookie).header("Sec-Fetch-Site", site).get("/app")
                    .then().statusCode(401);
        }
        given().header("Host", host).header("Cookie", cookie).get("/app").then().statusCode(401);
        // the frame page's WebSocket: no Fetch Metadata on a handshake, but the page's own Origin
        assertTrue(upgrade(host, cookie, "http://" + host).statusCode() != 401, "the frame's own WebSocket passes");
        upgrade(host, cookie, "http://evil.localhost").then().statusCode(401);
        upgrade(host, cookie, null).then().statusCode(401);
        // a tab of its own still gets the first-party cookie
        String topLevel = given().header("Host", host).header("Sec-Fetch-Dest", "document").redirects().follow(false)
                .get("/?preview_token=" + token).header("Set-Cookie");
        assertTrue(topLevel.startsWith("stacyvm_preview=" + token + ";") && topLevel.contains("SameSite=Lax")
                && !topLevel.contains("Partitioned"), topLevel);
    }

    private static Response upgrade(String host, String cookie, String origin) {
        var request = given().header("Host", host).header("Cookie", cookie).header("Connection", "Upgrade")
                .header("Upgrade", "websocket").header("Sec-WebSocket-Version", "13")
                .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
        return (origin == null ? request : request.header("Origin", origin)).get("/ws");
    }

    @Test
    void aPortTheSandboxNeverDeclaredIsNotThereForAnyone() throws Exception {
        String id = newSandboxId();
        publish(id, route(id, true, 1));
        awaitRoute(id, true);
        ask(id, 3001, "/").then().statusCode(404).body("code", equalTo("not_found"));
    }

    @Test
    void aRequestAskedBeforeItsRouteArrivedIsHeldAndServedWhenItDoes() throws Exception {
        String id = newSandboxId();
        CompletableFuture<Response> early = CompletableFuture.supplyAsync(() -> ask(id, 3000, "/early"));
        Thread.sleep(500); // the request waits in the router: no route yet
        assertTrue(!early.isDone(), "held while no route is known");
        publish(id, route(id, true, 1));
        Response answer = early.get(30, TimeUnit.SECONDS);
        assertEquals(200, answer.statusCode(), answer.asString());
        assertEquals("app saw GET /early host 3000-" + id + ".localhost", answer.asString());
    }

    @Test
    void aRequestWhileTheSandboxIsCreatingIsServedOnceItRuns() throws Exception {
        String id = newSandboxId();
        publish(id, new PreviewRoute(id, "owner-1", "creating", null, Map.of(), true, Instant.now(), 1));
        awaitRoute(id, true);
        CompletableFuture<Response> early = CompletableFuture.supplyAsync(() -> ask(id, 3000, "/soon"));
        Thread.sleep(500);
        assertTrue(!early.isDone(), "held while the sandbox is creating: its port is not published yet");
        publish(id, route(id, true, 1));
        Response answer = early.get(30, TimeUnit.SECONDS);
        assertEquals(200, answer.statusCode(), answer.asString());
    }

    @Test
    void aDestroyedSandboxIsNotFoundAtOnce() throws Exception {
        String id = newSandboxId();
        publish(id, route(id, true, 1));
        awaitRoute(id, true);
        publish(id, null);
        awaitRoute(id, false);
        long started = System.nanoTime();
        ask(id, 3000, "/").then().statusCode(404).body("code", equalTo("not_found"));
        assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(4),
                "a tombstoned sandbox is not held for stacyvm.preview.route-wait");
    }
}
