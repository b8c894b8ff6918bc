package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.api;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.path.json.JsonPath;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code GET /sandboxes/{id}/stats}: figures that move with what the sandbox does. */
class SandboxStatsTest {

    private final Suite.Sandboxes sandboxes = new Suite.Sandboxes();

    @AfterEach
    void destroy() {
        sandboxes.close();
    }

    private static JsonPath stats(String id) {
        return api().get("/sandboxes/{id}/stats", id).then().statusCode(200).body("sandbox_id", equalTo(id))
                .extract().jsonPath();
    }

    @Test
    void statsMoveWhenTheSandboxBurnsCpuWritesDiskAndStartsProcesses() {
        String id = sandboxes.create(Map.of("memory_mb", 256, "vcpus", 1, "disk_mb", 1024));
        JsonPath idle = stats(id);
        assertEquals(256L * 1024 * 1024, idle.getLong("mem_limit_bytes"));
        assertEquals(1, idle.getInt("vcpus"));
        assertEquals(1024L * 1024 * 1024, idle.getLong("disk_limit_bytes"));
        assertTrue(idle.getLong("pids_limit") > 0, "the process limit: " + idle.prettify());
        assertTrue(idle.getDouble("cpu_pct") < 10, "idle: " + idle.prettify());
        assertTrue(idle.getLong("mem_bytes") > 0 && idle.getLong("pids") >= 1, idle.prettify());

        // 8 MiB on disk, two busy loops in the background (one vCPU: together they can use one core)
        Suite.exec(id, Map.of("command", "head -c 8388608 /dev/urandom > /workspace/blob && "
                + "(timeout 10 sh -c 'while :; do :; done' &) && (timeout 10 sh -c 'while :; do :; done' &)"))
                .then().statusCode(200).body("exit_code", equalTo(0));
        JsonPath busy = stats(id);
        // on a loaded 2-core host the loops may get less than their vCPU: well above idle is what shows it
        assertTrue(busy.getDouble("cpu_pct") > 25, "burning its vCPU: " + busy.prettify());
        assertTrue(busy.getDouble("cpu_pct") <= 110, "never much past its one vCPU: " + busy.prettify());
        assertTrue(busy.getLong("pids") >= idle.getLong("pids") + 2, "the loops count: " + busy.prettify());
        assertTrue(busy.getLong("disk_used_bytes") >= 8L * 1024 * 1024, "the file counts: " + busy.prettify());
    }

    @Test
    void aSandboxThatIsGoneHasNoStats() {
        String id = sandboxes.create(Map.of());
        api().delete("/sandboxes/{id}", id).then().statusCode(200);
        api().get("/sandboxes/{id}/stats", id).then().statusCode(404).body("code", equalTo("not_found"));
    }
}
