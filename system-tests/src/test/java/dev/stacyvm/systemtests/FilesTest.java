package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.api;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.response.ValidatableResponse;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The sandbox files API: every route's happy path and the error rows of its contract. */
class FilesTest {

    private static final String ISO_INSTANT = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}.*";

    private final Suite.Sandboxes sandboxes = new Suite.Sandboxes();

    @AfterEach
    void destroyLeftovers() {
        sandboxes.close();
    }

    @Test
    void aClientLeavingMidAnswerIsAnExpectedEventNotAnIncident() throws Exception {
        String id = sandboxes.create(Map.of());
        Suite.exec(id, Map.of("command", "head -c 30000000 /dev/urandom > /workspace/large.bin")).then()
                .statusCode(200).body("exit_code", equalTo(0));
        java.time.Instant started = java.time.Instant.now();
        java.net.URI gateway = java.net.URI.create(Suite.URL);
        List<String> requests = List.of(
                "GET /api/v1/sandboxes/" + id + "/files?path=/workspace/large.bin HTTP/1.1\r\n",
                "POST /api/v1/sandboxes/" + id + "/exec HTTP/1.1\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 60\r\n");
        for (String request : requests) {
            try (java.net.Socket socket = new java.net.Socket(gateway.getHost(), gateway.getPort())) {
                String body = request.startsWith("POST")
                        ? String.format("%-60s", "{\"command\":\"base64 /workspace/large.bin\",\"stream\":true}") : "";
                socket.getOutputStream().write((request + "Host: " + gateway.getHost() + "\r\nX-API-Key: " + Suite.API_KEY
                        + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
                socket.setSoTimeout(30_000);
                // a first part of the answer, then the client goes
                byte[] first = socket.getInputStream().readNBytes(256 * 1024);
                assertEquals(256 * 1024, first.length, request);
            }
        }
        // the gateway sees each leave at its next write, well within this (bounded) wait
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            List<Map<String, Object>> incidents = api().get("/diagnostics").then().statusCode(200).extract().jsonPath()
                    .<Map<String, Object>>getList("recent_errors").stream()
                    .filter(entry -> java.time.Instant.parse((String) entry.get("at")).isAfter(started))
                    .filter(entry -> String.valueOf(entry.get("message")).contains("incident")).toList();
            assertEquals(List.of(), incidents, "a client that leaves is logged as an incident");
            Thread.sleep(500);
        }
    }

    // ---------------------------------------------------------------- write and read

    @Test
    void writeThenReadReturnsTheSameText() {
        String id = sandboxes.create(Map.of());
        write(id, "/workspace/a.txt", "hello files\n");
        assertEquals("hello files\n", readText(id, "/workspace/a.txt"));
        assertEquals("hello files\n", exec(id, "cat /workspace/a.txt"), "the file really is in the sandbox");
    }

    @Test
    void writeThenReadReturnsTheSameUnicodeText() {
        String id = sandboxes.create(Map.of());
        String text = "héllo wörld ✓ 日本語 🚀\n";
        write(id, "/workspace/unicode.txt", text);
        assertArrayEquals(text.getBytes(StandardCharsets.UTF_8), read(id, "/workspace/unicode.txt"));
    }

    @Test
    void writeThenReadReturnsTheSameBytesOfABase64Payload() {
        String id = sandboxes.create(Map.of());
        byte[] everyByte = new byte[256];
        for (int i = 0; i < everyByte.length; i++) {
            everyByte[i] = (byte) i;
        }
        api().body(Map.of("path", "/workspace/bytes.bin", "content", Base64.getEncoder().encodeToString(everyByte),
                        "encoding", "base64"))
                .post("/sandboxes/{id}/files", id)
                .then().statusCode(200).body("status", equalTo("written"));
        assertArrayEquals(everyByte, read(id, "/workspace/bytes.bin"));
        assertEquals("256\n", exec(id, "stat -c %s /workspace/bytes.bin"));
    }

    @Test
    void writeAppliesTheRequestedModeAndDefaultsTo0644() {
        String id = sandboxes.create(Map.of());
        writeWithMode(id, "/workspace/private.txt", "600");
        stat(id, "/workspace/private.txt").body("mode", equalTo("0600"));
        writeWithMode(id, "/workspace/shared.txt", "0640");
        stat(id, "/workspace/shared.txt").body("mode", equalTo("0640"));
        write(id, "/workspace/plain.txt", "plain");
        stat(id, "/workspace/plain.txt").body("mode", equalTo("0644"));
        assertEquals("600\n", exec(id, "stat -c %a /workspace/private.txt"));
    }

    @Test
    void writeCreatesParentDirectories() {
        String id = sandboxes.create(Map.of());
        write(id, "/workspace/deep/er/still/file.txt", "down here");
        assertEquals("down here", readText(id, "/workspace/deep/er/still/file.txt"));
        stat(id, "/workspace/deep/er").body("is_dir", is(true));
    }

    @Test
    void writeOverwritesAnExistingFile() {
        String id = sandboxes.create(Map.of());
        write(id, "/workspace/a.txt", "a much longer first version");
        write(id, "/workspace/a.txt", "short");
        assertEquals("short", readText(id, "/workspace/a.txt"));
    }

    @Test
    void readOfAMissingFileIsNotFound() {
        String id = sandboxes.create(Map.of());
        readRequest(id, "/workspace/no-such-file.txt").statusCode(404).body("code", equalTo("not_found"));
    }

    @Test
    void readOfSomethingThatIsNotARegularFileIsABadRequest() {
        String id = sandboxes.create(Map.of());
        exec(id, "mkdir -p /workspace/dir");
        readRequest(id, "/workspace/dir").statusCode(400).body("code", equalTo("bad_request"));
        readRequest(id, "/dev/null").statusCode(400).body("code", equalTo("bad_request"));
        // a FIFO, /dev/zero and the like are in FileEscapeTest, with a bounded wait
    }

    @Test
    void permissionDeniedInsideTheSandboxIsForbidden() {
        String id = sandboxes.create(Map.of());
        readRequest(id, "/etc/shadow").statusCode(403).body("code", equalTo("forbidden"));
        api().body(Map.of("path", "/etc/stacyvm-was-here", "content", "no"))
                .post("/sandboxes/{id}/files", id)
                .then().statusCode(403).body("code", equalTo("forbidden"));
        api().queryParam("path", "/root").get("/sandboxes/{id}/files/list", id)
                .then().statusCode(403).body("code", equalTo("forbidden"));
        assertEquals("absent\n", exec(id, "test -e /etc/stacyvm-was-here && echo present || echo absent"));
    }

    @Test
    void aWriteOrUploadToAFullDiskIsDiskFullAndLeavesNothingBehind() {
        String id = sandboxes.create(Map.of("disk_mb", 64));
        // fill what the sandbox may write; dd stops at the limit
        exec(id, "dd if=/dev/zero of=/workspace/fill bs=1M 2>/dev/null; sync; true");
        byte[] quarterMegabyte = new byte[256 * 1024];
        api().body(Map.of("path", "/workspace/new/deeper/file.bin", "encoding", "base64",
                        "content", Base64.getEncoder().encodeToString(quarterMegabyte)))
                .post("/sandboxes/{id}/files", id)
                .then().statusCode(507).body("code", equalTo("disk_full")).body("status", equalTo(507))
                .body("message", containsString("disk"));
        byte[] archive = Tar.build(tar -> tar.directory("site").file("site/big.bin", quarterMegabyte));
        api().contentType("application/x-tar").body(archive).queryParam("path", "/workspace/upload")
                .put("/sandboxes/{id}/files/archive", id)
                .then().statusCode(507).body("code", equalTo("disk_full"));
        assertEquals("fill\n", exec(id, "ls -A /workspace"), "neither the folders they made nor a partial file is left");
        // once there is room again, the same write works
        exec(id, "rm /workspace/fill");
        api().body(Map.of("path", "/workspace/new/deeper/file.bin", "encoding", "base64",
                        "content", Base64.getEncoder().encodeToString(quarterMegabyte)))
                .post("/sandboxes/{id}/files", id).then().statusCode(200);
    }

    @Test
    void anUploadKeepsTheTargetsModeAndOwnerAndTheModesItsEntriesCarry() {
        String id = sandboxes.create(Map.of());
        exec(id, "mkdir -m 755 /workspace/site");
        byte[] archive = Tar.build(tar -> tar.directory("private", 0750)
                .file("private/notes.txt", "notes".getBytes(StandardCharsets.UTF_8), 0640)
                .file("run.sh", "#!/bin/sh\necho ran\n".getBytes(StandardCharsets.UTF_8), 0755)
                .file("readme.txt", "hello".getBytes(StandardCharsets.UTF_8), 0644));
        for (String target : List.of("/workspace/site", "/workspace")) {
            api().contentType("application/x-tar").body(archive).queryParam("path", target)
                    .put("/sandboxes/{id}/files/archive", id).then().statusCode(200).body("status", equalTo("extracted"));
            assertEquals("755 1000\n750\n640\n755\n644\n", exec(id, "cd " + target
                    + " && stat -c '%a %u' . && stat -c %a private private/notes.txt run.sh readme.txt"),
                    "modes in " + target);
        }
        assertEquals("ran\n", exec(id, "/workspace/site/run.sh"), "an executable entry stays executable");
        assertEquals("", exec(id, "ls -A /workspace/site | grep stacyvm-upload; true"), "no staging folder is left");
    }

    @Test
    void anUploadIntoTmpWorksAndOneIntoAFolderTheUserCannotWriteIsRefusedBeforeAnythingIsWritten() {
        String id = sandboxes.create(Map.of());
        byte[] archive = Tar.build(tar -> tar.file("uploaded.txt", "up\n"));
        api().contentType("application/x-tar").body(archive).queryParam("path", "/tmp")
                .put("/sandboxes/{id}/files/archive", id).then().statusCode(200).body("status", equalTo("extracted"));
        assertEquals("up\n1777\n", exec(id, "cat /tmp/uploaded.txt && stat -c %a /tmp"), "/tmp keeps its mode");
        for (String target : List.of("/etc", "/etc/stacyvm-new-folder")) {
            api().contentType("application/x-tar").body(archive).queryParam("path", target)
                    .put("/sandboxes/{id}/files/archive", id).then().statusCode(403).body("code", equalTo("forbidden"));
        }
        assertEquals("absent\n", exec(id, "ls -d /etc/uploaded.txt /etc/stacyvm-new-folder /etc/.stacyvm-upload* "
                + ">/dev/null 2>&1 && echo present || echo absent"));
    }

    @Test
    void everyRouteRefusesARelativePath() {
        String id = sandboxes.create(Map.of());
        String relative = "workspace/a.txt";
        List<ValidatableResponse> answers = List.of(
                readRequest(id, relative),
                api().body(Map.of("path", relative, "content", "x")).post("/sandboxes/{id}/files", id).then(),
                api().queryParam("path", relative).delete("/sandboxes/{id}/files", id).then(),
                api().queryParam("path", relative).get("/sandboxes/{id}/files/list", id).then(),
                api().queryParam("path", relative).get("/sandboxes/{id}/files/stat", id).then(),
                api().body(Map.of("old_path", relative, "new_path", "/workspace/b.txt"))
                        .post("/sandboxes/{id}/files/move", id).then(),
                api().body(Map.of("path", relative, "mode", "600")).post("/sandboxes/{id}/files/chmod", id).then(),
                api().queryParam("pattern", "workspace/*.txt").get("/sandboxes/{id}/files/glob", id).then(),
                api().queryParam("path", relative).get("/sandboxes/{id}/files/archive", id).then(),
                api().contentType("application/x-tar").body(Tar.build(tar -> tar.file("f.txt", "f")))
                        .queryParam("path", "workspace/dir").put("/sandboxes/{id}/files/archive", id).then());
        for (ValidatableResponse answer : answers) {
            answer.statusCode(400).body("code", equalTo("bad_request"));
        }
    }

    // ---------------------------------------------------------------- list and stat

    @Test
    void listShowsNameSizeAndKindOfEveryEntry() {
        String id = sandboxes.create(Map.of());
        write(id, "/workspace/l/a.txt", "abc");
        write(id, "/workspace/l/sub/inner.txt", "inner");
        api().queryParam("path", "/workspace/l").get("/sandboxes/{id}/files/list", id)
                .then().statusCode(200)
                .body("name", containsInAnyOrder("a.txt", "sub"))
                .body("find { it.name == 'a.txt' }.path", equalTo("/workspace/l/a.txt"))
                .body("find { it.name == 'a.txt' }.size", equalTo(3))
                .body("find { it.name == 'a.txt' }.is_dir", is(false))
                .body("find { it.name == 'a.txt' }.mode", equalTo("0644"))
                .body("find { it.name == 'a.txt' }.mod_time", matchesPattern(ISO_INSTANT))
                .body("find { it.name == 'sub' }.path", equalTo("/workspace/l/sub"))
                .body("find { it.name == 'sub' }.is_dir", is(true));
    }

    @Test
    void listOfAFileIsABadRequestAndOfNothingIsNotFound() {
        String id = sandboxes.create(Map.of());
        write(id, "/workspace/a.txt", "abc");
        api().queryParam("path", "/workspace/a.txt").get("/sandboxes/{id}/files/list", id)
                .then().statusCode(400).body("code", equalTo("bad_request"));
        api().queryParam("path", "/workspace/nowhere").get("/sandboxes/{id}/files/list", id)
                .then().statusCode(404).body("code", equalTo("not_found"));
    }

    @Test
    void statDescribesOneFileOrDirectory() {
        String id = sandboxes.create(Map.of());
        write(id, "/workspace/s/data.txt", "12345");
        stat(id, "/workspace/s/data.txt")
                .body("name", equalTo("data.txt"))
                .body("path", equalTo("/workspace/s/data.txt"))
                .body("size", equalTo(5))
                .body("is_dir", is(false))
                .body("mode", equalTo("0644"))
                .body("mod_time", matchesPattern(ISO_INSTANT));
        stat(id, "/workspace/s").body("name", equalTo("s")).body("is_dir", is(true));
        api().queryParam("path", "/workspace/s/missing").get("/sandboxes/{id}/files/stat", id)
                .then().statusCode(404).body("code", equalTo("not_found"));
    }

    // ---------------------------------------------------------------- move, chmod, delete

    @Test
    void moveTakesTheFileFromTheOldPathToTheNewOne() {
        String id = sandboxes.create(Map.of());
        write(id, "/workspace/old.txt", "moving");
        api().body(Map.of("old_path", "/workspace/old.txt", "new_path", "/workspace/moved/new.txt"))
                .post("/sandboxes/{id}/files/move", id)
                .then().statusCode(200).body("status", equalTo("moved"));
        readRequest(id, "/workspace/old.txt").statusCode(404).body("code", equalTo("not_found"));
        assertEquals("moving", readText(id, "/workspace/moved/new.txt"));
    }

    @Test
    void chmodChangesTheModeAndRefusesInvalidModes() {
        String id = sandboxes.create(Map.of());
        write(id, "/workspace/script.sh", "#!/bin/sh\necho ran\n");
        chmod(id, "/workspace/script.sh", "755").statusCode(200).body("status", equalTo("chmod applied"));
        stat(id, "/workspace/script.sh").body("mode", equalTo("0755"));
        assertEquals("755\n", exec(id, "stat -c %a /workspace/script.sh"));
        chmod(id, "/workspace/script.sh", "600").statusCode(200);
        stat(id, "/workspace/script.sh").body("mode", equalTo("0600"));

        chmod(id, "/workspace/script.sh", "999").statusCode(400).body("code", equalTo("bad_request"));
        chmod(id, "/workspace/script.sh", "rwx").statusCode(400).body("code", equalTo("bad_request"));
        stat(id, "/workspace/script.sh").body("mode", equalTo("0600"));
    }

    @Test
    void deleteRemovesAFileAndThenItIsNotFound() {
        String id = sandboxes.create(Map.of());
        write(id, "/workspace/doomed.txt", "bye");
        delete(id, "/workspace/doomed.txt", false).statusCode(200).body("status", equalTo("deleted"));
        readRequest(id, "/workspace/doomed.txt").statusCode(404);
        delete(id, "/workspace/doomed.txt", false).statusCode(404).body("code", equalTo("not_found"));
    }

    @Test
    void deleteRecursiveRemovesAWholeDirectoryTree() {
        String id = sandboxes.create(Map.of());
        write(id, "/workspace/tree/a.txt", "a");
        write(id, "/workspace/tree/branch/leaf.txt", "leaf");
        delete(id, "/workspace/tree", true).statusCode(200).body("status", equalTo("deleted"));
        api().queryParam("path", "/workspace/tree").get("/sandboxes/{id}/files/stat", id)
                .then().statusCode(404);
    }

    @Test
    void deleteOfANonEmptyDirectoryWithoutRecursiveIsAConflictAndKeepsIt() {
        String id = sandboxes.create(Map.of());
        write(id, "/workspace/full/a.txt", "still here");
        delete(id, "/workspace/full", false).statusCode(409).body("code", equalTo("conflict"));
        assertEquals("still here", readText(id, "/workspace/full/a.txt"));

        exec(id, "mkdir -p /workspace/empty");
        delete(id, "/workspace/empty", false).statusCode(200).body("status", equalTo("deleted"));
    }

    // ---------------------------------------------------------------- glob

    @Test
    void globWithDoubleStarMatchesAcrossDirectories() {
        String id = sandboxes.create(Map.of());
        write(id, "/workspace/g/a.py", "print('a')");
        write(id, "/workspace/g/sub/b.py", "print('b')");
        write(id, "/workspace/g/c.txt", "not python");
        List<String> matches = api().queryParam("pattern", "/workspace/g/**/*.py")
                .get("/sandboxes/{id}/files/glob", id)
                .then().statusCode(200).extract().jsonPath().getList("$", String.class);
        assertEquals(List.of("/workspace/g/a.py", "/workspace/g/sub/b.py"), matches);
    }

    // ---------------------------------------------------------------- archives

    @Test
    void archiveUploadExtractsIntoTheDirectoryAndDownloadGivesItBack() {
        String id = sandboxes.create(Map.of());
        byte[] tar = Tar.build(t -> t
                .file("hello.txt", "hi\n")
                .directory("sub")
                .file("sub/nested.txt", "nested\n"));
        api().contentType("application/x-tar").body(tar).queryParam("path", "/workspace/unpacked")
                .put("/sandboxes/{id}/files/archive", id)
                .then().statusCode(200).body("status", equalTo("extracted"));
        assertEquals("hi\n", readText(id, "/workspace/unpacked/hello.txt"));
        assertEquals("nested\n", readText(id, "/workspace/unpacked/sub/nested.txt"));

        byte[] downloaded = api().queryParam("path", "/workspace/unpacked")
                .get("/sandboxes/{id}/files/archive", id)
                .then().statusCode(200)
                .contentType(containsString("application/x-tar"))
                .extract().asByteArray();
        List<Tar.Entry> entries = Tar.read(downloaded);
        List<String> names = entries.stream().map(Tar.Entry::name).toList();
        assertThat(names, hasItems("hello.txt", "sub", "sub/nested.txt"));
        Tar.Entry hello = entries.stream().filter(e -> e.name().equals("hello.txt")).findFirst().orElseThrow();
        assertEquals("hi\n", new String(hello.data(), StandardCharsets.UTF_8));
        for (Tar.Entry entry : entries) {
            assertTrue(!entry.rawName().startsWith("/") && !Arrays.asList(entry.rawName().split("/")).contains(".."),
                    "entries are relative: " + entry.rawName());
        }
    }

    @Test
    void archiveUploadOfTwentyMegabytesIsStreamedIntoPlace() throws IOException {
        String id = sandboxes.create(Map.of());
        long size = 20L * 1024 * 1024;
        Path tarFile = Files.createTempFile("stacyvm-big", ".tar");
        try {
            String sha256 = writeBigTar(tarFile, "big/blob.bin", size);
            api().contentType("application/x-tar").body(tarFile.toFile()).queryParam("path", "/workspace/large")
                    .put("/sandboxes/{id}/files/archive", id)
                    .then().statusCode(200).body("status", equalTo("extracted"));
            stat(id, "/workspace/large/big/blob.bin").body("size", equalTo((int) size)).body("is_dir", is(false));
            assertEquals(sha256 + "  /workspace/large/big/blob.bin\n", exec(id, "sha256sum /workspace/large/big/blob.bin"));
        } finally {
            Files.deleteIfExists(tarFile);
        }
    }

    // ---------------------------------------------------------------- any image

    @Test
    void everyFileRouteWorksInAnImageWithNoShellAndNoTools() throws Exception {
        // an image of nothing at all: no shell, no cat, no tar; the sandbox's agent serves the files
        String image = "stacyvm-test/empty:files";
        Suite.buildImage(image, "FROM scratch\nLABEL dev.stacyvm.test-image=empty-files\n");
        String id = sandboxes.create(Map.of("image", image));
        api().body(Map.of("command", "sh", "args", List.of("-c", "true"), "mode", "argv"))
                .post("/sandboxes/{id}/exec", id).then().statusCode(200).body("exit_code", equalTo(127));

        write(id, "/workspace/dir/a.txt", "no shell here\n");
        assertEquals("no shell here\n", readText(id, "/workspace/dir/a.txt"));
        stat(id, "/workspace/dir/a.txt").body("size", equalTo(14)).body("is_dir", is(false))
                .body("mode", equalTo("0644"));
        chmod(id, "/workspace/dir/a.txt", "0600").statusCode(200);
        stat(id, "/workspace/dir/a.txt").body("mode", equalTo("0600"));
        api().body(Map.of("old_path", "/workspace/dir/a.txt", "new_path", "/workspace/dir/b.txt"))
                .post("/sandboxes/{id}/files/move", id).then().statusCode(200);
        api().queryParam("path", "/workspace/dir").get("/sandboxes/{id}/files/list", id).then().statusCode(200)
                .body("name", containsInAnyOrder("b.txt"));
        assertEquals(List.of("/workspace/dir/b.txt"), api().queryParam("pattern", "/workspace/**/*.txt")
                .get("/sandboxes/{id}/files/glob", id).then().statusCode(200).extract().jsonPath().getList("$", String.class));

        byte[] tar = Tar.build(t -> t.directory("sub").file("sub/nested.txt", "nested\n"));
        api().contentType("application/x-tar").body(tar).queryParam("path", "/workspace/unpacked")
                .put("/sandboxes/{id}/files/archive", id).then().statusCode(200);
        assertEquals("nested\n", readText(id, "/workspace/unpacked/sub/nested.txt"));
        List<String> names = Tar.read(api().queryParam("path", "/workspace/unpacked")
                .get("/sandboxes/{id}/files/archive", id).then().statusCode(200).extract().asByteArray())
                .stream().map(Tar.Entry::name).toList();
        assertThat(names, hasItems("sub", "sub/nested.txt"));

        delete(id, "/workspace/dir", true).statusCode(200);
        readRequest(id, "/workspace/dir/b.txt").statusCode(404);
    }

    // ---------------------------------------------------------------- helpers

    private static void write(String id, String path, String content) {
        api().body(Map.of("path", path, "content", content)).post("/sandboxes/{id}/files", id)
                .then().statusCode(200).body("status", equalTo("written"));
    }

    private static void writeWithMode(String id, String path, String mode) {
        api().body(Map.of("path", path, "content", "secret", "mode", mode)).post("/sandboxes/{id}/files", id)
                .then().statusCode(200).body("status", equalTo("written"));
    }

    private static ValidatableResponse readRequest(String id, String path) {
        return api().queryParam("path", path).get("/sandboxes/{id}/files", id).then();
    }

    private static byte[] read(String id, String path) {
        return readRequest(id, path).statusCode(200)
                .contentType(containsString("application/octet-stream"))
                .extract().asByteArray();
    }

    private static String readText(String id, String path) {
        return new String(read(id, path), StandardCharsets.UTF_8);
    }

    private static ValidatableResponse stat(String id, String path) {
        return api().queryParam("path", path).get("/sandboxes/{id}/files/stat", id).then().statusCode(200);
    }

    private static ValidatableResponse chmod(String id, String path, String mode) {
        return api().body(Map.of("path", path, "mode", mode)).post("/sandboxes/{id}/files/chmod", id).then();
    }

    private static ValidatableResponse delete(String id, String path, boolean recursive) {
        var request = api().queryParam("path", path);
        if (recursive) {
            request = request.queryParam("recursive", true);
        }
        return request.delete("/sandboxes/{id}/files", id).then();
    }

    /** Runs a shell command in the sandbox, insists that it succeeds, and answers its stdout. */
    static String exec(String id, String command) {
        return api().body(Map.of("command", command)).post("/sandboxes/{id}/exec", id)
                .then().statusCode(200).body("exit_code", equalTo(0))
                .extract().path("stdout");
    }

    /** Writes a tar with one file of generated bytes, chunk by chunk, and answers their SHA-256. */
    private static String writeBigTar(Path tarFile, String name, long size) throws IOException {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        Random random = new Random(42);
        byte[] chunk = new byte[64 * 1024];
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tarFile))) {
            Tar tar = new Tar(out);
            tar.beginFile(name, size);
            for (long written = 0; written < size; written += chunk.length) {
                random.nextBytes(chunk);
                int length = (int) Math.min(chunk.length, size - written);
                sha256.update(chunk, 0, length);
                tar.data(chunk, 0, length);
            }
            tar.endFile(size);
            tar.finish();
        }
        return HexFormat.of().formatHex(sha256.digest());
    }

    /**
     * A small ustar writer and reader: enough to build hostile archives by hand and to look into the
     * archives the API answers. Shared with {@link FileEscapeTest}.
     */
    static final class Tar {
        static final int BLOCK = 512;

        /** One entry read back: the name as stored, the name without "./" and trailing "/", its type and data. */
        record Entry(String rawName, String name, char type, byte[] data) {
        }

        private final OutputStream out;

        Tar(OutputStream out) {
            this.out = out;
        }

        /** The bytes of a whole archive, entries added by the given builder. */
        static byte[] build(Consumer<Tar> entries) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            Tar tar = new Tar(bytes);
            entries.accept(tar);
            tar.finish();
            return bytes.toByteArray();
        }

        Tar file(String name, String content) {
            return file(name, content.getBytes(StandardCharsets.UTF_8));
        }

        Tar file(String name, byte[] content) {
            return file(name, content, 0644);
        }

        /** A regular file whose entry carries {@code mode} (e.g. 0640). */
        Tar file(String name, byte[] content, int mode) {
            header(name, '0', content.length, "", mode, 0, 0);
            data(content, 0, content.length);
            endFile(content.length);
            return this;
        }

        Tar directory(String name) {
            return directory(name, 0755);
        }

        /** A directory whose entry carries {@code mode} (e.g. 0750). */
        Tar directory(String name, int mode) {
            header(name.endsWith("/") ? name : name + "/", '5', 0, "", mode, 0, 0);
            return this;
        }

        Tar symlink(String name, String target) {
            header(name, '2', 0, target, 0777, 0, 0);
            return this;
        }

        Tar hardlink(String name, String target) {
            header(name, '1', 0, target, 0644, 0, 0);
            return this;
        }

        /** A character device ('3'), block device ('4') or FIFO ('6') entry. */
        Tar special(String name, char type, int major, int minor) {
            header(name, type, 0, "", 0644, major, minor);
            return this;
        }

        void beginFile(String name, long size) {
            header(name, '0', size, "", 0644, 0, 0);
        }

        void data(byte[] buffer, int offset, int length) {
            try {
                out.write(buffer, offset, length);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Pads the data of a file of this size to a whole block. */
        void endFile(long size) {
            int remainder = (int) (size % BLOCK);
            if (remainder != 0) {
                data(new byte[BLOCK - remainder], 0, BLOCK - remainder);
            }
        }

        /** The end of the archive: two blocks of zeros. */
        void finish() {
            data(new byte[2 * BLOCK], 0, 2 * BLOCK);
            try {
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private void header(String name, char type, long size, String linkName, int mode, int major, int minor) {
            byte[] header = new byte[BLOCK];
            put(header, 0, 100, name.getBytes(StandardCharsets.UTF_8));
            putOctal(header, 100, 8, mode);
            putOctal(header, 108, 8, 1000);
            putOctal(header, 116, 8, 1000);
            putOctal(header, 124, 12, size);
            putOctal(header, 136, 12, System.currentTimeMillis() / 1000);
            Arrays.fill(header, 148, 156, (byte) ' ');
            header[156] = (byte) type;
            put(header, 157, 100, linkName.getBytes(StandardCharsets.UTF_8));
            put(header, 257, 6, "ustar\0".getBytes(StandardCharsets.US_ASCII));
            put(header, 263, 2, "00".getBytes(StandardCharsets.US_ASCII));
            put(header, 265, 32, "sandbox".getBytes(StandardCharsets.US_ASCII));
            put(header, 297, 32, "sandbox".getBytes(StandardCharsets.US_ASCII));
            if (type == '3' || type == '4') {
                putOctal(header, 329, 8, major);
                putOctal(header, 337, 8, minor);
            }
            long checksum = 0;
            for (byte b : header) {
                checksum += b & 0xff;
            }
            put(header, 148, 8, String.format("%06o\0 ", checksum).getBytes(StandardCharsets.US_ASCII));
            data(header, 0, BLOCK);
        }

        private static void put(byte[] header, int offset, int length, byte[] value) {
            if (value.length > length) {
                throw new IllegalArgumentException("tar field of " + length + " bytes cannot hold " + value.length);
            }
            System.arraycopy(value, 0, header, offset, value.length);
        }

        /** An octal number in a field of this length: digits, zero-padded, then a NUL. */
        private static void putOctal(byte[] header, int offset, int length, long value) {
            String digits = String.format("%0" + (length - 1) + "o", value) + "\0";
            put(header, offset, length, digits.getBytes(StandardCharsets.US_ASCII));
        }

        /** The entries of an archive, following GNU long names ('L') and pax 'path' records ('x'). */
        static List<Entry> read(byte[] tar) {
            List<Entry> entries = new ArrayList<>();
            String longName = null;
            int position = 0;
            while (position + BLOCK <= tar.length) {
                byte[] header = Arrays.copyOfRange(tar, position, position + BLOCK);
                if (isZero(header)) {
                    break;
                }
                String name = string(header, 0, 100);
                String prefix = string(header, 345, 155);
                if (string(header, 257, 5).equals("ustar") && !prefix.isEmpty()) {
                    name = prefix + "/" + name;
                }
                char type = (char) header[156];
                int size = (int) size(header);
                byte[] data = Arrays.copyOfRange(tar, position + BLOCK, Math.min(tar.length, position + BLOCK + size));
                position += BLOCK + (size + BLOCK - 1) / BLOCK * BLOCK;
                if (type == 'L') {
                    longName = string(data, 0, data.length);
                } else if (type == 'x') {
                    String paxPath = paxPath(data);
                    longName = paxPath != null ? paxPath : longName;
                } else if (type != 'g') {
                    String rawName = longName != null ? longName : name;
                    longName = null;
                    entries.add(new Entry(rawName, normalize(rawName), type, data));
                }
            }
            return entries;
        }

        private static boolean isZero(byte[] block) {
            for (byte b : block) {
                if (b != 0) {
                    return false;
                }
            }
            return true;
        }

        private static String string(byte[] bytes, int offset, int length) {
            int end = offset;
            while (end < offset + length && end < bytes.length && bytes[end] != 0) {
                end++;
            }
            return new String(bytes, offset, end - offset, StandardCharsets.UTF_8);
        }

        private static long size(byte[] header) {
            if ((header[124] & 0x80) != 0) {
                long value = 0;
                for (int i = 125; i < 136; i++) {
                    value = (value << 8) | (header[i] & 0xff);
                }
                return value;
            }
            String octal = string(header, 124, 12).trim();
            return octal.isEmpty() ? 0 : Long.parseLong(octal, 8);
        }

        private static String paxPath(byte[] data) {
            String records = new String(data, StandardCharsets.UTF_8);
            for (String record : records.split("\n")) {
                int space = record.indexOf(' ');
                if (space > 0 && record.startsWith("path=", space + 1)) {
                    return record.substring(space + 1 + "path=".length());
                }
            }
            return null;
        }

        private static String normalize(String name) {
            String result = name;
            while (result.startsWith("./")) {
                result = result.substring(2);
            }
            while (result.endsWith("/")) {
                result = result.substring(0, result.length() - 1);
            }
            return result.equals(".") ? "" : result;
        }
    }
}
