package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.api;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * OIDC bearer tokens from the real Keycloak `./stacyvm test` starts with deploy/keycloak's realm:
 * its tokens work with the roles and tenant they carry; forged, tampered, unsigned, expired and
 * wrong-audience tokens do not, and refusals are audited without the token.
 */
class OidcTest {

    private static final String ISSUER = System.getProperty("stacyvm.keycloak-url", "");
    private final List<String> created = new ArrayList<>();

    @BeforeAll
    static void keycloakIsPartOfTheSuite() {
        assumeTrue(!ISSUER.isEmpty(), "run through ./stacyvm test, which starts Keycloak (-Dstacyvm.keycloak-url)");
    }

    @AfterEach
    void destroyCreated() {
        for (String id : created) {
            api().delete("/sandboxes/{id}", id);
        }
    }

    private static JsonPath grant(Map<String, String> form) {
        return RestAssured.given().contentType(ContentType.URLENC).formParams(form)
                .post(ISSUER + "/protocol/openid-connect/token").then().statusCode(200).extract().jsonPath();
    }

    private static String passwordToken(String client, String user) {
        return grant(Map.of("grant_type", "password", "client_id", client, "username", user, "password", user))
                .getString("access_token");
    }

    private static RequestSpecification bearer(String token) {
        return RestAssured.given().baseUri(Suite.URL).basePath("/api/v1").header("Authorization", "Bearer " + token)
                .contentType(ContentType.JSON).log().ifValidationFails();
    }

    @Test
    void aKeycloakTokenActsForItsUserInItsTenantWithItsRole() {
        String demo = passwordToken("stacyvm-cli", "demo");
        String id = bearer(demo).body(Map.of("ttl", "5m")).post("/sandboxes").then().statusCode(201)
                .body("owner_id", startsWith("demo:@")).extract().path("id");
        created.add(id);
        bearer(demo).get("/sandboxes").then().statusCode(200).body("id", hasItem(id));
        bearer(demo).body(Map.of("command", "echo", "args", List.of("hello"))).post("/sandboxes/{id}/exec", id)
                .then().statusCode(200).body("stdout", equalTo("hello\n"));

        // another user of the same tenant is another owner: the sandbox does not exist for them
        String viewer = passwordToken("stacyvm-cli", "demo-viewer");
        bearer(viewer).get("/sandboxes/{id}", id).then().statusCode(404);
        bearer(viewer).body(Map.of()).post("/sandboxes").then().statusCode(403).body("code", equalTo("forbidden"));
        // the tenant's operator sees it; an ordinary user may not reach the admin routes
        bearer(passwordToken("stacyvm-cli", "demo-operator")).get("/sandboxes/{id}", id).then().statusCode(200);
        bearer(demo).get("/quotas").then().statusCode(403).body("code", equalTo("forbidden"));
        bearer(passwordToken("stacyvm-cli", "demo-admin")).get("/quotas/{owner}", "demo:demo").then().statusCode(200)
                .body("owner_id", equalTo("demo:demo"));
    }

    @Test
    void aServiceAccountTokenFromClientCredentialsWorks() {
        String token = grant(Map.of("grant_type", "client_credentials", "client_id", "stacyvm-automation",
                "client_secret", "stacyvm-automation-dev-secret")).getString("access_token");
        String user = "job-" + UUID.randomUUID().toString().substring(0, 8);
        created.add(bearer(token).header("X-User-ID", user).body(Map.of("ttl", "5m")).post("/sandboxes")
                .then().statusCode(201).body("owner_id", allOf(startsWith("automation:@"), endsWith(":" + user)))
                .extract().path("id"));
    }

    @Test
    void forgedTamperedAndUnsignedTokensAreRefused() throws Exception {
        String real = passwordToken("stacyvm-cli", "demo");
        String[] parts = real.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        String escalated = payload.replace("\"roles\":[\"user\"]", "\"roles\":[\"admin\"]");
        assertTrue(!escalated.equals(payload), "the demo token lists its roles: " + payload);

        // the real header and claims, promoted to admin, signed with a key Keycloak never saw
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair attacker = generator.generateKeyPair();
        String forged = sign(parts[0], encode(escalated), attacker);
        // the real signature over changed claims
        String tampered = parts[0] + "." + encode(escalated) + "." + parts[2];
        // no signature at all
        String unsigned = encode("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + encode(escalated) + ".";

        for (String token : List.of(forged, tampered, unsigned, "not-a-jwt", real.substring(0, real.length() - 4) + "AAAA")) {
            bearer(token).get("/quotas").then().statusCode(401).body("code", equalTo("unauthorized"));
            bearer(token).body(Map.of()).post("/sandboxes").then().statusCode(401);
        }
        bearer(real).get("/sandboxes").then().statusCode(200);
        assertDeniedWithoutToken(forged);
    }

    @Test
    void anExpiredTokenIsRefused() throws Exception {
        // this client's tokens live 5 seconds
        JsonPath answer = grant(Map.of("grant_type", "password", "client_id", "stacyvm-short-lived",
                "username", "demo", "password", "demo"));
        String token = answer.getString("access_token");
        bearer(token).get("/sandboxes").then().statusCode(200);
        long exp = JsonPath.from(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8))
                .getLong("exp");
        long waitMillis = (exp - Instant.now().getEpochSecond() + 2) * 1000;
        assertTrue(waitMillis <= 10_000, "the short-lived client's tokens expire within seconds");
        Thread.sleep(Math.max(0, waitMillis));
        bearer(token).get("/sandboxes").then().statusCode(401).body("code", equalTo("unauthorized"));
    }

