package dev.stacyvm.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The systemd units of deploy/systemd are what systemd accepts without a warning: every key known,
 * every dependency found, every executable there. {@code systemd-analyze verify} reads them as
 * installed (the worker's drop-in beside its instance), with the JDK link the README asks for
 * pointed at this machine's JDK. Needs no running suite.
 */
class SystemdUnitsTest {

    private static final Path UNITS = Path.of("..", "deploy", "systemd").toAbsolutePath().normalize();
    private static final String JDK_LINK = "/opt/stacyvm/jdk/bin/java";

    @TempDir
    Path installed;

    @Test
    void theUnitsForASupervisedHostVerifyWithoutAWarning() throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (String unit : List.of("stacyvm.target", "stacyvm-kafka.service", "stacyvm@.service")) {
            String text = Files.readString(UNITS.resolve(unit));
            assertTrue(unit.endsWith(".target") || text.contains("ExecStart=" + JDK_LINK), unit + " runs the linked JDK");
            Files.writeString(installed.resolve(unit), text.replace(JDK_LINK, java));
        }
        Path dropIns = Files.createDirectories(installed.resolve("stacyvm@worker-service.service.d"));
        Files.copy(UNITS.resolve("worker-service.conf"), dropIns.resolve("worker-service.conf"));

        List<String> command = new ArrayList<>(List.of("systemd-analyze", "verify", "--man=no", "stacyvm.target",
                "stacyvm-kafka.service"));
        for (String service : List.of("api-gateway", "scheduler-service", "worker-service", "audit-service", "preview-router")) {
            command.add("stacyvm@" + service + ".service");
        }
        ProcessBuilder verify = new ProcessBuilder(command).directory(installed.toFile()).redirectErrorStream(true);
        // the installed folder first, then systemd's own (docker.service, postgresql.service)
        verify.environment().put("SYSTEMD_UNIT_PATH", installed + ":");
        Process process = verify.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "systemd-analyze verify finished");
        assertEquals(0, process.exitValue(), output);
        assertEquals("", output.strip(), "no warnings");
    }

    @Test
    void theWorkersDropInGivesItTheDockerSocketAndNoCapability() throws IOException {
        String dropIn = Files.readString(UNITS.resolve("worker-service.conf"));
        assertTrue(dropIn.contains("User=stacyvm-worker"), dropIn);
        assertTrue(dropIn.contains("SupplementaryGroups=docker"), dropIn);
        assertTrue(dropIn.lines().anyMatch(line -> line.equals("CapabilityBoundingSet=")), "an empty bounding set");
        String service = Files.readString(UNITS.resolve("stacyvm@.service"));
        assertTrue(service.contains("NoNewPrivileges=yes") && service.contains("ProtectSystem=strict"), service);
    }
}
