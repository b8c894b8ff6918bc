package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.api;
import static org.hamcrest.Matchers.containsStringIgnoringCase;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.RestAssured;
import io.restassured.config.HttpClientConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile paths and archives against the files API: every one is refused with the right 4xx, answers
 * promptly, leaves nothing behind, and never carries root-only or host content in its answer.
 */
class FileEscapeTest {

    /** A line of /etc/passwd or /etc/shadow for root ("root:x:0:0:", "root:*:19000:"), not a message naming ".../root:". */
    private static final Pattern ROOT_ACCOUNT_LINE = Pattern.compile("root:[^:\\s\"]*:[0-9]*:");
    private static final Duration PROMPTLY = Duration.ofSeconds(10);
    private static final Map<Integer, String> ERROR_CODES = Map.of(400, "bad_request", 403, "forbidden", 404, "not_found");

    /** No request may hang the test: a server stuck on a FIFO fails the case instead of blocking the suite. */
    private static final RestAssuredConfig BOUNDED = RestAssured.config().httpClient(HttpClientConfig.httpClientConfig()
            .setParam("http.connection.timeout", 10_000)
            .setParam("http.socket.timeout", 20_000));

    private static final Suite.Sandboxes SANDBOXES = new Suite.Sandboxes();
    private static String sandboxId;
    private static String hostName;

    @BeforeAll
    static void createHostileSandbox() {
        sandboxId = SANDBOXES.create(Map.of());
        exec("ln -s /etc/shadow /workspace/shadow-link"
                + " && ln -s / /workspace/root-link"
                + " && ln -s /workspace /workspace/loop-dir-link"
                + " && mkfifo /workspace/fifo"
                + " && mkdir -p /workspace/real"
                + " && echo secret > /workspace/real/file");
        hostName = hostName();
    }

    @AfterAll
    static void destroyHostileSandbox() {
        SANDBOXES.close();
    }

