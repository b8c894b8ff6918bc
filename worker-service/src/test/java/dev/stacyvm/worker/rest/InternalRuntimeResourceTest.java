package dev.stacyvm.worker.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.stacyvm.worker.error.RuntimeNotRunningException;
import dev.stacyvm.worker.provider.ExecCommand;
import dev.stacyvm.worker.provider.ExecOutcome;
import dev.stacyvm.worker.provider.ExecOutputSink;
import dev.stacyvm.worker.provider.docker.DockerSandboxProvider;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

/**
 * The worker's REST layer in process, the sandbox runtime a test double: what an exec request
 * becomes for the provider, how its answer and the provider's typed refusals come back, and
 * what is refused before the provider is ever asked.
 */
@QuarkusTest
@TestProfile(InProcessWorker.class)
class InternalRuntimeResourceTest {

    private static final String SERVICE_TOKEN = "test-service-token";
    private static final String SANDBOX = "sb-0123456789ab";
    private DockerSandboxProvider provider;

    @BeforeEach
    void replaceTheRuntime() {
        provider = mock(DockerSandboxProvider.class);
        when(provider.name()).thenReturn("docker");
        QuarkusMock.installMockForType(provider, DockerSandboxProvider.class, io.smallrye.common.annotation.Identifier.Literal.of(DockerSandboxProvider.NAME));
    }

    @Test
    void anExecRunsTheCommandThroughTheShellAndAnswersItsOutputAndExit() throws Exception {
        doAnswer(call -> {
            ExecOutputSink sink = call.getArgument(2);
            sink.accept("stdout", "hello\n");
            sink.accept("stderr", "warned\n");
            return new ExecOutcome(3, Duration.ofMillis(12), false, false);
        }).when(provider).exec(eq(SANDBOX), any(), any());

        given().header("X-Service-Token", SERVICE_TOKEN).contentType(ContentType.JSON)
                .body(Map.of("command", "echo hello; exit 3", "timeout", "5s"))
                .post("/internal/sandboxes/" + SANDBOX + "/exec").then().statusCode(200)
                .body("exit_code", equalTo(3)).body("stdout", equalTo("hello\n")).body("stderr", equalTo("warned\n"))
                .body("timed_out", equalTo(false));

        ArgumentCaptor<ExecCommand> command = ArgumentCaptor.forClass(ExecCommand.class);
        verify(provider).exec(eq(SANDBOX), command.capture(), any());
        assertTrue(command.getValue().argv().contains("echo hello; exit 3"), "the command as given: " + command.getValue().argv());
        assertEquals(Duration.ofSeconds(5), command.getValue().timeout());
    }

    @Test
    void aSandboxThatIsNotRunningIsATypedConflict() {
        doThrow(new RuntimeNotRunningException(SANDBOX)).when(provider).requireRunning(SANDBOX);
        doThrow(new RuntimeNotRunningException(SANDBOX)).when(provider).exec(eq(SANDBOX), any(), any());
        given().header("X-Service-Token", SERVICE_TOKEN).contentType(ContentType.JSON).body(Map.of("command", "true"))
                .post("/internal/sandboxes/" + SANDBOX + "/exec").then().statusCode(409).body("code", equalTo("conflict"));
    }

    @Test
    void aFilePathOutsideTheSandboxesTreeIsRefusedBeforeTheSandboxIsTouched() {
        for (String path : new String[] {"relative/file", "/workspace/../etc/passwd", "/workspace/a\u0000b"}) {
            given().header("X-Service-Token", SERVICE_TOKEN).contentType(ContentType.JSON)
                    .body(Map.of("path", path, "content", "x")).post("/internal/sandboxes/" + SANDBOX + "/files").then()
                    .statusCode(400).body("code", equalTo("bad_request"));
        }
        verify(provider, never()).run(anyString(), any(), any(), any(), any());
    }

    @Test
    void theWorkersApiAnswersOnlyTheServiceToken() {
        given().contentType(ContentType.JSON).body(Map.of("command", "true")).post("/internal/sandboxes/" + SANDBOX + "/exec")
                .then().statusCode(401).body("code", equalTo("unauthorized"));
        given().header("X-Service-Token", "not-the-token").get("/internal/sandboxes").then().statusCode(401);
        verify(provider, never()).exec(anyString(), any(), any());
    }
}
