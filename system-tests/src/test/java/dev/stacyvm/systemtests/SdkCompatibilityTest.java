package dev.stacyvm.systemtests;

import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every request StacyVM's own Python and TypeScript SDKs make ({@code sdk/python} and
 * {@code sdk/js} of StacyOS/stacyvm: {@code client.py}, {@code sandbox.py}, {@code templates.py},
 * {@code streaming.py}, {@code client.ts}, {@code sandbox.ts}, {@code templates.ts},
 * {@code streaming.ts}), replayed as they send it (headers, bodies, a POST without a body or a
 * Content-Type), and each answer checked the way they parse it: the fields they read, with the
 * types they expect; where the Python SDK unpacks an answer whole into a model
 * ({@code QuotaSummary(**json)}, {@code SpawnAdmissionDecision(**json)}), exactly its fields.
 * The one deliberate departure: the image is named, so that these replays do not wait on a pull;
 * the SDKs' default ({@code alpine:latest}) is pulled through the instance's mirror in
 * {@link ImagePullTest}.
 */
class SdkCompatibilityTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<String> sandboxes = new ArrayList<>();
    private final List<String> templates = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (String id : sandboxes) {
            call("DELETE", "/sandboxes/" + id, null);
        }
        for (String name : templates) {
            call("DELETE", "/templates/" + name, null);
        }
    }

    private record Answer(int status, String body, String contentType) {
        JsonNode json() throws IOException {
            return JSON.readTree(body);
        }
    }

    /** A request as the SDKs send it: X-API-Key, and a JSON Content-Type only when there is a body. */
    private Answer call(String method, String path, Object body) throws Exception {
        return call(method, path, body, null);
    }

    /** The same from a client made with a {@code user_id} ({@code userId}), which sends it as X-User-ID. */
    private Answer call(String method, String path, Object body, String userId) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(Suite.URL + "/api/v1" + path))
                .timeout(Duration.ofSeconds(60)).header("X-API-Key", Suite.API_KEY);
        if (userId != null) {
            request.header("X-User-ID", userId);
        }
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.body(), response.headers().firstValue("Content-Type").orElse(""));
    }

    private static void success(Answer answer, String what) {
        assertTrue(answer.status() / 100 == 2, what + " answers 2xx (the SDKs' is_success / ok): " + answer);
    }

    private static void fields(JsonNode node, Map<String, Class<?>> expected, String what) {
        expected.forEach((name, type) -> {
            JsonNode field = node.get(name);
            assertNotNull(field, what + " carries " + name + ": " + node);
            switch (type.getSimpleName()) {
                case "String" -> assertTrue(field.isTextual(), what + "." + name + " is a string: " + field);
                case "Integer" -> assertTrue(field.isIntegralNumber(), what + "." + name + " is an integer: " + field);
                case "Boolean" -> assertTrue(field.isBoolean(), what + "." + name + " is a boolean: " + field);
                case "List" -> assertTrue(field.isArray(), what + "." + name + " is an array: " + field);
                case "Map" -> assertTrue(field.isObject() || field.isNull(), what + "." + name + " is an object: " + field);
                default -> throw new IllegalArgumentException(type.toString());
            }
        });
    }

    /** The field names of an answer a Python model is built from whole: exactly these, or it raises. */
    private static void exactly(JsonNode node, Set<String> names, String what) {
        Set<String> actual = new java.util.TreeSet<>();
        node.fieldNames().forEachRemaining(actual::add);
        assertEquals(new java.util.TreeSet<>(names), actual, what + " has exactly the fields its model takes");
    }

    private static final Map<String, Class<?>> SANDBOX = Map.of("id", String.class, "state", String.class,
            "provider", String.class, "image", String.class, "memory_mb", Integer.class, "vcpus", Integer.class,
            "created_at", String.class, "expires_at", String.class);

    @Test
    void theClientCallsAnswerAsTheSdksParseThem() throws Exception {
        // spawn(): POST /sandboxes, reads id, state, provider, image, memory_mb, vcpus, preview_domain
        Answer spawned = call("POST", "/sandboxes", Map.of("image", "stacyvm/base:bookworm", "memory_mb", 512, "vcpus", 1,
                "ttl", "10m", "metadata", Map.of("sdk", "python")));
        success(spawned, "spawn");
        JsonNode sandbox = spawned.json();
        fields(sandbox, SANDBOX, "spawn");
        assertTrue(sandbox.has("preview_domain"), "spawn carries preview_domain: " + sandbox);
        String id = sandbox.get("id").asText();
        sandboxes.add(id);

        // admission(): the Python SDK builds SpawnAdmissionDecision(**json)
        Answer admission = call("POST", "/sandboxes/admission", Map.of("memory_mb", 512));
        success(admission, "admission");
        exactly(admission.json(), Set.of("allowed", "queueable", "reason", "active_sandboxes", "max_sandboxes",
                "active_owner_sandboxes", "max_owner_sandboxes", "max_ttl"), "admission");
        fields(admission.json(), Map.of("allowed", Boolean.class, "reason", String.class), "admission");

        // get() / refresh(), list(): the whole dict is kept; list() reads these per entry
        Answer got = call("GET", "/sandboxes/" + id, null);
        success(got, "get");
        fields(got.json(), SANDBOX, "get");
        Answer listed = call("GET", "/sandboxes", null);
        success(listed, "list");
        assertTrue(listed.json().isArray(), "list is an array");
        boolean found = false;
        for (JsonNode entry : listed.json()) {
            fields(entry, Map.of("id", String.class, "state", String.class, "provider", String.class, "image", String.class),
                    "list entry");
            found |= entry.get("id").asText().equals(id);
        }
        assertTrue(found, "list holds the sandbox");

        // pool_status(): the Python SDK's test reads "enabled"
        Answer pool = call("GET", "/pool/status", null);
        success(pool, "pool_status");
        fields(pool.json(), Map.of("enabled", Boolean.class), "pool_status");

        // quota_summary(): QuotaSummary(**json), exactly its four integer fields
        Answer summary = call("GET", "/quotas/summary", null);
        success(summary, "quota_summary");
        exactly(summary.json(), Set.of("total", "with_max_sandboxes", "with_max_ttl", "with_max_exec_timeout"), "quota_summary");
        fields(summary.json(), Map.of("total", Integer.class, "with_max_sandboxes", Integer.class, "with_max_ttl", Integer.class,
                "with_max_exec_timeout", Integer.class), "quota_summary");

        // health(): the SDKs' tests compare status with "ok"; HealthInfo has version and uptime
        Answer health = call("GET", "/health", null);
        success(health, "health");
        fields(health.json(), Map.of("status", String.class, "version", String.class, "uptime", String.class), "health");
        assertEquals("ok", health.json().get("status").asText());

        // providers(): name, healthy, default
        Answer providers = call("GET", "/providers", null);
        success(providers, "providers");
        for (JsonNode provider : providers.json()) {
            fields(provider, Map.of("name", String.class, "healthy", Boolean.class, "default", Boolean.class), "provider");
        }

        // ProviderManager.test(): POST without a body, returned as dict[str, bool]
        Answer tested = call("POST", "/providers/test", null);
        success(tested, "providers.test");
        assertTrue(tested.json().isObject(), "providers.test is an object of name to health: " + tested.body());
        tested.json().fields().forEachRemaining(entry -> assertTrue(entry.getValue().isBoolean(),
                "providers.test." + entry.getKey() + " is a boolean: " + tested.body()));
        assertEquals(true, tested.json().path("docker").asBoolean(false), "docker is healthy: " + tested.body());

        // extend_ttl(): JS keeps the answer as the sandbox
        Answer extended = call("POST", "/sandboxes/" + id + "/extend", Map.of("ttl", "30m"));
        success(extended, "extend");
        fields(extended.json(), SANDBOX, "extend");

        // prune(): pruned, an integer
        Answer pruned = call("DELETE", "/sandboxes", null);
        success(pruned, "prune");
        fields(pruned.json(), Map.of("pruned", Integer.class), "prune");

        // destroy(), twice (the SDKs' __exit__ and withSandbox destroy again)
        success(call("DELETE", "/sandboxes/" + id, null), "destroy");
        success(call("DELETE", "/sandboxes/" + id, null), "a second destroy");
        assertEquals(404, call("GET", "/sandboxes/" + id, null).status(), "a destroyed sandbox is gone for get()");
    }

    @Test
    void theSandboxCallsAnswerAsTheSdksParseThem() throws Exception {
        Answer spawned = call("POST", "/sandboxes", Map.of("image", "stacyvm/base:bookworm", "ttl", "10m"));
        success(spawned, "spawn");
        String id = spawned.json().get("id").asText();
        sandboxes.add(id);
        String sb = "/sandboxes/" + id;

        // exec(): exit_code (int), stdout, stderr (required), duration
        Answer exec = call("POST", sb + "/exec", Map.of("command", "echo", "args", List.of("hi there"), "mode", "shell",
                "env", Map.of("A", "1"), "workdir", "/workspace", "timeout", "30s"));
        success(exec, "exec");
        fields(exec.json(), Map.of("exit_code", Integer.class, "stdout", String.class, "stderr", String.class,
                "duration", String.class), "exec");
        assertEquals("hi there\n", exec.json().get("stdout").asText());

        // exec_stream(): NDJSON; each non-blank line a JSON object, read for stream and data
        Answer stream = call("POST", sb + "/exec", Map.of("command", "echo out; echo err >&2", "stream", true));
        success(stream, "exec_stream");
        StringBuilder out = new StringBuilder();
        StringBuilder err = new StringBuilder();
        for (String line : stream.body().split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode chunk = JSON.readTree(line);
            assertTrue(chunk.isObject(), "every line is a JSON object (the Python parsers fail on anything else): " + line);
            String name = chunk.path("stream").asText("stdout");
            assertTrue(Set.of("stdout", "stderr").contains(name), "stream is stdout or stderr: " + line);
            (name.equals("stderr") ? err : out).append(chunk.path("data").asText(""));
        }
        assertEquals("out\n", out.toString());
        assertEquals("err\n", err.toString());

        // write_file (mode as octal text), read_file (raw text), list_files, stat_file, glob_files
        success(call("POST", sb + "/files", Map.of("path", "/workspace/hello.txt", "content", "hello world", "mode", "0644")),
                "write_file");
        Answer read = call("GET", sb + "/files?path=" + URLEncoder.encode("/workspace/hello.txt", StandardCharsets.UTF_8), null);
        success(read, "read_file");
        assertEquals("hello world", read.body());
        Answer list = call("GET", sb + "/files/list?path=%2Fworkspace", null);
        success(list, "list_files");
        boolean listed = false;
        for (JsonNode entry : list.json()) {
            fields(entry, Map.of("name", String.class, "path", String.class, "size", Integer.class, "is_dir", Boolean.class,
                    "mod_time", String.class, "mode", String.class), "list_files entry");
            listed |= entry.get("path").asText().equals("/workspace/hello.txt");
        }
        assertTrue(listed, "list_files names the file by path");
        Answer stat = call("GET", sb + "/files/stat?path=%2Fworkspace%2Fhello.txt", null);
        success(stat, "stat_file");
        assertEquals(11, stat.json().get("size").asInt(), "the Python SDK's test: size == 11");
        assertEquals(false, stat.json().get("is_dir").asBoolean(true));
        Answer glob = call("GET", sb + "/files/glob?pattern=" + URLEncoder.encode("/workspace/*.txt", StandardCharsets.UTF_8), null);
        success(glob, "glob_files");
        Iterator<JsonNode> matches = glob.json().elements();
        assertTrue(matches.hasNext() && matches.next().isTextual(), "glob_files is a list of strings: " + glob.body());

        // move_file, chmod_file, delete_file (recursive only when asked)
        success(call("POST", sb + "/files/move", Map.of("old_path", "/workspace/hello.txt", "new_path", "/workspace/moved.txt")),
                "move_file");
        success(call("POST", sb + "/files/chmod", Map.of("path", "/workspace/moved.txt", "mode", "755")), "chmod_file");
        success(call("DELETE", sb + "/files?path=%2Fworkspace%2Fmoved.txt", null), "delete_file");
        success(call("POST", sb + "/exec", Map.of("command", "mkdir -p /workspace/d/e")), "mkdir");
        success(call("DELETE", sb + "/files?path=%2Fworkspace%2Fd&recursive=true", null), "delete_file recursive");
    }

    /**
     * {@code get_preview_url(port)} ({@code getPreviewUrl}) builds
     * {@code http://{port}-{id}.{preview_domain}} from the sandbox's answer: that address reaches
     * the app of a public preview through the router, and a private preview's refusal says where
     * its tokened URL comes from.
     */
    @Test
    void theSdksPreviewUrlReachesThePreview() throws Exception {
        Answer spawned = call("POST", "/sandboxes", Map.of("image", "stacyvm/base:bookworm", "ttl", "10m",
                "ports", List.of(3000), "public_preview", true));
        success(spawned, "spawn");
        String id = spawned.json().get("id").asText();
        sandboxes.add(id);
        success(call("POST", "/sandboxes/" + id + "/exec", Map.of("command",
                "mkdir -p /tmp/site && echo sdk-preview > /tmp/site/index.html && "
                        + "(setsid python3 -m http.server 3000 -d /tmp/site >/dev/null 2>&1 < /dev/null &)")), "exec");
        URI url = URI.create("http://3000-" + id + "." + spawned.json().get("preview_domain").asText());
        Response answer = null;
        for (int attempt = 0; attempt < 60 && (answer == null || answer.statusCode() != 200); attempt++) {
            Thread.sleep(250);
            answer = RestAssured.given().baseUri("http://127.0.0.1:" + url.getPort())
                    .header("Host", url.getAuthority()).get("/");
        }
        assertEquals(200, answer.statusCode(), url + ": " + answer.asString());
        assertEquals("sdk-preview\n", answer.asString(), "the app answers at the SDK's preview URL " + url);

        Answer privately = call("POST", "/sandboxes", Map.of("image", "stacyvm/base:bookworm", "ttl", "10m",
                "ports", List.of(3000)));
        success(privately, "spawn");
        String privateId = privately.json().get("id").asText();
        sandboxes.add(privateId);
        URI privateUrl = URI.create("http://3000-" + privateId + "." + privately.json().get("preview_domain").asText());
        RestAssured.given().baseUri("http://127.0.0.1:" + privateUrl.getPort())
                .header("Host", privateUrl.getAuthority()).get("/").then().statusCode(401)
                .body("message", containsString("/api/v1/sandboxes/" + privateId + "/preview/3000"));
    }

    @Test
    void aClientMadeWithAUserIdHoldingAColonWorksForItsSandboxes() throws Exception {
        // Client(user_id="org:alice") sends X-User-ID: org:alice on every call, as StacyVM allows
        // (who else reaches that user's sandboxes: OwnerModelTest.endUserIdsWithColonsAreTheirKeysEndUsersAndNoOneElses)
        String alice = "sdk-org-" + UUID.randomUUID().toString().substring(0, 6) + ":alice";
        Answer spawned = call("POST", "/sandboxes", Map.of("image", "stacyvm/base:bookworm", "ttl", "10m"), alice);
        success(spawned, "spawn as " + alice);
        String id = spawned.json().get("id").asText();
        sandboxes.add(id);
        assertTrue(spawned.json().get("owner_id").asText().endsWith(":" + alice), "the owner is the key's end user "
                + alice + ": " + spawned.body());
        success(call("GET", "/sandboxes/" + id, null, alice), "get as " + alice);
        Answer exec = call("POST", "/sandboxes/" + id + "/exec", Map.of("command", "echo ok"), alice);
        success(exec, "exec as " + alice);
        assertEquals("ok\n", exec.json().get("stdout").asText());
        assertTrue(call("GET", "/sandboxes", null, alice).body().contains(id), "the list as " + alice + " holds it");
        success(call("POST", "/sandboxes/admission", Map.of(), alice), "admission as " + alice);
        success(call("DELETE", "/sandboxes/" + id, null, alice), "destroy as " + alice);
    }

    @Test
    void theTemplateCallsAnswerAsTheSdksParseThem() throws Exception {
        String name = "sdk-" + UUID.randomUUID().toString().substring(0, 8);
        // templates.save(): the Python SDK sends every field, provider "" meaning the default
        Answer saved = call("POST", "/templates", Map.of("name", name, "image", "stacyvm/base:bookworm", "memory_mb", 512,
                "vcpus", 1, "ttl", "30m", "provider", "", "metadata", Map.of()));
        success(saved, "templates.save");
        templates.add(name);
        Map<String, Class<?>> template = Map.of("name", String.class, "image", String.class, "memory_mb", Integer.class,
                "vcpus", Integer.class, "ttl", String.class);
        fields(saved.json(), template, "templates.save");
        Answer got = call("GET", "/templates/" + name, null);
        success(got, "templates.get");
        fields(got.json(), template, "templates.get");
        Answer listed = call("GET", "/templates", null);
        success(listed, "templates.list");
        assertInstanceOf(com.fasterxml.jackson.databind.node.ArrayNode.class, listed.json());

        // spawn_template(): Python posts no body and no Content-Type; JS posts {} or overrides
        Answer bare = call("POST", "/templates/" + name + "/spawn", null);
        success(bare, "spawn_template without a body");
        sandboxes.add(bare.json().get("id").asText());
        fields(bare.json(), SANDBOX, "spawn_template");
        Answer withOverrides = call("POST", "/templates/" + name + "/spawn", Map.of("ttl", "5m"));
        success(withOverrides, "templates.spawn with overrides");
        sandboxes.add(withOverrides.json().get("id").asText());

        success(call("DELETE", "/templates/" + name, null), "templates.delete");
        templates.remove(name);
    }
}
