package dev.stacyvm.worker.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.contract.api.ExecRequest;
import dev.stacyvm.worker.provider.ExecCommand;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExecCommandsTest {

    private static final Duration DEFAULT = Duration.ofSeconds(60);

    private static ExecRequest request(String command, List<String> args, String mode, String timeout) {
        return new ExecRequest(command, args, mode, null, null, timeout, null);
    }

    @Test
    void shellModeRunsTheCommandUnderShC() {
        ExecCommand command = ExecCommands.from(request("echo $HOME | wc -c", null, null, null), DEFAULT);
        assertEquals(List.of("/bin/sh", "-c", "echo $HOME | wc -c"), command.argv());
        assertEquals(DEFAULT, command.timeout());
    }

    @Test
    void argvModeRunsTheCommandWithoutAShell() {
        ExecCommand command = ExecCommands.from(request("python3", List.of("-c", "print(1); print(2)"), "argv", "5s"), DEFAULT);
        assertEquals(List.of("python3", "-c", "print(1); print(2)"), command.argv());
        assertEquals(Duration.ofSeconds(5), command.timeout());
    }

    @Test
    void shellModeAppendsArgsToTheCommandLine() {
        assertEquals(List.of("/bin/sh", "-c", "ls -la /tmp"),
                ExecCommands.from(request("ls", List.of("-la", "/tmp"), "", null), DEFAULT).argv());
    }

    @Test
    void refusesWhatCannotRun() {
        assertBadRequest(request(null, null, null, null));
        assertBadRequest(request("", null, null, null));
        assertBadRequest(request("true", null, "telepathy", null));
        assertBadRequest(request("true", null, null, "soon"));
        assertBadRequest(request("true", null, null, "-1s"));
        assertBadRequest(request("true", null, null, "0s"));
        assertBadRequest(request("true\0rm", null, null, null));
        assertBadRequest(new ExecRequest("true", null, null, Map.of("A=B", "c"), null, null, null));
        assertBadRequest(new ExecRequest("true", null, null, null, "relative/dir", null, null));
    }

    private static void assertBadRequest(ExecRequest request) {
        ApiException refused = assertThrows(ApiException.class, () -> ExecCommands.from(request, DEFAULT));
        assertEquals(ErrorCode.BAD_REQUEST, refused.code());
    }
}