    /** One hostile request: what it is, the statuses it may get, a hint its message must carry, a shell check of no trace. */
    record Hostile(String name, Set<Integer> expected, String messageHint, Function<String, Response> request,
                   String noTraceCheck) {

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Hostile> hostileRequests() {
        List<Hostile> cases = new ArrayList<>();
        // reads
        cases.add(refused("read /workspace/../etc/passwd (dot-dot traversal)", 400, read("/workspace/../etc/passwd")));
        cases.add(refused("read etc/passwd (relative path)", 400, read("etc/passwd")));
        cases.add(throughSymlink("read /workspace/shadow-link (symlink to /etc/shadow)", read("/workspace/shadow-link")));
        cases.add(throughSymlink("read /workspace/root-link/etc/passwd (through a directory symlink)",
                read("/workspace/root-link/etc/passwd")));
        cases.add(throughSymlink("read /workspace/loop-dir-link/real/file (through a symlink back into the workspace)",
                read("/workspace/loop-dir-link/real/file")));
        // /proc/self and /proc/self/root are links: refused as such, or at worst permission denied
        cases.add(new Hostile("read /proc/self/root/etc/shadow", Set.of(400, 403), null,
                read("/proc/self/root/etc/shadow"), null));
        cases.add(refused("read /etc/shadow (root only)", 403, read("/etc/shadow")));
        cases.add(refused("read /workspace/fifo (FIFO: must answer, not block)", 400, read("/workspace/fifo")));
        cases.add(refused("read /dev/zero (device)", 400, read("/dev/zero")));
        cases.add(refused("read /workspace/a<NUL>b (NUL byte)", 400, read("/workspace/a\u0000b")));
        // other routes
        cases.add(refused("write a 5000-character path", 400, write("/workspace" + "/d".repeat(2495))));
        cases.add(refused("write /workspace/../tmp/escaped (dot-dot traversal)", 400, write("/workspace/../tmp/escaped"),
                "test ! -e /tmp/escaped"));
        cases.add(throughSymlink("write /workspace/root-link/tmp/x (through a directory symlink)",
                write("/workspace/root-link/tmp/x"), "test ! -e /tmp/x"));
        cases.add(throughSymlink("list /workspace/root-link (symlink to /)", list("/workspace/root-link")));
        cases.add(throughSymlink("stat /workspace/shadow-link", stat("/workspace/shadow-link")));
        cases.add(throughSymlink("move /workspace/real/file to /workspace/root-link/tmp/moved",
                move("/workspace/real/file", "/workspace/root-link/tmp/moved"),
                "test -f /workspace/real/file && test ! -e /tmp/moved"));
        cases.add(throughSymlink("move /workspace/shadow-link to /workspace/stolen",
                move("/workspace/shadow-link", "/workspace/stolen"),
                "test -L /workspace/shadow-link && test ! -e /workspace/stolen"));
        cases.add(throughSymlink("chmod /workspace/shadow-link 644", chmod("/workspace/shadow-link", "644")));
        cases.add(throughSymlink("chmod /workspace/root-link/workspace/real/file 777",
                chmod("/workspace/root-link/workspace/real/file", "777"), "m=$(find /workspace/real/file -maxdepth 0 -printf %m) && [ -n \"$m\" ] && [ \"$m\" != 777 ]"));
        cases.add(throughSymlink("delete /workspace/loop-dir-link/real/file",
                delete("/workspace/loop-dir-link/real/file"), "test -f /workspace/real/file"));
        cases.add(refused("glob /workspace/../etc/* (dot-dot in the pattern)", 400, glob("/workspace/../etc/*")));
        cases.add(throughSymlink("archive download of /workspace/root-link", downloadArchive("/workspace/root-link")));
        // archive uploads: each has a harmless entry first, which must not be left behind either
        cases.add(hostileTar("tar entry with absolute name /tmp/evil", "/workspace/untar-absolute",
                tar -> tar.file("/tmp/evil", "evil"), "test ! -e /tmp/evil"));
        cases.add(hostileTar("tar entry ../evil", "/workspace/untar-dotdot",
                tar -> tar.file("../evil", "evil"), "test ! -e /workspace/evil"));
        cases.add(hostileTar("tar entry sub/../../evil2", "/workspace/untar-dotdot-inside",
                tar -> tar.file("sub/../../evil2", "evil"), "test ! -e /workspace/evil2"));
        cases.add(hostileTar("tar symlink entry to /etc/shadow", "/workspace/untar-symlink",
                tar -> tar.symlink("shadow", "/etc/shadow"), null));
        cases.add(hostileTar("tar symlink entry to ../../etc", "/workspace/untar-symlink-dotdot",
                tar -> tar.symlink("etc", "../../etc"), null));
        cases.add(hostileTar("tar hardlink entry to /etc/shadow", "/workspace/untar-hardlink",
                tar -> tar.hardlink("shadow", "/etc/shadow"), null));
        cases.add(hostileTar("tar FIFO entry (type 6)", "/workspace/untar-fifo",
                tar -> tar.special("pipe", '6', 0, 0), null));
        cases.add(hostileTar("tar character device entry (type 3, /dev/null's numbers)", "/workspace/untar-chardev",
                tar -> tar.special("null", '3', 1, 3), null));
        cases.add(hostileTar("tar block device entry (type 4)", "/workspace/untar-blockdev",
                tar -> tar.special("disk", '4', 8, 0), null));
        cases.add(throughSymlink("archive upload into /workspace/root-link/tmp",
                uploadArchive("/workspace/root-link/tmp", FilesTest.Tar.build(tar -> tar.file("fine.txt", "fine"))),
                "test ! -e /tmp/fine.txt"));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileRequests")
    void hostileRequestIsRefusedAndLeaksNothing(Hostile hostile) {
        long started = System.nanoTime();
        Response response = hostile.request().apply(sandboxId);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        int status = response.statusCode();
        String body = response.asString();

        assertTrue(hostile.expected().contains(status),
                hostile.name() + ": expected " + hostile.expected() + " but was " + status + ": " + body);
        response.then().body("code", equalTo(ERROR_CODES.get(status)));
        if (hostile.messageHint() != null) {
            response.then().body("message", containsStringIgnoringCase(hostile.messageHint()));
        }
        assertLeaksNothing(body);
        assertTrue(took.compareTo(PROMPTLY) < 0, hostile.name() + " answered promptly, not after " + took);
        if (hostile.noTraceCheck() != null) {
            exec(hostile.noTraceCheck());
        }
    }

    @Test
    void symlinkSwappedBetweenCheckAndUseNeverLeaksHostData() {
        api().body(Map.of("command", "nohup sh -c 'for i in $(seq 1 2000); do"
                        + " ln -sfn /etc/shadow /workspace/swap;"
                        + " echo ok > /workspace/swap.tmp && mv -f /workspace/swap.tmp /workspace/swap;"
                        + " done' >/dev/null 2>&1 &", "timeout", "30s"))
                .post("/sandboxes/{id}/exec", sandboxId)
                .then().statusCode(200).body("exit_code", equalTo(0));

        List<String> outcomes = new ArrayList<>();
        for (int attempt = 0; attempt < 50; attempt++) {
            Response response = read("/workspace/swap").apply(sandboxId);
            int status = response.statusCode();
            String body = response.asString();
            outcomes.add(String.valueOf(status));
            assertLeaksNothing(body);
            if (status == 200) {
                assertEquals("ok\n", body, "a successful read only ever sees the regular file; so far " + outcomes);
            } else {
                assertTrue(status >= 400 && status < 500,
                        "a refused read is a 4xx, not " + status + " (so far " + outcomes + "): " + body);
                response.then().body("code", equalTo(ERROR_CODES.getOrDefault(status, "bad_request")));
            }
        }
    }

    // ---------------------------------------------------------------- the table's building blocks

    private static Hostile refused(String name, int status, Function<String, Response> request) {
        return new Hostile(name, Set.of(status), null, request, null);
    }

    private static Hostile refused(String name, int status, Function<String, Response> request, String noTraceCheck) {
        return new Hostile(name, Set.of(status), null, request, noTraceCheck);
    }

    private static Hostile throughSymlink(String name, Function<String, Response> request) {
        return throughSymlink(name, request, null);
    }

    private static Hostile throughSymlink(String name, Function<String, Response> request, String noTraceCheck) {
        return new Hostile(name, Set.of(400), "symbolic link", request, noTraceCheck);
    }

    /** An archive of a harmless file and then the hostile entry, uploaded into a fresh directory. */
    private static Hostile hostileTar(String name, String targetDir, Consumer<FilesTest.Tar> hostileEntry,
                                      String extraNoTraceCheck) {
        byte[] archive = FilesTest.Tar.build(tar -> {
            tar.file("harmless.txt", "harmless\n");
            hostileEntry.accept(tar);
        });
        String nothingLeft = "{ [ ! -e " + targetDir + " ] || [ -z \"$(ls -A " + targetDir + ")\" ]; }";
        String check = extraNoTraceCheck == null ? nothingLeft : nothingLeft + " && " + extraNoTraceCheck;
        return new Hostile(name, Set.of(400), null, uploadArchive(targetDir, archive), check);
    }

    private static RequestSpecification request() {
        return api().config(BOUNDED);
    }

    private static Function<String, Response> read(String path) {
        return id -> request().queryParam("path", path).get("/sandboxes/{id}/files", id);
    }

    private static Function<String, Response> write(String path) {
        return id -> request().body(Map.of("path", path, "content", "x")).post("/sandboxes/{id}/files", id);
    }

    private static Function<String, Response> list(String path) {
        return id -> request().queryParam("path", path).get("/sandboxes/{id}/files/list", id);
    }

    private static Function<String, Response> stat(String path) {
        return id -> request().queryParam("path", path).get("/sandboxes/{id}/files/stat", id);
    }

    private static Function<String, Response> move(String oldPath, String newPath) {
        return id -> request().body(Map.of("old_path", oldPath, "new_path", newPath))
                .post("/sandboxes/{id}/files/move", id);
    }

    private static Function<String, Response> chmod(String path, String mode) {
        return id -> request().body(Map.of("path", path, "mode", mode)).post("/sandboxes/{id}/files/chmod", id);
    }

    private static Function<String, Response> delete(String path) {
        return id -> request().queryParam("path", path).queryParam("recursive", true).delete("/sandboxes/{id}/files", id);
    }

    private static Function<String, Response> glob(String pattern) {
        return id -> request().queryParam("pattern", pattern).get("/sandboxes/{id}/files/glob", id);
    }

    private static Function<String, Response> downloadArchive(String path) {
        return id -> request().queryParam("path", path).get("/sandboxes/{id}/files/archive", id);
    }

    private static Function<String, Response> uploadArchive(String path, byte[] archive) {
        return id -> request().contentType("application/x-tar").body(archive).queryParam("path", path)
                .put("/sandboxes/{id}/files/archive", id);
    }

    // ---------------------------------------------------------------- checks

    private static void assertLeaksNothing(String body) {
        assertFalse(ROOT_ACCOUNT_LINE.matcher(body).find(), "the answer carries a root account line: " + body);
        if (hostName != null) {
            assertFalse(body.contains(hostName), "the answer carries the host's name " + hostName + ": " + body);
        }
    }

    /** Runs a shell command in the hostile sandbox and insists that it succeeds. */
    private static void exec(String command) {
        api().body(Map.of("command", command)).post("/sandboxes/{id}/exec", sandboxId)
                .then().statusCode(200).body("exit_code", equalTo(0));
    }

    /** The host's name, when it is distinctive enough that finding it in an answer means something. */
    private static String hostName() {
        try {
            String name = InetAddress.getLocalHost().getHostName();
            return name == null || name.length() < 4 || name.equals("localhost") ? null : name;
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
