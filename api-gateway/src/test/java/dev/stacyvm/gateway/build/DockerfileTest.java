package dev.stacyvm.gateway.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DockerfileTest {

    @Test
    void aDockerfileBecomesItsStepsAndImageSettings() {
        BuildPlan plan = Dockerfile.plan("""
                # syntax=docker/dockerfile:1
                FROM stacyvm/base:bookworm
                ENV APP_HOME=/srv/app GREETING="hello there"
                WORKDIR $APP_HOME
                COPY app.py ./
                RUN python3 -c 'print(1)' \\
                    && echo done
                EXPOSE 8080 9000/udp
                USER 1000:1000
                CMD ["python3", "app.py"]
                LABEL team=data
                """, null);
        assertEquals("stacyvm/base:bookworm", plan.from());
        assertEquals(3, plan.steps().size());
        assertEquals(new BuildPlan.Workdir(4, "/srv/app"), plan.steps().get(0));
        assertEquals(new BuildPlan.Copy(5, List.of("app.py"), "/srv/app/", null), plan.steps().get(1));
        BuildPlan.Run run = (BuildPlan.Run) plan.steps().get(2);
        assertEquals(6, run.line());
        assertEquals(List.of("/bin/sh", "-c", "python3 -c 'print(1)'     && echo done"), run.argv());
        assertEquals("/srv/app", run.workdir());
        assertEquals("hello there", run.env().get("GREETING"));
        assertEquals(List.of("APP_HOME=/srv/app", "GREETING=hello there"), plan.image().env());
        assertEquals(List.of("python3", "app.py"), plan.image().cmd());
        assertNull(plan.image().entrypoint());
        assertEquals("/srv/app", plan.image().workdir());
        assertEquals("1000:1000", plan.image().user());
        assertEquals(List.of("8080/tcp", "9000/udp"), plan.image().exposedPorts());
        assertEquals(Map.of("team", "data"), plan.image().labels());
    }

    @Test
    void argsReachFromAndRunButNotTheImage() {
        BuildPlan plan = Dockerfile.plan("""
                ARG BASE=stacyvm/base:bookworm
                FROM ${BASE}
                ARG BASE
                ARG VERSION=1.0
                RUN echo $VERSION
                ENV V=${VERSION:-none} W=${MISSING:-fallback} X=${VERSION:+set}
                """, Map.of("VERSION", "2.5"));
        assertEquals("stacyvm/base:bookworm", plan.from());
        BuildPlan.Run run = (BuildPlan.Run) plan.steps().get(0);
        assertEquals("2.5", run.env().get("VERSION"));
        assertEquals("stacyvm/base:bookworm", run.env().get("BASE"));
        assertEquals(List.of("V=2.5", "W=fallback", "X=set"), plan.image().env());
    }

    @Test
    void stepsStartFromTheBaseImagesEnvironmentAndWorkdir() {
        Dockerfile.BaseImage base = new Dockerfile.BaseImage(Map.of("PATH", "/usr/bin:/bin", "LANG", "C.UTF-8"),
                "/workspace");
        BuildPlan plan = Dockerfile.plan("FROM img\nENV PATH=/opt/tool/bin:$PATH\nWORKDIR app\nRUN tool\n", null, base);
        assertEquals(List.of("PATH=/opt/tool/bin:/usr/bin:/bin"), plan.image().env(), "only what the Dockerfile set");
        assertEquals(new BuildPlan.Workdir(3, "/workspace/app"), plan.steps().get(0));
        BuildPlan.Run run = (BuildPlan.Run) plan.steps().get(1);
        assertEquals("/opt/tool/bin:/usr/bin:/bin", run.env().get("PATH"));
        assertEquals("C.UTF-8", run.env().get("LANG"));
        assertEquals("/workspace/app", run.workdir());
        assertEquals("/workspace", ((BuildPlan.Run) Dockerfile.plan("FROM img\nRUN pwd\n", null, base).steps().get(0))
                .workdir(), "a RUN before any WORKDIR runs in the base's");
    }

    @Test
    void anEntrypointInShellFormRunsUnderSh() {
        BuildPlan plan = Dockerfile.plan("FROM img\nENTRYPOINT exec python3 -m http.server\n", null);
        assertEquals(List.of("/bin/sh", "-c", "exec python3 -m http.server"), plan.image().entrypoint());
        assertNull(plan.image().cmd());
    }

    @Test
    void theEscapeDirectiveChangesTheContinuationCharacter() {
        BuildPlan plan = Dockerfile.plan("# escape=`\nFROM img\nRUN echo a `\n  b\n", null);
        assertEquals(List.of("/bin/sh", "-c", "echo a   b"), ((BuildPlan.Run) plan.steps().get(0)).argv());
    }

    @Test
    void commentsBetweenContinuedLinesAreDropped() {
        BuildPlan plan = Dockerfile.plan("FROM img\nRUN echo a \\\n# a comment\n  b\n", null);
        assertEquals(List.of("/bin/sh", "-c", "echo a   b"), ((BuildPlan.Run) plan.steps().get(0)).argv());
    }

    @Test
    void whatTheBuilderCannotDoIsRefusedWithItsLine() {
        assertRefused("FROM a\nFROM b\n", 2, "multi-stage");
        assertRefused("FROM a\nCOPY --from=build /x /y\n", 2, "multi-stage");
        assertRefused("FROM a\nRUN --mount=type=cache,target=/root echo\n", 2, "RUN options");
        assertRefused("FROM a\nADD https://example.com/x.tgz /x\n", 2, "URL");
        assertRefused("FROM a\nVOLUME /data\n", 2, "VOLUME is not supported");
        assertRefused("FROM a\nHEALTHCHECK CMD true\n", 2, "HEALTHCHECK");
        assertRefused("FROM a\nFROBNICATE x\n", 2, "unknown instruction");
        assertRefused("RUN echo\n", 1, "before FROM");
        assertRefused("FROM scratch\n", 1, "scratch");
        assertRefused("FROM a\nEXPOSE 70000\n", 2, "EXPOSE");
        assertRefused("FROM a\nENV 1BAD=x\n", 2, "not a valid variable name");
        assertRefused("FROM a\nCOPY onlyone\n", 2, "destination");
        assertRefused("# just a comment\n", 0, "no FROM");
    }

    @Test
    void substitutionsThatGrowWithoutBoundAreRefused() {
        StringBuilder text = new StringBuilder("FROM a\nENV A=" + "x".repeat(1024) + "\n");
        for (int i = 0; i < 30; i++) {
            text.append("ENV A=$A$A\n");
        }
        assertRefused(text.toString(), 9, "longer than 64 KiB");
        assertRefused("FROM a\nLABEL dev.stacyvm.managed=true\n", 2, "StacyVM's own");
    }

    @Test
    void relativePathsResolveAgainstTheWorkdirSoFar() {
        BuildPlan plan = Dockerfile.plan("FROM a\nWORKDIR /srv\nWORKDIR app/../data\nCOPY x y\n", null);
        assertEquals(new BuildPlan.Workdir(3, "/srv/data"), plan.steps().get(1));
        assertEquals("/srv/data/y", ((BuildPlan.Copy) plan.steps().get(2)).destination());
    }

    @Test
    void copyKeepsItsOwnerForTheRunnerToResolve() {
        BuildPlan plan = Dockerfile.plan("FROM a\nCOPY --chown=sandbox:sandbox [\"a b.txt\", \"/dest/\"]\nCOPY --chown=1000 x /y/\n",
                null);
        assertEquals(new BuildPlan.Copy(2, List.of("a b.txt"), "/dest/", "sandbox:sandbox"), plan.steps().get(0));
        assertEquals("1000", ((BuildPlan.Copy) plan.steps().get(1)).owner());
    }

    private static void assertRefused(String text, int line, String why) {
        Dockerfile.DockerfileException refused = assertThrows(Dockerfile.DockerfileException.class,
                () -> Dockerfile.plan(text, null));
        assertEquals(line, refused.line(), refused.getMessage());
        assertTrue(refused.getMessage().contains(why), refused.getMessage());
    }
}
