package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.api;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.command.CreateContainerResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The scheduler keeps its records true to the Docker engine: a sandbox whose container stops is
 * unhealthy and comes back, one whose container is gone ends in error, and a container nobody
 * knows of is removed. The test instance reconciles every second with a short grace
 * (STACYVM_SCHEDULER_RECONCILE_INTERVAL, STACYVM_SCHEDULER_UNHEALTHY_GRACE).
 */
class ReconciliationTest {

    private final Suite.Sandboxes sandboxes = new Suite.Sandboxes();

    @AfterEach
    void cleanUp() {
        sandboxes.close();
    }

    private static String awaitState(String id, String expected, int seconds) throws InterruptedException {
        String state = null;
        for (int attempt = 0; attempt < seconds * 4; attempt++) {
            state = api().get("/sandboxes/{id}", id).then().statusCode(200).extract().path("state");
            if (expected.equals(state)) {
                return state;
            }
            Thread.sleep(250);
        }
        return state;
    }

    @Test
    void aStoppedContainerMakesTheSandboxUnhealthyUntilItRunsAgain() throws Exception {
        String id = sandboxes.create(Map.of("ttl", "5m"));
        String container = Suite.containerOf(id);
        Suite.docker().killContainerCmd(container).exec();
        assertEquals("unhealthy", awaitState(id, "unhealthy", 30));
        api().body(Map.of("command", "true")).post("/sandboxes/{id}/exec", id).then().statusCode(409)
                .body("code", equalTo("conflict"));

        Suite.docker().startContainerCmd(container).exec();
        assertEquals("running", awaitState(id, "running", 30));
        api().body(Map.of("command", "echo", "args", List.of("back"))).post("/sandboxes/{id}/exec", id)
                .then().statusCode(200).body("stdout", equalTo("back\n"));
    }

    @Test
    void aContainerThatStaysGoneLeavesTheSandboxInError() throws Exception {
        String id = sandboxes.create(Map.of("ttl", "5m"));
        Suite.docker().removeContainerCmd(Suite.containerOf(id)).withForce(true).exec();
        assertEquals("unhealthy", awaitState(id, "unhealthy", 30));
        assertEquals("error", awaitState(id, "error", 60), "after the grace, the sandbox is in error");
        api().get("/sandboxes/{id}", id).then().body("error", equalTo("runtime gone"));
        api().delete("/sandboxes/{id}", id).then().statusCode(200).body("status", equalTo("destroyed"));
    }

    @Test
    void aContainerWithoutASandboxIsRemoved() throws Exception {
        String orphan = "sb-orphan" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        CreateContainerResponse created = Suite.docker().createContainerCmd("stacyvm/base:bookworm")
                .withName("stacyvm-" + orphan)
                .withCmd("sleep", "600")
                .withLabels(Map.of("dev.stacyvm.managed", "true", Suite.LABEL_SANDBOX, orphan,
                        "dev.stacyvm.worker-id", Suite.WORKER_ID))
                .exec();
        try {
            Suite.docker().startContainerCmd(created.getId()).exec();
            boolean gone = false;
            for (int attempt = 0; attempt < 120 && !gone; attempt++) {
                Thread.sleep(250);
                gone = Suite.containersOf(orphan).isEmpty();
            }
            assertTrue(gone, "the orphaned container " + orphan + " was removed");
        } finally {
            if (!Suite.containersOf(orphan).isEmpty()) {
                Suite.docker().removeContainerCmd(created.getId()).withForce(true).exec();
            }
        }
    }
}
