package dev.stacyvm.worker.provider.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.stacyvm.contract.api.RuntimeSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which creates a warm pool of the default shape may serve: the same image and limits, no network, no ports. */
class ContainerShapeTest {

    private static final ContainerShape POOL = ContainerShape.isolated("stacyvm/base:bookworm", 512, 1, 256);

    private static RuntimeSpec spec(String image, int memoryMb, String network, List<Integer> ports) {
        return new RuntimeSpec("sb-0123456789ab", "default:alice", image, memoryMb, 1, Map.of(), network, ports, 256, null);
    }

    @Test
    void aDefaultCreateHasThePoolsShape() {
        assertEquals(POOL, ContainerShape.of(spec("stacyvm/base:bookworm", 512, "none", List.of())));
        assertEquals(POOL, ContainerShape.of(spec("stacyvm/base:bookworm", 512, null, null)));
    }

    @Test
    void anotherImageLimitNetworkOrPortIsAnotherShape() {
        assertNotEquals(POOL, ContainerShape.of(spec("stacyvm/python:bookworm", 512, "none", List.of())));
        assertNotEquals(POOL, ContainerShape.of(spec("stacyvm/base:bookworm", 1024, "none", List.of())));
        assertNotEquals(POOL, ContainerShape.of(spec("stacyvm/base:bookworm", 512, "bridge", List.of())));
        assertNotEquals(POOL, ContainerShape.of(spec("stacyvm/base:bookworm", 512, "bridge", List.of(3000))));
    }

    @Test
    void thePoolLabelNamesEveryPartOfTheShape() {
        assertEquals("stacyvm/base:bookworm|512m|1cpu|256pids", POOL.poolKey());
        assertEquals("stacyvm/base:bookworm|512m|1cpu|256pids|bridge|[3000]",
                ContainerShape.of(spec("stacyvm/base:bookworm", 512, "bridge", List.of(3000))).poolKey());
    }
}