    /**
     * A session lives on after the request that opened it was authorised: a terminal opened with a
     * bearer token closes when the token expires (the gateway checks every 5 s), and its command stops.
     */
    @Test
    void aTerminalOpenedWithABearerTokenClosesWhenTheTokenExpires() throws Exception {
        terminalClosesWhenItsBearerTokenExpires("sleep 3141",
                (sandbox, token) -> ExecSocket.openWith(sandbox, Map.of("Authorization", "Bearer " + token), null));
    }

    /** The same through an exec socket token (a browser's): it inherits the expiry of the bearer token that made it. */
    @Test
    void aTerminalOpenedWithATokenABearerTokenMadeClosesWhenTheBearerTokenExpires() throws Exception {
        terminalClosesWhenItsBearerTokenExpires("sleep 3142", (sandbox, token) -> ExecSocket.open(sandbox, (String) null,
                "token=" + bearer(token).post("/sandboxes/{id}/exec/ws/token", sandbox).then().statusCode(200)
                        .extract().<String>path("token")));
    }

    private void terminalClosesWhenItsBearerTokenExpires(String command,
                                                         java.util.function.BiFunction<String, String, ExecSocket> open)
            throws Exception {
        // the sandbox is the demo user's (any of its tokens is the same owner); the terminal's token lives 5 s
        String sandbox = bearer(passwordToken("stacyvm-cli", "demo")).body(Map.of("ttl", "5m")).post("/sandboxes")
                .then().statusCode(201).extract().path("id");
        created.add(sandbox);
        String shortLived = passwordToken("stacyvm-short-lived", "demo");
        long exp = JsonPath.from(new String(Base64.getUrlDecoder().decode(shortLived.split("\\.")[1]), StandardCharsets.UTF_8))
                .getLong("exp");
        try (ExecSocket socket = open.apply(sandbox, shortLived)) {
            socket.send(Map.of("command", "echo started; " + command));
            socket.awaitOutput(output -> output.contains("started"), 30);

            int status = socket.awaitClose(30);
            assertEquals(1008, status, socket.received().toString());
            assertTrue(Instant.now().getEpochSecond() >= exp, "closed at its expiry, not before");
            assertTrue(socket.received().stream().anyMatch(frame -> "unauthorized".equals(frame.path("code").asText())),
                    socket.received().toString());
        }
        // the command went with the terminal (asked as the admin); the bracket keeps grep from finding itself
        String pattern = command.substring(0, command.length() - 1) + "[" + command.charAt(command.length() - 1) + "]";
        String left = "1";
        for (int attempt = 0; attempt < 40 && !"0".equals(left); attempt++) {
            left = api().body(Map.of("command", "for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < $f; echo; done"
                            + " | grep -c '" + pattern + "' || true")).post("/sandboxes/{id}/exec", sandbox)
                    .then().statusCode(200).extract().<String>path("stdout").trim();
            Thread.sleep(250);
        }
        assertEquals("0", left, "the terminal's command stopped with it");
    }

    @Test
    void aTokenForAnotherAudienceIsRefused() {
        String token = passwordToken("other-app", "demo");
        bearer(token).get("/sandboxes").then().statusCode(401).body("code", equalTo("unauthorized"));
    }

    private static void assertDeniedWithoutToken(String token) throws InterruptedException {
        String marker = "/sandboxes/oidc-" + UUID.randomUUID().toString().substring(0, 8);
        bearer(token).get(marker).then().statusCode(401);
        String found = "";
        for (int attempt = 0; attempt < 40 && !found.contains(marker); attempt++) {
            Thread.sleep(250);
            found = api().queryParam("action", "auth.denied").queryParam("target", "/api/v1" + marker)
                    .get("/admin/audit").then().statusCode(200).extract().asString();
        }
        assertTrue(found.contains("bearer token"), found);
        assertFalse(found.contains(token.split("\\.")[2].substring(0, 16)), "the presented token is never recorded");
    }

    private static String encode(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String sign(String header, String payload, KeyPair key) throws Exception {
        Signature signature = Signature.getInstance("SHA256withRSA");
        signature.initSign(key.getPrivate());
        signature.update((header + "." + payload).getBytes(StandardCharsets.US_ASCII));
        return header + "." + payload + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(signature.sign());
    }
}
