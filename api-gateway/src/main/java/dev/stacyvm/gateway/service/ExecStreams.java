package dev.stacyvm.gateway.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stacyvm.contract.api.ApiError;
import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.contract.api.ExecRequest;
import dev.stacyvm.support.auth.ServiceCredential;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Opens a worker's NDJSON exec stream. The JDK client hands the body over as it arrives, where
 * the REST client would collect it first; closing the returned stream ends the worker's request,
 * which kills the command.
 */
@ApplicationScoped
public class ExecStreams {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Inject
    ServiceCredential credential;

    @Inject
    ObjectMapper json;

    public InputStream open(String workerEndpoint, String sandboxId, ExecRequest request) {
        HttpResponse<InputStream> response;
        try {
            HttpRequest call = HttpRequest.newBuilder(URI.create(workerEndpoint + "/internal/sandboxes/" + sandboxId + "/exec/stream"))
                    .header("Content-Type", "application/json")
                    .header(ServiceCredential.HEADER, credential.token())
                    .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(request)))
                    .build();
            response = http.send(call, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw ApiException.unavailable("the sandbox's worker is unavailable");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.unavailable("the gateway is shutting down");
        }
        if (response.statusCode() != 200) {
            try (InputStream body = response.body()) {
                ApiError error = json.readValue(body, ApiError.class);
                ErrorCode code = ErrorCode.fromWireName(error.code());
                throw new ApiException(code == null ? ErrorCode.forStatus(response.statusCode()) : code, error.message());
            } catch (IOException unreadable) {
                throw new ApiException(ErrorCode.forStatus(response.statusCode()), "the worker refused the exec");
            }
        }
        return response.body();
    }
}
