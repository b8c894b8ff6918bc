package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.api;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.restassured.path.json.JsonPath;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The agent serving inside each sandbox (docs/agent-protocol.md): the worker runs execs and file
 * operations through it, not through the engine's exec API, and a process of the sandbox, though
 * it runs as the same user and can reach the agent's socket, can neither act as the worker, nor read
 * the token that would let it, nor replace the socket or write into the host folder behind it.
 */
class AgentSocketTest {

    /** A worker's request made from inside the sandbox, with a proof made up without the token. */
    private static final String FORGED_REQUEST = """
            import json, socket, struct
            s = socket.socket(socket.AF_UNIX)
            s.connect("/.stacyvm/run/agent.sock")
            def frame():
                head = b""
                while len(head) < 5:
                    head += s.recv(5 - len(head))
                size = struct.unpack(">I", head[1:])[0]
                body = b""
                while len(body) < size:
                    body += s.recv(size - len(body))
                return head[0], body
            kind, hello = frame()
            assert kind == 1, kind
            request = json.dumps({"op": "spawn", "proof": "0" * 64, "nonce": "1" * 32,
                                  "argv": ["/bin/sh", "-c", "touch /workspace/pwned"]}).encode()
            s.sendall(bytes([2]) + struct.pack(">I", len(request)) + request)
            kind, answer = frame()
            print(kind, answer.decode())
            """;

    private final Suite.Sandboxes sandboxes = new Suite.Sandboxes();

    @AfterEach
    void destroy() {
        sandboxes.close();
    }

    private static JsonPath exec(String id, String command) {
        return Suite.exec(id, Map.of("command", command)).then().statusCode(200).extract().jsonPath();
    }

    /**
     * Whether the instance's worker serves sandboxes through their agents' sockets (on unless the
     * run turned it off); asked of the launcher, not of the sandbox, where gVisor refuses a stat of the socket.
     */
    private static void assumeTheAgentServes(String id) {
        assumeTrue(Boolean.parseBoolean(System.getProperty("stacyvm.agent-socket", "true")),
                "the worker runs with its agent socket (stacyvm.worker.agent-socket, on by default)");
    }

    /** The names in the sandbox's /.stacyvm/run, as its user lists them (python: coreutils' ls needs statx). */
    private static String agentFolder(String id) {
        return exec(id, "python3 -c 'import os; print(\" \".join(sorted(os.listdir(\"/.stacyvm/run\"))))'")
                .getString("stdout");
    }

    @Test
    void execsAndFileOperationsGoThroughTheAgentNotTheEnginesExecApi() throws InterruptedException {
        Suite.assumeDocker("the engine's exec API and its events are Docker's");
        String id = sandboxes.create(Map.of("ttl", "5m"));
        assumeTheAgentServes(id);
        String container = Suite.containerOf(id);
        long since = System.currentTimeMillis() / 1000 - 1;
        for (int i = 0; i < 3; i++) {
            assertEquals("hi " + i + "\n", exec(id, "echo hi " + i).getString("stdout"));
        }
        api().body(Map.of("path", "/workspace/a.txt", "content", "through the agent")).post("/sandboxes/{id}/files", id)
                .then().statusCode(200);
        assertEquals("through the agent", api().queryParam("path", "/workspace/a.txt").get("/sandboxes/{id}/files", id)
                .then().statusCode(200).extract().asString());
        Thread.sleep(1100);
        long until = System.currentTimeMillis() / 1000 + 1;

        assertEquals(List.of(), Suite.engineExecsCreated(container, since, until),
                "no engine exec was created for three execs, a write and a read");
    }

    @Test
    void aSandboxProcessCannotActAsTheWorkerOnItsAgentsSocket() {
        String id = sandboxes.create(Map.of("ttl", "5m"));
        assumeTheAgentServes(id);
        api().body(Map.of("path", "/workspace/forge.py", "content", FORGED_REQUEST)).post("/sandboxes/{id}/files", id)
                .then().statusCode(200);
        JsonPath forged = exec(id, "python3 /workspace/forge.py");
        // under runc the agent answers and refuses; gVisor lets no sandbox process connect to a host
        // socket at all (--host-uds=create), which refuses the forgery earlier
        boolean refusedByTheAgent = forged.getInt("exit_code") == 0 && forged.getString("stdout").startsWith("4 ")
                && forged.getString("stdout").contains("unauthorized");
        boolean refusedTheConnection = Suite.GVISOR && forged.getInt("exit_code") != 0
                && forged.getString("stderr").matches("(?s).*(ConnectionRefusedError|PermissionError).*");
        assertTrue(refusedByTheAgent || refusedTheConnection,
                "the agent refuses a request without the worker's proof: " + forged.prettify());
        assertEquals("absent\n", exec(id, "test -e /workspace/pwned && echo present || echo absent").getString("stdout"),
                "nothing ran");
    }

    @Test
    void theAgentsTokenCannotBeReadFromInsideTheSandbox() {
        String id = sandboxes.create(Map.of("ttl", "5m"));
        assumeTheAgentServes(id);
        assertEquals("agent.sock\n", agentFolder(id), "the token file is gone once the agent has read it");
        String pid = exec(id, "ps -eo pid=,ppid=,args= | awk '$2 == 1 && $3 == \"/.stacyvm/bin/stacyvm-agent\" "
                + "&& $4 == \"serve\" { print $1 }'").getString("stdout").strip();
        assertTrue(pid.matches("\\d+"), "the serving agent's pid: " + pid);
        assertEquals("refused\n", exec(id, "head -c 64 /proc/" + pid + "/mem >/dev/null 2>&1 && echo readable "
                + "|| echo refused").getString("stdout"), "the agent's memory, where the token is");
        assertFalse(exec(id, "tr '\\0' '\\n' < /proc/" + pid + "/environ || true").getString("stdout")
                .matches("(?s).*[0-9a-f]{64}.*"), "no token in the agent's environment");
        // gVisor's /proc keeps only the memory of a non-dumpable process from its user (docs/providers.md)
        assumeTrue(!Suite.GVISOR, "under gVisor the agent's environ, maps and fds are readable");
        for (String file : List.of("environ", "mem", "maps", "fd/0")) {
            JsonPath read = exec(id, "head -c 64 /proc/" + pid + "/" + file + " >/dev/null 2>&1 && echo readable || echo refused");
            assertEquals("refused\n", read.getString("stdout"), "/proc/" + pid + "/" + file + " of the non-dumpable agent");
        }
    }

    @Test
    void theAgentsFolderIsClosedToTheSandbox() {
        String id = sandboxes.create(Map.of("ttl", "5m"));
        assumeTheAgentServes(id);
        JsonPath attempts = exec(id, "touch /.stacyvm/run/fill 2>/dev/null && echo wrote; "
                + "rm -f /.stacyvm/run/agent.sock 2>/dev/null; "
                + "mv /.stacyvm/run/agent.sock /.stacyvm/run/x 2>/dev/null && echo moved; "
                + "chmod 777 /.stacyvm/run 2>/dev/null && echo opened; true");
        assertEquals("", attempts.getString("stdout"),
                "the sandbox can neither write into nor change the host folder behind /.stacyvm/run: " + attempts.prettify());
        assertEquals("agent.sock\n", agentFolder(id),
                "the sandbox can neither write into nor change the host folder behind /.stacyvm/run: " + attempts.prettify());
        assertFalse(exec(id, "echo still served").getString("stdout").isEmpty());
    }
}
