package dev.stacyvm.contract.internal;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.stacyvm.contract.api.HostCapacity;
import java.util.List;
import java.util.Map;

/**
 * A worker introducing itself to the scheduler, at start and on every heartbeat: where it
 * answers, how many sandboxes it may run, which providers it has, and labels placement may match.
 * {@code instance_id} is new with every start of the process; {@code generation} is the fencing
 * generation the scheduler gave this instance (0 until it has one). A new instance takes the
 * worker over with a higher generation; an older instance is refused from then on, so two
 * processes never manage the same worker's runtimes. {@code host} is what the worker's host can
 * hold in all (memory, vCPUs, pids); the scheduler places nothing on a worker that advertises none.
 * {@code runtimes} are the OCI runtimes its engine has among those a sandbox may name
 * ({@link SandboxSpec#RUNTIMES}); {@code null} or empty (a worker that predates it) means runc only.
 * {@code certifications} is each provider and runtime's certification state on its host
 * (docs/certification.md); null (a worker that predates it) certifies nothing.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record WorkerRegistration(
        String id,
        String endpoint,
        int capacity,
        List<String> providers,
        Map<String, String> labels,
        String instanceId,
        long generation,
        HostCapacity host,
        List<String> runtimes,
        List<dev.stacyvm.contract.api.Certification> certifications) {
}
