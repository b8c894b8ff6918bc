package dev.stacyvm.worker.provider.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.stacyvm.contract.api.SandboxDefaults;
import dev.stacyvm.worker.config.WorkerConfig;
import dev.stacyvm.worker.service.WorkerIdentity;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Claims of warm-pool containers against the Docker engine: a claimed container is the sandbox's
 * at once (by id) and carries its name soon after; a claim a stopped worker left behind is
 * renamed when the worker starts again, so the container never goes back into a pool. Runs where
 * the provider contract runs ({@code ./stacyvm test}, {@code -Dstacyvm.provider-tck=true}, a state
 * folder of its own).
 */
@QuarkusTest
@EnabledIfSystemProperty(named = "stacyvm.provider-tck", matches = "true")
class PoolClaimsTest {

    @Inject
    PoolClaims claims;

    @Inject
    DockerClient docker;

    @Inject
    WorkerConfig config;

    @Inject
    WorkerIdentity identity;

    private final List<String> made = new ArrayList<>();

    @AfterEach
    void removeContainers() {
        for (String container : made) {
            try {
                docker.removeContainerCmd(container).withForce(true).exec();
            } catch (NotFoundException gone) {
                // removed by the test itself
            } catch (com.github.dockerjava.api.exception.ConflictException removing) {
                // the test's own destroy is removing it still: it goes either way
                if (removing.getMessage() == null || !removing.getMessage().contains("already in progress")) {
                    throw removing;
                }
            }
        }
    }

    /** A created (not started) container under a pool's kind of name, labelled as this worker's. */
    private String container(String name) {
        String image = config.warmPool().images().isEmpty() ? SandboxDefaults.IMAGE : config.warmPool().images().get(0).trim();
        String id = docker.createContainerCmd(image).withName(name).withCmd("sleep", "300")
                .withLabels(Map.of(DockerSandboxProvider.LABEL_MANAGED, "true", DockerSandboxProvider.LABEL_WORKER, identity.id()))
                .exec().getId();
        made.add(id);
        return id;
    }

    private static String sandboxId() {
        byte[] random = new byte[6];
        ThreadLocalRandom.current().nextBytes(random);
        return "sb-" + HexFormat.of().formatHex(random);
    }

    private static String poolName() {
        byte[] random = new byte[6];
        ThreadLocalRandom.current().nextBytes(random);
        return WarmPool.NAME_PREFIX + "test" + HexFormat.of().formatHex(random);
    }

    private String nameOf(String container) {
        return docker.inspectContainerCmd(container).exec().getName().substring(1);
    }

    /** Waits (at most 5 s) until the container carries the name. */
    private void awaitName(String container, String name) throws InterruptedException {
        for (int poll = 0; poll < 100 && !name.equals(nameOf(container)); poll++) {
            Thread.sleep(50);
        }
        assertEquals(name, nameOf(container));
    }

    /** Waits (at most 5 s) until the sandbox's container is addressed as {@code ref}. */
    private void awaitRef(String sandbox, String ref) throws InterruptedException {
        for (int poll = 0; poll < 100 && !ref.equals(claims.ref(sandbox)); poll++) {
            Thread.sleep(50);
        }
        assertEquals(ref, claims.ref(sandbox));
    }

    private Path file() {
        return Path.of(config.stateDir()).resolve(PoolClaims.FILE);
    }

    @Test
    void aClaimedContainerIsTheSandboxsAtOnceAndCarriesItsNameSoonAfter() throws Exception {
        String pooled = container(poolName());
        String sandbox = sandboxId();

        claims.claim(sandbox, pooled);
        String ref = claims.ref(sandbox);
        assertTrue(ref.equals(pooled) || ref.equals(DockerSandboxProvider.containerName(sandbox)),
                "the sandbox's container is found from the claim on: " + ref);
        assertEquals(pooled, docker.inspectContainerCmd(ref).exec().getId());

        awaitName(pooled, DockerSandboxProvider.containerName(sandbox));
        awaitRef(sandbox, DockerSandboxProvider.containerName(sandbox));
        // the renamer drops the claim, then writes the file: a moment apart
        for (int poll = 0; poll < 100 && !Files.readString(file()).isBlank(); poll++) {
            Thread.sleep(50);
        }
        assertTrue(Files.readString(file()).isBlank(), "nothing is left in the claims file");
        assertEquals(pooled, claims.claim(sandbox, container(poolName())), "a second claim of the sandbox gets the first container");
        assertEquals(sandbox, claims.bySandbox().get(pooled), "the runtime listing knows it until the destroy");
        claims.forget(sandbox);
        assertTrue(claims.claimedContainer(sandbox).isEmpty());
    }

    @Test
    void aClaimAStoppedWorkerLeftIsRenamedWhenItStartsAgainSoNoPoolAdoptsTheContainer() throws Exception {
        String left = container(poolName());
        String sandbox = sandboxId();
        // what a worker that died between answering a create and renaming its container leaves
        Files.writeString(file(), sandbox + " " + left + "\n");

        claims.replay();

        assertEquals(DockerSandboxProvider.containerName(sandbox), nameOf(left), "it carries its sandbox's name");
        assertEquals(DockerSandboxProvider.containerName(sandbox), claims.ref(sandbox));
        assertTrue(Files.readString(file()).isBlank(), "the claim is done");
    }

    @Test
    void aClaimForASandboxThatAlreadyHasAContainerGivesUpTheClaimedOne() throws Exception {
        String sandbox = sandboxId();
        String first = container(DockerSandboxProvider.containerName(sandbox));
        String second = container(poolName());

        claims.claim(sandbox, second);

        awaitRef(sandbox, DockerSandboxProvider.containerName(sandbox));
        assertEquals(first, docker.inspectContainerCmd(claims.ref(sandbox)).exec().getId(), "the earlier one stays the sandbox's");
        assertThrows(NotFoundException.class, () -> docker.inspectContainerCmd(second).exec(), "the claimed one is removed");
    }

    @Test
    void aClaimWhoseContainerWasRemovedMeanwhileIsForgotten() throws Exception {
        String pooled = container(poolName());
        String sandbox = sandboxId();
        claims.claim(sandbox, pooled);
        claims.forget(sandbox);
        docker.removeContainerCmd(pooled).withForce(true).exec();

        assertEquals(DockerSandboxProvider.containerName(sandbox), claims.ref(sandbox));
        assertTrue(Files.readString(file()).isBlank());
    }
}
