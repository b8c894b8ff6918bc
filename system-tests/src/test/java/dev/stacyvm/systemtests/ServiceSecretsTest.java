package dev.stacyvm.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Each service process holds only the secrets it needs (deny by default): a compromised worker or
 * preview-router finds no control-plane secret in its own environment. Reads the environments of
 * the processes {@code ./stacyvm test} started ({@code -Dstacyvm.home}) and the secrets the
 * launcher generated.
 */
class ServiceSecretsTest {

    private static final Path HOME = Path.of(System.getProperty("stacyvm.home", ".stacyvm"));

    /** The generated secrets each service may hold; every other generated secret it must not. */
    private static final Map<String, Set<String>> ALLOWED = Map.of(
            "api-gateway", Set.of("STACYVM_SERVICE_TOKEN", "STACYVM_ADMIN_API_KEY", "STACYVM_DB_PASSWORD",
                    "STACYVM_PREVIEW_TOKEN_SECRET", "STACYVM_REGISTRY_SECRETS_KEY", "STACYVM_KAFKA_GATEWAY_PASSWORD"),
            "scheduler-service", Set.of("STACYVM_SERVICE_TOKEN", "STACYVM_DB_PASSWORD", "STACYVM_KAFKA_SCHEDULER_PASSWORD"),
            "worker-service", Set.of("STACYVM_WORKER_CREDENTIAL"),
            "audit-service", Set.of("STACYVM_DB_PASSWORD", "STACYVM_AUDIT_CHAIN_KEY", "STACYVM_KAFKA_AUDIT_PASSWORD"),
            "preview-router", Set.of("STACYVM_PREVIEW_TOKEN_SECRET", "STACYVM_KAFKA_PREVIEW_ROUTER_PASSWORD"));

    @Test
    void eachServiceHoldsOnlyTheSecretsItNeeds() throws IOException {
        Path secretsFile = HOME.resolve("secrets.env");
        assertTrue(Files.isRegularFile(secretsFile), "run through ./stacyvm test (-Dstacyvm.home): " + HOME);
        Map<String, String> secrets = new HashMap<>();
        for (String line : Files.readAllLines(secretsFile)) {
            int equals = line.indexOf('=');
            if (line.startsWith("STACYVM_") && equals > 0 && line.length() > equals + 8) {
                secrets.put(line.substring(0, equals), line.substring(equals + 1));
            }
        }
        assertTrue(secrets.containsKey("STACYVM_SERVICE_TOKEN") && secrets.containsKey("STACYVM_WORKER_CREDENTIAL"),
                "the launcher's secrets: " + secrets.keySet());
        for (Map.Entry<String, Set<String>> service : ALLOWED.entrySet()) {
            String pid = Files.readString(HOME.resolve("run").resolve(service.getKey() + ".pid")).trim();
            String environment = new String(Files.readAllBytes(Path.of("/proc", pid, "environ")), StandardCharsets.UTF_8);
            List<String> variables = List.of(environment.split("\0"));
            Set<String> held = new TreeSet<>();
            for (Map.Entry<String, String> secret : secrets.entrySet()) {
                // by value, whatever the variable is called
                if (variables.stream().anyMatch(variable -> variable.endsWith("=" + secret.getValue()))) {
                    held.add(secret.getKey());
                }
            }
            Set<String> expected = new TreeSet<>(service.getValue());
            expected.retainAll(secrets.keySet());
            assertEquals(expected, held, service.getKey() + " holds exactly the secrets it needs");
        }
    }
}
