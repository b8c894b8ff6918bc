package dev.stacyvm.worker.rest;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * The worker in process without a container engine or a scheduler: the provider is a test double
 * installed per test, the engine address leads nowhere (no probe reaches a real engine) and
 * heartbeats go to port 9, which refuses them.
 */
public class InProcessWorker implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "stacyvm.worker.docker-host", "unix:///nonexistent/stacyvm-test/docker.sock",
                "stacyvm.worker.scheduler-url", "http://127.0.0.1:9",
                "stacyvm.worker.id", "worker-in-process",
                "stacyvm.worker.state-dir", "target/worker-state");
    }
}
