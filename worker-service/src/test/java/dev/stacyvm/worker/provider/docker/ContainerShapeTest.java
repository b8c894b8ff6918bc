package dev.stacyvm.worker.provider.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.stacyvm.contract.internal.RuntimeSpec;
import dev.stacyvm.contract.internal.SandboxSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which creates a warm pool of the default shape may serve: the same image and limits, no network, no ports. */
class ContainerShapeTest {

    private static final int DEFAULT_DISK_MB = 10240;
    private static final ContainerShape POOL = ContainerShape.isolated("stacyvm/base:bookworm", 512, 1, 256, DEFAULT_DISK_MB);

    private static RuntimeSpec spec(String image, int memoryMb, String network, List<Integer> ports) {
        return spec(image, memoryMb, network, ports, DEFAULT_DISK_MB);
    }

    private static RuntimeSpec spec(String image, int memoryMb, String network, List<Integer> ports, int diskMb) {
        return new RuntimeSpec("sb-0123456789ab", "default:alice", image, memoryMb, 1, Map.of(), network, ports, 256,
                false, false, diskMb, null, null, null, false, null, "docker");
    }

    private static ContainerShape shape(RuntimeSpec spec) {
        return ContainerShape.of(spec, DEFAULT_DISK_MB);
    }

    @Test
    void aDefaultCreateHasThePoolsShape() {
        assertEquals(POOL, shape(spec("stacyvm/base:bookworm", 512, "none", List.of())));
        assertEquals(POOL, shape(spec("stacyvm/base:bookworm", 512, null, null)));
    }

    @Test
    void anotherImageLimitNetworkOrPortIsAnotherShape() {
        assertNotEquals(POOL, shape(spec("stacyvm/python:bookworm", 512, "none", List.of())));
        assertNotEquals(POOL, shape(spec("stacyvm/base:bookworm", 1024, "none", List.of())));
        assertNotEquals(POOL, shape(spec("stacyvm/base:bookworm", 512, "bridge", List.of())));
        assertNotEquals(POOL, shape(spec("stacyvm/base:bookworm", 512, "bridge", List.of(3000))));
    }

    @Test
    void anotherDiskSizeIsAnotherShapeSoAPooledContainerNeverServesAnotherSize() {
        assertNotEquals(POOL, shape(spec("stacyvm/base:bookworm", 512, "none", List.of(), 128)));
        assertEquals(128, shape(spec("stacyvm/base:bookworm", 512, "none", List.of(), 128)).diskMb());
    }

    @Test
    void aSpecWithoutDiskSizeGetsTheWorkersDefault() {
        assertEquals(POOL, shape(spec("stacyvm/base:bookworm", 512, "none", List.of(), 0)));
    }

    @Test
    void aRootOrReadOnlySandboxNeverTakesAPooledContainer() {
        RuntimeSpec root = new RuntimeSpec("sb-0123456789ab", "default:alice", "stacyvm/base:bookworm", 512, 1, Map.of(),
                "none", List.of(), 256, true, false, 0, null, null, null, false, null, "docker");
        RuntimeSpec readOnly = new RuntimeSpec("sb-0123456789ab", "default:alice", "stacyvm/base:bookworm", 512, 1,
                Map.of(), "none", List.of(), 256, false, true, 0, null, null, null, false, null, "docker");
        assertNotEquals(POOL, shape(root));
        assertNotEquals(POOL, shape(readOnly));
        assertEquals("stacyvm/base:bookworm|512m|1cpu|256pids|root|10240disk|h4|agent-1a2b", shape(root).poolKey("1a2b", true));
        assertEquals("stacyvm/base:bookworm|512m|1cpu|256pids|ro|10240disk|h4|agent-1a2b", shape(readOnly).poolKey("1a2b", true));
    }

    @Test
    void thePoolLabelNamesEveryPartOfTheShapeAndTheAgent() {
        assertEquals("stacyvm/base:bookworm|512m|1cpu|256pids|10240disk|h4|agent-1a2b", POOL.poolKey("1a2b", true));
        assertEquals("stacyvm/base:bookworm|512m|1cpu|256pids|bridge|[3000]|10240disk|h4|agent-1a2b",
                shape(spec("stacyvm/base:bookworm", 512, "bridge", List.of(3000))).poolKey("1a2b", true));
        assertNotEquals(POOL.poolKey("1a2b", true), POOL.poolKey("3c4d", true), "another agent, another pool");
        assertEquals("stacyvm/base:bookworm|512m|1cpu|256pids|10240disk|h4|agent-1a2b|no-socket", POOL.poolKey("1a2b", false),
                "a container made with the agent socket off never serves one: another pool");
    }

    @Test
    void aGvisorSandboxIsAnotherShapeSoNoPooledRuncContainerServesIt() {
        RuntimeSpec gvisor = new RuntimeSpec("sb-0123456789ab", "default:alice", "stacyvm/base:bookworm", 512, 1,
                Map.of(), "none", List.of(), 256, false, false, 0, null, null, null, false, "runsc", "docker");
        assertNotEquals(POOL, shape(gvisor));
        assertEquals("runc", shape(spec("stacyvm/base:bookworm", 512, "none", List.of())).runtime(),
                "a spec that names no runtime (an older scheduler's) runs under runc");
        assertEquals(POOL, shape(spec("stacyvm/base:bookworm", 512, "none", List.of())));
        assertEquals("stacyvm/base:bookworm|512m|1cpu|256pids|10240disk|h4|agent-1a2b|runsc", shape(gvisor).poolKey("1a2b", true));
    }

    @Test
    void gvisorsOwnThreadsAreAddedToTheEnginesPidsLimitSoTheSandboxKeepsWhatItAskedFor() {
        RuntimeSpec gvisor = new RuntimeSpec("sb-0123456789ab", "default:alice", "stacyvm/base:bookworm", 512, 1,
                Map.of(), "none", List.of(), 128, false, false, 0, null, null, null, false, "runsc", "docker");
        assertEquals(128 * SandboxSpec.GVISOR_HOST_PIDS_PER_PROCESS + SandboxSpec.GVISOR_PIDS_OVERHEAD,
                shape(gvisor).enginePidsLimit());
        assertEquals(256, POOL.enginePidsLimit(), "runc counts the sandbox's own processes only");
    }
}
