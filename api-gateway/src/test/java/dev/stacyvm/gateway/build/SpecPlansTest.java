package dev.stacyvm.gateway.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class SpecPlansTest {

    @Test
    void aSpecInstallsAptThenPipPackagesAsArgvs() {
        BuildPlan plan = SpecPlans.plan("stacyvm/base:bookworm", List.of("jq"), List.of("requests==2.32.3"), null,
                "http://203.0.113.10:8080/simple/");
        assertEquals("stacyvm/base:bookworm", plan.from());
        List<List<String>> argvs = plan.steps().stream().map(step -> ((BuildPlan.Run) step).argv()).toList();
        assertEquals(List.of("apt-get", "update"), argvs.get(0));
        assertEquals(List.of("apt-get", "install", "-y", "--no-install-recommends", "jq"), argvs.get(1));
        assertEquals(List.of("python3", "-m", "pip", "install", "--index-url", "http://203.0.113.10:8080/simple/",
                "--trusted-host", "203.0.113.10:8080", "--", "requests==2.32.3"), argvs.get(3));
    }

    @Test
    void aSpecWithoutPackagesHasNoSteps() {
        assertEquals(List.of(), SpecPlans.plan("img", List.of(), List.of(), null, null).steps());
    }

    @Test
    void packageNamesCannotCarryOptionsOrCommands() {
        assertNull(SpecPlans.checkPip(List.of("requests", "numpy>=1.26,<2", "uvicorn[standard]==0.30.1")));
        assertNull(SpecPlans.checkApt(List.of("jq", "libpq-dev", "python3-venv=3.11.2-1+b1")));
        assertNotNull(SpecPlans.checkPip(List.of("--index-url=http://evil/")));
        assertNotNull(SpecPlans.checkPip(List.of("requests; rm -rf /")));
        assertNotNull(SpecPlans.checkPip(List.of("git+https://example.com/x.git")));
        assertNotNull(SpecPlans.checkApt(List.of("-o=APT::Update::Pre-Invoke::=touch /tmp/x")));
        assertNotNull(SpecPlans.checkApt(List.of("jq && curl x")));
    }
}
