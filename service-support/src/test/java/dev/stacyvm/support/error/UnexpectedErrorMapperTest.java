package dev.stacyvm.support.error;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stacyvm.contract.api.ApiError;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

/** What an exception no mapper claimed answers: a bug is ours, an engine failure the provider's. */
class UnexpectedErrorMapperTest {

    private final UnexpectedErrorMapper mapper = new UnexpectedErrorMapper();

    /** An exception as the container engine's client throws it from its own code (a transport's I/O failure). */
    private static RuntimeException thrownByTheEngineClient() {
        RuntimeException wrapped = new RuntimeException(new IOException("Broken pipe"));
        wrapped.setStackTrace(new StackTraceElement[] {
                new StackTraceElement("com.github.dockerjava.httpclient5.ApacheDockerHttpClientImpl", "execute", null, 1)});
        return wrapped;
    }

    @Test
    void aBugOfOursIsAnInternalErrorWithAnIncidentIdNeverTheCause() {
        Response answer = mapper.toResponse(new NullPointerException("secret detail of the bug"));
        ApiError error = (ApiError) answer.getEntity();
        assertEquals(500, answer.getStatus());
        assertEquals("internal_error", error.code());
        assertTrue(error.message().matches("internal error \\(incident [0-9a-f]{8}\\)"), error.message());
        assertFalse(error.message().contains("secret"), "the cause stays in the log");
    }

    @Test
    void theEngineClientFailingIsAProviderError() {
        assertTrue(UnexpectedErrorMapper.fromTheEngine(thrownByTheEngineClient()));
        assertTrue(UnexpectedErrorMapper.fromTheEngine(new IllegalStateException("while creating", thrownByTheEngineClient())),
                "found anywhere in the cause chain");
        Response answer = mapper.toResponse(thrownByTheEngineClient());
        assertEquals(500, answer.getStatus());
        assertEquals("provider_error", ((ApiError) answer.getEntity()).code());
    }

    @Test
    void anotherServiceOutOfReachIsUnavailable() {
        Response answer = mapper.toResponse(new RuntimeException(new ConnectException("Connection refused")));
        assertEquals(503, answer.getStatus());
        assertEquals("unavailable", ((ApiError) answer.getEntity()).code());
    }

    @Test
    void ourOwnCodeIsNotTheEngine() {
        assertFalse(UnexpectedErrorMapper.fromTheEngine(new IllegalArgumentException("a bug")));
        NullPointerException checkedByTheClientsBuilder = new NullPointerException("image was null");
        checkedByTheClientsBuilder.setStackTrace(new StackTraceElement[] {
                new StackTraceElement("com.github.dockerjava.core.command.CreateContainerCmdImpl", "withImage", null, 1)});
        assertFalse(UnexpectedErrorMapper.fromTheEngine(checkedByTheClientsBuilder),
                "what the client's builders refuse is what we passed them");
    }

    @Test
    void theEnginesSocketRefusingIsAProviderErrorNotAServiceAway() {
        RuntimeException refused = new RuntimeException(new ConnectException("Connection refused"));
        refused.setStackTrace(new StackTraceElement[] {
                new StackTraceElement("com.github.dockerjava.httpclient5.ApacheDockerHttpClientImpl", "execute", null, 1)});
        Response answer = mapper.toResponse(refused);
        assertEquals("provider_error", ((ApiError) answer.getEntity()).code());
    }
}
