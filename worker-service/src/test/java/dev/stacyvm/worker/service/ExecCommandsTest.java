package dev.stacyvm.worker.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.stacyvm.contract.api.ExecRequest;
import dev.stacyvm.worker.error.InvalidRequestException;
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
    void shellModeQuotesEachArgAsOneLiteralWord() {
        assertEquals(List.of("/bin/sh", "-c", "ls '-la' '/tmp'"),
                ExecCommands.from(request("ls", List.of("-la", "/tmp"), "", null), DEFAULT).argv());
        assertEquals("echo '$(id -u)' 'a;b' 'my file' 'it'\\''s' '' '`x`'",
                ExecCommands.from(request("echo", List.of("$(id -u)", "a;b", "my file", "it's", "", "`x`"), null, null),
                        DEFAULT).argv().get(2));
    }

    @Test
    void shellQuotingSurvivesARealShell() throws Exception {
        List<String> args = List.of("$(id -u)", "a;b", "my  file", "it's", "", "`x`", "\\n", "*", "-n");
        List<String> argv = ExecCommands.from(request("printf '%s|'", args, null, null), DEFAULT).argv();
        Process shell = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String printed = new String(shell.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, shell.waitFor());
        assertEquals(String.join("|", args) + "|", printed, "each arg arrives as written, one word each");
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
        java.util.List<String> nullArg = new java.util.ArrayList<>();
        nullArg.add(null);
        assertBadRequest(request("echo", nullArg, null, null));
        assertBadRequest(request("echo", nullArg, "argv", null));
        assertBadRequest(new ExecRequest("env", null, null, Map.of("A", "x\0y"), null, null, null));
        java.util.Map<String, String> nullValue = new java.util.HashMap<>();
        nullValue.put("A", null);
        assertBadRequest(new ExecRequest("env", null, null, nullValue, null, null, null));
        assertBadRequest(new ExecRequest("true", null, null, null, "/tmp\0x", null, null));
    }

    @Test
    void aWorkdirTheAgentCouldNotEnterIsRefusedInItsOwnWords() {
        assertEquals("workdir /nope does not exist",
                ExecCommands.workdirRefusal(ExecCommands.WORKDIR_MARK + "/nope does not exist\n", "/nope"));
        assertEquals("workdir /x cannot be used", ExecCommands.workdirRefusal("", "/x"));
    }

    private static void assertBadRequest(ExecRequest request) {
        assertThrows(InvalidRequestException.class, () -> ExecCommands.from(request, DEFAULT));
    }
}
