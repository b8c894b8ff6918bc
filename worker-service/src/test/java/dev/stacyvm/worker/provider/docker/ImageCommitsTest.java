package dev.stacyvm.worker.provider.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.model.ContainerConfig;
import dev.stacyvm.contract.internal.ImageCommit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A built image's configuration is its base's with the build's changes, as Docker's builder applies them. */
class ImageCommitsTest {

    private static ContainerConfig base() throws Exception {
        return new ObjectMapper().readValue("""
                {"Env": ["PATH=/usr/bin:/bin", "LANG=C.UTF-8"], "Cmd": ["/bin/bash"], "Entrypoint": null,
                 "WorkingDir": "/workspace", "User": "1000:1000", "ExposedPorts": {"22/tcp": {}},
                 "Labels": {"dev.stacyvm.base-image": "true"}}""", ContainerConfig.class);
    }

    private static ImageCommit commit(List<String> env, List<String> cmd, List<String> entrypoint) {
        return new ImageCommit("stacyvm.invalid/t/app:bld-1", "stacyvm/base:bookworm", env, cmd, entrypoint, null, null,
                List.of("8080/tcp"), Map.of("team", "data"));
    }

    @Test
    void theBuildsSettingsGoOverTheBasesByName() throws Exception {
        ImageCommits.ImageConfig config = ImageCommits.ImageConfig.over(base(),
                commit(List.of("LANG=en_US.UTF-8", "APP=1"), null, null));
        assertEquals(List.of("PATH=/usr/bin:/bin", "LANG=en_US.UTF-8", "APP=1"), config.env());
        assertEquals(List.of("/bin/bash"), config.cmd());
        assertEquals("/workspace", config.workdir());
        assertEquals("1000:1000", config.user());
        assertEquals(List.of("22/tcp", "8080/tcp"), config.exposedPorts());
        assertEquals(Map.of("dev.stacyvm.base-image", "true", "team", "data"), config.labels());
    }

    @Test
    void aNewEntrypointDropsTheBasesCmdAndANewCmdKeepsTheBasesEntrypoint() throws Exception {
        ImageCommits.ImageConfig entrypoint = ImageCommits.ImageConfig.over(base(), commit(null, null, List.of("/app")));
        assertEquals(List.of("/app"), entrypoint.entrypoint());
        assertEquals(List.of(), entrypoint.cmd());
        ImageCommits.ImageConfig cmd = ImageCommits.ImageConfig.over(base(), commit(null, List.of("python3"), null));
        assertEquals(List.of(), cmd.entrypoint());
        assertEquals(List.of("python3"), cmd.cmd());
    }
}
