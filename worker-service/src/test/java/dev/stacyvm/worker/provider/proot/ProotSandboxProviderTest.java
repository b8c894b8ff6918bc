package dev.stacyvm.worker.provider.proot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stacyvm.contract.api.SandboxDefaults;
import dev.stacyvm.contract.internal.RuntimeSpec;
import dev.stacyvm.worker.provider.ExecCommand;
import dev.stacyvm.worker.provider.ExecOutcome;
import dev.stacyvm.worker.provider.ExecOutputSink;
import dev.stacyvm.worker.provider.SandboxProvider;
import dev.stacyvm.worker.service.WorkerIdentity;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * What the proot provider promises beyond the provider contract (docs/providers.md "proot"): a
 * sandbox's environment is its own and never decides what runs on the host, and it has loopback
 * alone and sees none of the host's processes. Runs with the proot contract run.
 */
@QuarkusTest
@EnabledIfSystemProperty(named = "stacyvm.provider-tck", matches = "true")
class ProotSandboxProviderTest {

    @Inject
    @io.smallrye.common.annotation.Identifier(ProotSandboxProvider.NAME)
    SandboxProvider proot;

    @Inject
    WorkerIdentity identity;

    private final String id = "sb-" + Long.toHexString(System.nanoTime());

    @AfterEach
    void destroy() {
        proot.destroy(id);
    }

    private String shell(String line) {
        StringBuilder out = new StringBuilder();
        ExecOutcome outcome = proot.exec(id, new ExecCommand(List.of("/bin/sh", "-c", line), Map.of(), null, Duration.ofSeconds(30)),
                (stream, data) -> {
                    if (ExecOutputSink.STDOUT.equals(stream)) {
                        out.append(data);
                    }
                });
        assertEquals(0, outcome.exitCode(), line + ": " + out);
        return out.toString();
    }

    private void create(Map<String, String> env) {
        proot.create(new RuntimeSpec(id, "proot:test", SandboxDefaults.IMAGE, 256, 1, env, "none", List.of(), 128, false, false,
                256, null, null, null, false, "runc", ProotSandboxProvider.NAME), identity.id());
    }

    @Test
    void aSandboxsEnvironmentIsItsOwnAndNeverDecidesWhatRunsOnTheHost() {
        // on the host these would make unshare look for PRoot nowhere and load a library of the caller's
        create(Map.of("PATH", "/nowhere", "LD_PRELOAD", "/nowhere/evil.so", "GREETING", "hello"));
        assertEquals("/nowhere hello\n", shell("echo \"$PATH $GREETING\""));
    }

    @Test
    void aProotSandboxHasLoopbackAloneAndSeesNoneOfTheHostsProcesses() {
        create(Map.of());
        assertEquals("bound\n", shell("python3 -c \"import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen();"
                + " c = socket.create_connection(s.getsockname()); print('bound')\""));
        String interfaces = shell("tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '");
        assertEquals("lo\n", interfaces, "its interfaces");
        String processes = shell("for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline; echo; done");
        assertFalse(processes.contains("java"), "the worker's JVM is not in its view: " + processes);
        assertTrue(processes.contains("stacyvm-agent serve"), "its own agent is: " + processes);
    }
}
