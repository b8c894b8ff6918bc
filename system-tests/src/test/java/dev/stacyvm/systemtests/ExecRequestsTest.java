package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.api;
import static dev.stacyvm.systemtests.Suite.exec;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue #15, exec: what a new user sends is run exactly as written or refused with a short, typed
 * 400 before anything runs; the engine's internal errors never reach the answer.
 */
class ExecRequestsTest {

    private final Suite.Sandboxes sandboxes = new Suite.Sandboxes();

    @AfterEach
    void destroyLeftovers() {
        sandboxes.close();
    }

    @Test
    void shellModeQuotesEachArgSoItIsOneLiteralWord() {
        String id = sandboxes.create(Map.of());
        exec(id, Map.of("command", "echo", "args", List.of("$(id -u)", "a;b"))).then().statusCode(200)
                .body("exit_code", equalTo(0)).body("stdout", equalTo("$(id -u) a;b\n")).body("stderr", equalTo(""));
        // a path with a space stays one arg; quotes, backticks, globs and empty args arrive as written
        exec(id, Map.of("command", "printf '%s|'", "args", List.of("/workspace/my file", "it's", "`id`", "*", "")))
                .then().statusCode(200).body("stdout", equalTo("/workspace/my file|it's|`id`|*||"));
        // the command itself is still a shell line, as StacyVM runs it
        exec(id, Map.of("command", "echo $((1+2)) | tr 3 x", "args", List.of())).then().statusCode(200)
                .body("stdout", equalTo("x\n"));
    }

    @Test
    void nothingTheServiceWrapsAroundACommandDependsOnTheUsersPath() {
        String id = sandboxes.create(Map.of());
        // the user's PATH is the command's own: the timeout and the wrapper around it need none
        exec(id, Map.of("command", "echo \"$PATH\"", "env", Map.of("PATH", "/opt/tools"), "timeout", "5s"))
                .then().statusCode(200).body("exit_code", equalTo(0)).body("stdout", equalTo("/opt/tools\n"));
        exec(id, Map.of("command", "/bin/echo", "args", List.of("argv"), "mode", "argv", "env", Map.of("PATH", ""),
                "timeout", "5s")).then().statusCode(200).body("exit_code", equalTo(0)).body("stdout", equalTo("argv\n"));
        // and a timeout still fires with nothing on the PATH (a shell builtin loop)
        exec(id, Map.of("command", "while :; do :; done", "env", Map.of("PATH", "/nowhere"), "timeout", "1s"))
                .then().statusCode(200).body("timed_out", equalTo(true));
        exec(id, Map.of("command", "id -u", "env", Map.of("PATH", "/nowhere"))).then().statusCode(200)
                .body("exit_code", equalTo(127)).body("stderr", containsString("id: not found"));
    }

    @Test
    void aBackgroundProcessLeftBehindDoesNotHoldTheAnswer() {
        String id = sandboxes.create(Map.of());
        // were the answer to wait for the background job's output to close, "late" would be in it
        exec(id, Map.of("command", "(sleep 1; echo late) & echo bg")).then().statusCode(200)
                .body("exit_code", equalTo(0)).body("stdout", equalTo("bg\n"));
        // the job itself is the sandbox's: it runs on after the answer
        exec(id, Map.of("command", "sleep 30 >/dev/null 2>&1 & echo started")).then().statusCode(200)
                .body("stdout", equalTo("started\n"));
        exec(id, Map.of("command", "pgrep -x sleep >/dev/null && echo running")).then().statusCode(200)
                .body("stdout", equalTo("running\n"));
    }

    @Test
    void aNullArgIsRefusedInEitherMode() {
        String id = sandboxes.create(Map.of());
        List<Object> args = new ArrayList<>();
        args.add(null);
        for (String mode : List.of("shell", "argv")) {
            Map<String, Object> body = new HashMap<>(Map.of("command", "echo", "mode", mode));
            body.put("args", args);
            exec(id, body).then().statusCode(400).body("code", equalTo("bad_request"))
                    .body("message", containsString("null"));
        }
    }

    @Test
    void aWorkdirThatCannotBeEnteredIsA400WithAShortMessageAndRunsNothing() {
        String id = sandboxes.create(Map.of());
        exec(id, Map.of("command", "echo data > /workspace/afile; mkdir -p /workspace/locked; chmod 000 /workspace/locked"))
                .then().statusCode(200).body("exit_code", equalTo(0));
        Map<String, String> reasons = Map.of("/nonexistent", "does not exist", "/workspace/afile", "is not a directory",
                "/workspace/locked/inner", "cannot be reached");
        for (Map.Entry<String, String> bad : reasons.entrySet()) {
            for (boolean stream : List.of(false, true)) {
                exec(id, Map.of("command", "touch /workspace/ran", "workdir", bad.getKey(), "stream", stream))
                        .then().statusCode(400).body("code", equalTo("bad_request"))
                        .body("message", equalTo("workdir " + bad.getKey() + " " + bad.getValue()
                                + (bad.getValue().equals("cannot be reached") ? " by the sandbox user" : "")))
                        .body("message", not(containsString("OCI")));
            }
        }
        exec(id, Map.of("command", "test -e /workspace/ran && echo ran || echo nothing")).then().statusCode(200)
                .body("stdout", equalTo("nothing\n"));
        // a good one is where the command runs
        exec(id, Map.of("command", "pwd", "workdir", "/tmp")).then().statusCode(200).body("stdout", equalTo("/tmp\n"));
    }

    @Test
    void anEnvironmentValueWithANulByteIsA400() {
        String id = sandboxes.create(Map.of());
        exec(id, Map.of("command", "env", "env", Map.of("A", "x\u0000y"))).then().statusCode(400)
                .body("code", equalTo("bad_request")).body("message", containsString("NUL"))
                .body("message", not(containsString("OCI")));
    }
}
