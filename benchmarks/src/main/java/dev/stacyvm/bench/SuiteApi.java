package dev.stacyvm.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** The suite's public API, as a client uses it. */
final class SuiteApi {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String key;

    SuiteApi(String url, String key) {
        this.base = url + "/api/v1";
        this.key = key;
    }

    JsonNode json(String method, String path, String user, Object body) throws Exception {
        HttpResponse<String> answer = http.send(request(method, path, user)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() >= 300) {
            throw new IllegalStateException(method + " " + path + " answered " + answer.statusCode() + ": " + answer.body());
        }
        return JSON.readTree(answer.body());
    }

    /** Sends a stream (a tar archive) and reads a JSON answer. */
    void put(String path, String user, InputStream body) throws Exception {
        HttpResponse<String> answer = http.send(request("PUT", path, user).setHeader("Content-Type", "application/x-tar")
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> body)).build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() >= 300) {
            throw new IllegalStateException("PUT " + path + " answered " + answer.statusCode() + ": " + answer.body());
        }
    }

    /** Reads a raw answer to its end and answers its size. */
    long drain(String path, String user) throws Exception {
        HttpResponse<InputStream> answer = http.send(request("GET", path, user).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = answer.body()) {
            long size = body.transferTo(java.io.OutputStream.nullOutputStream());
            if (answer.statusCode() >= 300) {
                throw new IllegalStateException("GET " + path + " answered " + answer.statusCode());
            }
            return size;
        }
    }

    String create(String user, Map<String, Object> body) throws Exception {
        return json("POST", "/sandboxes", user, body).get("id").asText();
    }

    private HttpRequest.Builder request(String method, String path, String user) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(5))
                .header("X-API-Key", key).header("X-User-ID", user).header("Content-Type", "application/json");
    }
}
