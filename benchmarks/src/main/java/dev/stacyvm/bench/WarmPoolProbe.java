package dev.stacyvm.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Reads the worker's warm pool of one image (`GET /internal/warm-pool`, with the service token). */
final class WarmPoolProbe {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final String workerUrl;
    private final String serviceToken;
    private final String image;

    WarmPoolProbe(String workerUrl, String serviceToken, String image) {
        this.workerUrl = workerUrl;
        this.serviceToken = serviceToken;
        this.image = image;
    }

    /** The pool of the image, or null when the worker keeps none. */
    JsonNode pool() throws Exception {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(workerUrl + "/internal/warm-pool"))
                .header("X-Service-Token", serviceToken).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
            throw new IllegalStateException("the worker's warm pool answered " + answer.statusCode());
        }
        for (JsonNode pool : JSON.readTree(answer.body())) {
            if (image.equals(pool.get("image").asText())) {
                return pool;
            }
        }
        return null;
    }

    /** Waits (at most 60 s) until the pool holds its target, as it does between bursts of creates. */
    void awaitFull() throws Exception {
        for (int attempt = 0; attempt < 600; attempt++) {
            JsonNode pool = pool();
            if (pool == null || pool.get("ready").asInt() >= pool.get("target").asInt()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the warm pool did not fill up in 60 s: " + pool());
    }
}
