package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.api;
import static dev.stacyvm.systemtests.Suite.containerOf;
import static dev.stacyvm.systemtests.Suite.docker;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.command.InspectContainerResponse;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Disk containment (issue 14, Disk): everything a sandbox can write counts against its
 * {@code disk_mb}, past it the sandbox sees a quota error and the host loses nothing more, its
 * output log stays under the engine's cap, {@code GET} shows what it has written, and
 * {@code max_disk_mb} bounds an owner, a key and a tenant.
 */
class DiskContainmentTest {

    private static final long MIB = 1024L * 1024L;
    /** What a fill asks for in each path: far past the sandbox's disk, so an unlimited one shows. */
    private static final int FILL_MB = 400;
    /** What other instances sharing the engine may write meanwhile, beside the sandbox's own bytes. */
    private static final long HOST_TOLERANCE = 160 * MIB;
    /** The launcher's container log cap: 3 files of 10 MiB ({@code STACYVM_CONTAINER_LOG_MAX_*}). */
    private static final long LOG_CAP = 3 * 10 * MIB;

    private final String tenant = "disk-" + UUID.randomUUID().toString().substring(0, 8);
    private final String user = "disk-" + UUID.randomUUID().toString().substring(0, 8);
    private final String owner = "default:bootstrap-admin:" + user;
    private final List<String> sandboxes = new ArrayList<>();
    private final List<String> keyIds = new ArrayList<>();
    private final List<String> scopes = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        for (String id : sandboxes) {
            api().delete("/sandboxes/{id}", id);
        }
        api().delete("/quotas/{owner}", owner);
        for (String scope : scopes) {
            api().delete(scope);
        }
        for (String id : keyIds) {
            api().delete("/admin/api-keys/{id}", id);
        }
    }

    private Response create(RequestSpecification caller, Map<String, Object> body) {
        Response response = caller.body(body).post("/sandboxes");
        if (response.statusCode() == 201) {
            sandboxes.add(response.path("id"));
        }
        return response;
    }

    private String sandbox(int diskMb) {
        return create(api(), Map.of("disk_mb", diskMb, "ttl", "10m")).then().statusCode(201)
                .body("disk_mb", equalTo(diskMb)).extract().path("id");
    }

    private static Response shell(String id, String command) {
        return api().body(Map.of("command", command, "mode", "shell", "timeout", "120s"))
                .post("/sandboxes/{id}/exec", id);
    }

    private static long free(Path path) throws IOException {
        return Files.getFileStore(path).getUsableSpace();
    }

    private static Path engineDataRoot() {
        return Path.of(docker().infoCmd().exec().getDockerRootDir());
    }

    /**
     * The quotas the engine's data root keeps now, as the kernel lists them: {@code squota},
     * {@code qgroup} (full), {@code off}, or empty when the data root is not a btrfs this test can
     * read (found with findmnt, independently of the worker's own reading of sysfs).
     */
    private static String engineQuotaMode() throws IOException, InterruptedException {
        Path root = engineDataRoot();
        if (!"btrfs".equals(Files.getFileStore(root).type())) {
            return "";
        }
        Process findmnt = new ProcessBuilder("findmnt", "-no", "UUID", "--target", root.toString())
                .redirectErrorStream(true).start();
        String uuid = new String(findmnt.getInputStream().readAllBytes()).trim().lines().findFirst().orElse("");
        findmnt.waitFor();
        Path qgroups = Path.of("/sys/fs/btrfs", uuid, "qgroups");
        if (uuid.isEmpty() || !Files.isDirectory(qgroups.getParent())) {
            return "";
        }
        if (!Files.isDirectory(qgroups)) {
            return "off";
        }
        Path mode = qgroups.resolve("mode");
        return Files.exists(mode) ? Files.readString(mode).trim() : "qgroup";
    }

    /**
     * Under full btrfs quotas the kernel walks every extent a removed container shares with its
     * image, for seconds of a core, and every create waits behind it; simple quotas (kernel 6.7+)
     * charge each extent to the subvolume that wrote it and make removal cheap. The launcher turns
     * them on before every engine start, since the engine turns quotas off when it stops.
     */
    @Test
    void theEnginesDataRootKeepsSimpleQuotasWhereTheKernelHasThem() throws Exception {
        Suite.assumeDocker("the engine's data root is Docker's");
        String mode = engineQuotaMode();
        Assumptions.assumeTrue(!mode.isEmpty() && Files.exists(Path.of("/sys/fs/btrfs/features/simple_quota")),
                "the engine's data root is a btrfs on a kernel with simple quotas");
        assertEquals("squota", mode, "the engine's data root keeps simple quotas");
    }

    @Test
    void theEngineHoldsEverySandboxContainerToItsDiskSizeWithTmpInsideIt() throws Exception {
        Suite.assumeDocker("a container's storage and log settings");
        String id = sandbox(96);
        InspectContainerResponse container = docker().inspectContainerCmd(containerOf(id)).exec();
        Map<String, String> storage = container.getHostConfig().getStorageOpt();
        assertTrue(storage != null && storage.containsKey("size"), "the worker asks the engine to limit the layer: " + storage);
        long sizeMb = Long.parseLong(storage.get("size").replace("M", ""));
        Long imageBytes = docker().inspectImageCmd(container.getImageId()).exec().getSize();
        long imageMb = imageBytes == null ? 0 : (imageBytes + MIB - 1) / MIB;
        String mode = engineQuotaMode();
        if ("squota".equals(mode)) {
            // simple quotas charge the container only what it writes: the size is disk_mb itself
            assertEquals(96, sizeMb, "under simple quotas the size is disk_mb");
        } else if (!mode.isEmpty()) {
            // full btrfs quotas count the image in the size too: the worker adds the image's own size
            assertEquals(96 + imageMb, sizeMb, "under full quotas the size is disk_mb plus the image");
        } else {
            assertTrue(sizeMb == 96 || sizeMb == 96 + imageMb, "size is disk_mb (plus the image on btrfs): " + sizeMb);
        }
        Map<String, String> tmpfs = container.getHostConfig().getTmpFs();
        assertTrue(tmpfs == null || tmpfs.isEmpty(), "no tmpfs: /tmp is in the size-limited layer: " + tmpfs);
        assertEquals("json-file", container.getHostConfig().getLogConfig().getType().getType());
        assertEquals("3", container.getHostConfig().getLogConfig().getConfig().get("max-file"));
    }

    @Test
    void writingPastDiskMbFailsWithAQuotaErrorInEveryWritablePathAndTheHostLosesNothingMore() throws IOException {
        int diskMb = 128;
        String id = sandbox(diskMb);
        // a microVM's disk is a file in the worker's state folder
        Path engineRoot = Suite.DOCKER ? engineDataRoot() : Path.of(System.getProperty("stacyvm.home", "/"));
        Path hostRoot = Path.of("/");
        // $HOME is the sandbox user's home (/workspace in the base image), asked of the sandbox itself
        for (String dir : List.of("/workspace", "$HOME", "/tmp", "/var/tmp")) {
            long engineBefore = free(engineRoot);
            long hostBefore = free(hostRoot);
            String file = dir + "/fill-" + UUID.randomUUID();
            Response fill = shell(id, "dd if=/dev/zero of=\"" + file + "\" bs=1M count=" + FILL_MB + " 2>&1; rc=$?; sync; "
                    + "echo rc=$rc; echo size=$(wc -c < \"" + file + "\")");
            fill.then().statusCode(200);
            String out = fill.path("stdout");
            if (Suite.GVISOR && dir.equals("/tmp")) {
                // gVisor mounts its own tmpfs on /tmp, in its kernel's memory: held by memory_mb, not
                // disk_mb (docs/providers.md, runsc), and nothing of it reaches a disk of the host
                assertTrue(engineBefore - free(engineRoot) <= HOST_TOLERANCE && hostBefore - free(hostRoot) <= HOST_TOLERANCE,
                        "gVisor's /tmp writes no disk of the host: " + out);
                shell(id, "rm -f \"" + file + "\"").then().statusCode(200);
                continue;
            }
            assertTrue(out.contains("Disk quota exceeded") || out.contains("No space left on device"),
                    dir + ": the write past disk_mb fails with EDQUOT or ENOSPC: " + out);
            assertFalse(out.contains("rc=0"), dir + ": dd reports the failure: " + out);
            long written = Long.parseLong(out.substring(out.indexOf("size=") + 5).trim());
            assertTrue(written <= diskMb * MIB, dir + ": at most disk_mb was written: " + written);
            long engineLost = engineBefore - free(engineRoot);
            long hostLost = hostBefore - free(hostRoot);
            assertTrue(engineLost <= diskMb * MIB + HOST_TOLERANCE,
                    dir + ": the engine's data root lost " + engineLost / MIB + " MiB for a " + diskMb + " MiB sandbox");
            assertTrue(hostLost <= diskMb * MIB + HOST_TOLERANCE,
                    dir + ": the host's root filesystem lost " + hostLost / MIB + " MiB for a " + diskMb + " MiB sandbox");
            shell(id, "rm -f \"" + file + "\"; sync").then().statusCode(200).body("exit_code", equalTo(0));
        }
        // the sandbox still works once it has room again
        shell(id, "echo ok > /tmp/after && cat /tmp/after").then().statusCode(200).body("stdout", equalTo("ok\n"));
    }

    @Test
    void aLogFloodThroughTheMainProcessOutputStaysUnderTheLogCap() throws IOException {
        Suite.assumeDocker("the engine's log of a container's main process (a microVM's console is kept bounded by its link)");
        String id = sandbox(128);
        // 64 MiB of lines written to the main process's stdout, the engine's log of the container
        shell(id, "head -c 67108864 /dev/zero | tr '\\0' x | fold -w 1023 > /proc/1/fd/1; echo done")
                .then().statusCode(200).body("stdout", equalTo("done\n"));
        String logPath = docker().inspectContainerCmd(containerOf(id)).exec().getLogPath();
        Path log = Path.of(logPath);
        long total = 0;
        int files = 0;
        try (var siblings = Files.list(log.getParent())) {
            for (Path file : siblings.filter(p -> p.getFileName().toString().startsWith(log.getFileName().toString()))
                    .toList()) {
                total += Files.size(file);
                files++;
            }
        }
        assertTrue(files <= 3, "at most max-file log files: " + files);
        assertTrue(total >= 10 * MIB, "the flood reached the log (else this test proves nothing): " + total);
        assertTrue(total <= LOG_CAP + MIB, "the log files stay under the cap: " + total / MIB + " MiB");
    }

    /**
     * The name files (/etc/hosts, /etc/hostname, /etc/resolv.conf) live beside the engine, outside
     * every disk size: no sandbox may write them, not even one a template lets run as root (which
     * owned the engine's copies and could fill the host through them).
     */
    @Test
    void noSandboxRootIncludedCanWriteItsNameFilesWhichLieOutsideItsDiskSize() {
        Suite.assumeDocker("the engine's name files are mounts from the host; a microVM's are files on its own disk");
        String template = "disk-root-" + UUID.randomUUID().toString().substring(0, 8);
        api().body(Map.of("name", template, "allow_root", true)).post("/templates").then().statusCode(201);
        scopes.add("/templates/" + template);
        String root = create(api(), Map.of("template", template, "ttl", "10m")).then().statusCode(201).extract().path("id");
        // under a runtime without networks (gVisor here) the root sandbox alone
        String networked = Suite.NETWORKS ? create(api(), Map.of("network", "bridge", "ttl", "10m")).then().statusCode(201)
                .extract().path("id") : null;
        shell(root, "id -u").then().statusCode(200).body("stdout", equalTo("0\n"));
        for (String id : networked == null ? List.of(root) : List.of(root, networked)) {
            for (String file : List.of("/etc/hosts", "/etc/hostname", "/etc/resolv.conf")) {
                String before = shell(id, "cat " + file).then().statusCode(200).extract().path("stdout");
                // append, overwrite, re-own, re-mode, remount and replace: each must fail
                Response attempts = shell(id, "f=" + file + "; "
                        + "head -c 1048576 /dev/zero >> $f 2>/dev/null && echo appended; "
                        + "echo x 2>/dev/null > $f && echo overwritten; "
                        + "chmod 666 $f 2>/dev/null && echo chmodded; "
                        + "chown 0:0 $f 2>/dev/null && echo chowned; "
                        + "mount -o remount,rw $f 2>/dev/null && echo remounted; "
                        + "umount $f 2>/dev/null && echo unmounted; "
                        + "rm -f $f 2>/dev/null && echo removed; "
                        + "echo size=$(wc -c < $f)");
                attempts.then().statusCode(200);
                String out = attempts.path("stdout");
                assertEquals("size=" + before.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + "\n", out,
                        id + ": " + file + " is read-only to the sandbox and keeps its size");
                shell(id, "cat " + file).then().body("stdout", equalTo(before));
            }
        }
        // still what a program expects: its host name resolves, on its address when it has a network
        shell(root, "hostname; getent hosts $(hostname)").then().statusCode(200)
                .body("stdout", equalTo("sandbox\n" + String.format("%-15s sandbox\n", "127.0.1.1")));
        if (networked == null) {
            return;
        }
        String address = docker().inspectContainerCmd(containerOf(networked)).exec().getNetworkSettings().getNetworks()
                .values().iterator().next().getIpAddress();
        shell(networked, "getent hosts sandbox").then().statusCode(200)
                .body("stdout", equalTo(String.format("%-15s sandbox\n", address)));
        shell(networked, "grep -c nameserver /etc/resolv.conf").then().body("stdout", equalTo("1\n"));
    }

    @Test
    void getShowsTheDiskASandboxHasWrittenGrowingAfterAWrite() {
        String id = sandbox(200);
        long before = ((Number) api().get("/sandboxes/{id}", id).then().statusCode(200)
                .body("disk_mb", equalTo(200))
                .body("disk_used_bytes", notNullValue())
                .extract().path("disk_used_bytes")).longValue();
        shell(id, "head -c 31457280 /dev/urandom > /workspace/thirty && sync").then().statusCode(200)
                .body("exit_code", equalTo(0));
        Response after = api().get("/sandboxes/{id}", id);
        after.then().statusCode(200).body("disk_used_mb", notNullValue());
        long grown = ((Number) after.path("disk_used_bytes")).longValue() - before;
        assertTrue(grown >= 25 * MIB, "disk used grew by the 30 MiB written: " + grown);
    }

    @Test
    void diskMbOutsideItsBoundsIsABadRequestInACreateAndATemplate() {
        for (Object bad : List.of(1, 63, 2_000_000_000, -5)) {
            create(api(), Map.of("disk_mb", bad)).then().statusCode(400)
                    .body("code", equalTo("bad_request"))
                    .body("message", containsString("disk_mb"));
        }
        create(api(), Map.of("disk_mb", "lots")).then().statusCode(400).body("code", equalTo("bad_request"));
        String template = "disk-" + UUID.randomUUID().toString().substring(0, 8);
        api().body(Map.of("name", template, "disk_mb", 10)).post("/templates").then().statusCode(400)
                .body("message", containsString("disk_mb"));
        api().body(Map.of("name", template, "disk_mb", 100)).post("/templates").then().statusCode(201)
                .body("disk_mb", equalTo(100));
        try {
            create(api(), Map.of("template", template)).then().statusCode(201).body("disk_mb", equalTo(100));
        } finally {
            api().delete("/templates/{name}", template);
        }
    }

    @Test
    void maxDiskMbRefusesAnOwnerPastItsDiskWithResourceLimit() {
        api().body(Map.of("max_disk_mb", 300)).put("/quotas/{owner}", owner).then().statusCode(200)
                .body("max_disk_mb", equalTo(300));
        RequestSpecification asUser = api().header("X-User-ID", user);
        create(api().header("X-User-ID", user), Map.of("disk_mb", 200)).then().statusCode(201);
        create(asUser, Map.of("disk_mb", 200)).then().statusCode(429)
                .body("code", equalTo("resource_limit"))
                .body("message", containsString("disk"));
        create(api().header("X-User-ID", user), Map.of("disk_mb", 100)).then().statusCode(201);
        api().get("/quotas/{owner}/usage", owner).then().statusCode(200)
                .body("disk_mb", equalTo(300)).body("max_disk_mb", equalTo(300));
        // the admission route answers the same decision beforehand
        api().header("X-User-ID", user).body(Map.of("disk_mb", 64)).post("/sandboxes/admission").then()
                .statusCode(200).body("allowed", equalTo(false)).body("reason", containsString("disk"));
    }

    private String key(String name) {
        Response created = api().body(Map.of("name", name, "tenant", tenant, "role", "user")).post("/admin/api-keys");
        created.then().statusCode(201);
        keyIds.add(created.path("id"));
        return created.path("key");
    }

    private static RequestSpecification as(String key, String endUser) {
        return RestAssured.given().baseUri(Suite.URL).basePath("/api/v1").header("X-API-Key", key)
                .header("X-User-ID", endUser).contentType(ContentType.JSON).log().ifValidationFails();
    }

    private void limit(String path, Map<String, Object> limits) {
        api().body(limits).put(path).then().statusCode(200).body("max_disk_mb", equalTo(limits.get("max_disk_mb")));
        scopes.add(path);
    }

    @Test
    void maxDiskMbBindsAllOwnersOfAKeyAndOfATenant() {
        String app = key("app");
        String other = key("other");
        limit("/quotas/keys/" + tenant + ":app", Map.of("max_disk_mb", 300));
        limit("/quotas/tenants/" + tenant, Map.of("max_disk_mb", 500));
        create(as(app, "u1"), Map.of("disk_mb", 200)).then().statusCode(201);
        // another end user of the same key: the key's total holds
        Response keyRefusal = create(as(app, "u2"), Map.of("disk_mb", 200));
        keyRefusal.then().statusCode(429).body("code", equalTo("resource_limit"))
                .body("message", containsString("key " + tenant + ":app"));
        create(as(other, "u3"), Map.of("disk_mb", 200)).then().statusCode(201);
        // another key of the same tenant: the tenant's total holds (200 + 200 + 200 > 500)
        create(as(other, "u4"), Map.of("disk_mb", 200)).then().statusCode(429)
                .body("code", equalTo("resource_limit"))
                .body("message", containsString("tenant " + tenant));
        api().get("/quotas/tenants/{tenant}/usage", tenant).then().statusCode(200)
                .body("disk_mb", equalTo(400)).body("max_disk_mb", equalTo(500));
    }
}
