package dev.stacyvm.gateway.build;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.BuildLogLine;
import dev.stacyvm.contract.api.BuildRequest;
import dev.stacyvm.contract.api.BuildView;
import dev.stacyvm.contract.api.CreateSandboxRequest;
import dev.stacyvm.contract.api.EnvironmentSpecRequest;
import dev.stacyvm.contract.api.EnvironmentSpecView;
import dev.stacyvm.contract.api.ErrorCode;
import dev.stacyvm.contract.api.NetworkPolicy;
import dev.stacyvm.contract.api.SpawnConfig;
import dev.stacyvm.contract.image.ImageReference;
import dev.stacyvm.contract.internal.SandboxSpec;
import dev.stacyvm.gateway.EnvironmentBuild;
import dev.stacyvm.gateway.EnvironmentSpec;
import dev.stacyvm.gateway.auth.Caller;
import dev.stacyvm.gateway.config.GatewayConfig;
import dev.stacyvm.gateway.service.AuditTrail;
import dev.stacyvm.gateway.service.SandboxRequests;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * StacyVM's environments (docs/images.md, Builds): specs, and builds of a spec or of a Dockerfile
 * with its context. A build is checked whole when it is asked for (the Dockerfile read, the base
 * image against the tenant's policy, the build sandbox's spec resolved as the caller's create) and
 * then run by {@link BuildRunner}; its image, {@code stacyvm.invalid/{tenant}/{name}:{build}}, lives
 * on the worker that ran it, and only owners who may see the build (and its key's end users) run it.
 */
@ApplicationScoped
public class Builds {

    /** A spec or build name: one image path component (Docker's distribution grammar), 1 to 64 characters. */
    static final Pattern NAME = Pattern.compile("(?=.{1,64}$)[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    static final int MAX_SPECS_PER_OWNER = 100;
    static final int MAX_LIST = 200;
    private static final SecureRandom RANDOM = new SecureRandom();

    @Inject
    GatewayConfig config;

    @Inject
    SandboxRequests requests;

    @Inject
    BuildRunner runner;

    @Inject
    AuditTrail audit;

    @Inject
    ObjectMapper json;

    @Inject
    dev.stacyvm.gateway.service.ImagePolicies imagePolicies;

    @Inject
    dev.stacyvm.gateway.service.InternalServices services;

    // ---- specs

    /**
     * Saves a spec for the caller.
     *
     * @throws ApiException {@code bad_request} for a missing or malformed field, {@code forbidden}
     *     ({@code image_not_allowed}) for a base image the tenant's policy refuses
     */
    @Transactional
    public EnvironmentSpecView createSpec(Caller caller, EnvironmentSpecRequest request) {
        if (request == null) {
            throw ApiException.badRequest("a spec body is required");
        }
        String name = name(request.name());
        String base = required("base_image", request.baseImage());
        List<String> pip = trimmed(request.pythonPackages());
        List<String> apt = trimmed(request.aptPackages());
        refuseIf(SpecPlans.checkPip(pip));
        refuseIf(SpecPlans.checkApt(apt));
        String pythonVersion = blankToNull(request.pythonVersion());
        if (pythonVersion != null && !SpecPlans.PYTHON_VERSION.matcher(pythonVersion).matches()) {
            throw ApiException.badRequest("python_version must look like 3 or 3.11, not \"" + pythonVersion + "\"");
        }
        String index = blankToNull(request.pipIndexUrl());
        if (index != null) {
            checkIndexUrl(index);
        }
        // the base image and the egress are checked now as the build's create will check them
        resolveBuildSandbox(caller, base, "bridge", request.networkPolicy());
        if (EnvironmentSpec.count("ownerId", caller.ownerId()) >= MAX_SPECS_PER_OWNER) {
            throw ApiException.badRequest("an owner may hold at most " + MAX_SPECS_PER_OWNER + " specs");
        }
        EnvironmentSpec spec = new EnvironmentSpec();
        spec.id = "spec_" + hex(8);
        spec.tenant = caller.tenant();
        spec.ownerId = caller.ownerId();
        spec.name = name;
        spec.baseImage = base;
        spec.pythonPackages = pip;
        spec.aptPackages = apt;
        spec.pythonVersion = pythonVersion;
        spec.pipIndexUrl = index;
        spec.networkPolicy = request.networkPolicy();
        spec.createdAt = now();
        spec.updatedAt = spec.createdAt;
        spec.persist();
        return view(spec);
    }

    @Transactional
    public List<EnvironmentSpecView> listSpecs(Caller caller) {
        Caller.ListScope scope = caller.listScope();
        List<EnvironmentSpec> specs = scope.owner() != null ? EnvironmentSpec.listOwned(scope.owner())
                : scope.tenant() != null ? EnvironmentSpec.listOfTenant(scope.tenant())
                : EnvironmentSpec.<EnvironmentSpec>listAll();
        return specs.stream().map(Builds::view).toList();
    }

    /** @throws ApiException {@code not_found} for a spec the caller may not see, like a missing one */
    @Transactional
    public EnvironmentSpecView getSpec(Caller caller, String id) {
        return view(visibleSpec(caller, id));
    }

    @Transactional
    public void deleteSpec(Caller caller, String id) {
        visibleSpec(caller, id).delete();
    }

    private EnvironmentSpec visibleSpec(Caller caller, String id) {
        EnvironmentSpec spec = id == null ? null : EnvironmentSpec.findById(id);
        if (spec == null || !caller.maySee(spec.ownerId)) {
            throw ApiException.notFound("spec not found: " + id);
        }
        return spec;
    }

    // ---- builds

    /**
     * Starts a build of spec {@code request.spec_id()}: {@code queued} until a build slot is free.
     *
     * @throws ApiException {@code not_found} for a spec the caller may not see; {@code bad_request}
     *     for a target other than local; {@code image_not_allowed} when the tenant's policy now
     *     refuses the base image; {@code capacity_exhausted} when too many builds wait
     */
    public BuildView startSpecBuild(Caller caller, BuildRequest request) {
        if (request == null || blankToNull(request.specId()) == null) {
            throw ApiException.badRequest("spec_id is required");
        }
        if (request.targets() != null && request.targets().stream().anyMatch(t -> !"local".equals(t))) {
            throw ApiException.badRequest("only the local target is supported: a build's image stays on the worker "
                    + "that built it");
        }
        if (request.visibility() != null && !request.visibility().isBlank() && !"private".equals(request.visibility())) {
            throw ApiException.badRequest("only private visibility is supported");
        }
        EnvironmentSpec spec = QuarkusTransaction.requiringNew().call(() -> visibleSpec(caller, request.specId().trim()));
        BuildPlan plan = SpecPlans.plan(spec.baseImage, spec.aptPackages, spec.pythonPackages, spec.pythonVersion,
                spec.pipIndexUrl);
        // packages come over the network: the build sandbox has the spec's egress, bounded by the tenant's
        SandboxSpec sandbox = resolveBuildSandbox(caller, plan.from(), "bridge", spec.networkPolicy);
        return start(caller, spec.id, spec.name, plan, sandbox, null, null, null);
    }

    /**
     * Starts a build of the Dockerfile at {@code dockerfilePath} in the context tar {@code upload}.
     * Its steps run without network.
     *
     * @throws ApiException {@code bad_request} for a missing or malformed name, context or
     *     Dockerfile (naming the line), {@code payload_too_large} past {@code builds.max-context-mb},
     *     {@code image_not_allowed} for a FROM the tenant's policy refuses
     */
    public BuildView startDockerfileBuild(Caller caller, String name, String dockerfilePath, Map<String, String> buildArgs,
            InputStream upload) {
        String checkedName = name(name);
        BuildContext context;
        try {
            context = BuildContext.receive(upload, config.builds().maxContextMb() * 1024L * 1024L);
        } catch (BuildContext.ContextException tooLarge) {
            throw new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, tooLarge.getMessage());
        } catch (IOException failed) {
            throw ApiException.badRequest("could not read the build context: " + failed.getMessage());
        }
        try {
            BuildPlan plan;
            String text;
            try {
                text = context.dockerfile(dockerfilePath == null || dockerfilePath.isBlank() ? "Dockerfile" : dockerfilePath);
                // checked whole now; planned again over the base image's environment when it runs
                plan = Dockerfile.plan(text, buildArgs);
            } catch (IllegalArgumentException refused) {
                throw ApiException.badRequest(refused.getMessage());
            }
            SandboxSpec sandbox = resolveBuildSandbox(caller, plan.from(), "none", null);
            BuildView started = start(caller, null, checkedName, plan, sandbox, context, text, buildArgs);
            context = null; // the runner owns it now
            return started;
        } catch (IOException failed) {
            throw ApiException.badRequest("could not read the build context: " + failed.getMessage());
        } finally {
            if (context != null) {
                closeQuietly(context);
            }
        }
    }

    private BuildView start(Caller caller, String specId, String name, BuildPlan plan, SandboxSpec sandbox,
            BuildContext context, String dockerfile, Map<String, String> buildArgs) {
        if (plan.steps().stream().anyMatch(BuildPlan.Copy.class::isInstance) && context == null) {
            throw ApiException.badRequest("COPY needs a build context");
        }
        EnvironmentBuild build = QuarkusTransaction.requiringNew().call(() -> {
            // one tenant's starts one after another, so two at once cannot both pass the count
            EnvironmentBuild.getEntityManager().createNativeQuery("SELECT pg_advisory_xact_lock(hashtext(?1))")
                    .setParameter(1, "stacyvm.build:" + caller.tenant()).getSingleResult();
            List<String> active = List.of(EnvironmentBuild.QUEUED, EnvironmentBuild.BUILDING);
            var builds = config.builds();
            if (EnvironmentBuild.count("ownerId = ?1 and status in ?2", caller.ownerId(), active) >= builds.maxPerOwner()) {
                throw new ApiException(ErrorCode.RESOURCE_LIMIT, "an owner may have " + builds.maxPerOwner()
                        + " builds queued or running at once (stacyvm.gateway.builds.max-per-owner)");
            }
            if (EnvironmentBuild.count("tenant = ?1 and status in ?2", caller.tenant(), active) >= builds.maxPerTenant()) {
                throw new ApiException(ErrorCode.RESOURCE_LIMIT, "a tenant may have " + builds.maxPerTenant()
                        + " builds queued or running at once (stacyvm.gateway.builds.max-per-tenant)");
            }
            EnvironmentBuild record = new EnvironmentBuild();
            record.id = "bld-" + hex(6);
            record.specId = specId;
            record.tenant = caller.tenant();
            record.ownerId = caller.ownerId();
            record.name = name;
            record.baseImage = plan.from();
            record.status = EnvironmentBuild.QUEUED;
            record.currentStep = "queued";
            record.log = "";
            record.image = ImageReference.BUILDS_REGISTRY + "/" + slug(caller.tenant()) + "/" + name + ":" + record.id;
            record.createdAt = now();
            record.updatedAt = record.createdAt;
            record.persist();
            return record;
        });
        AuditTrail.Origin origin = audit.origin();
        try {
            runner.submit(new BuildRunner.Job(build.id, build.image, plan, sandbox.asBuilder(build.id), context, origin, dockerfile,
                    buildArgs));
        } catch (ApiException full) {
            QuarkusTransaction.requiringNew().run(() -> {
                EnvironmentBuild record = EnvironmentBuild.findById(build.id);
                record.status = EnvironmentBuild.FAILED;
                record.currentStep = "failed";
                record.error = full.getMessage();
                record.finishedAt = now();
                record.updatedAt = record.finishedAt;
            });
            throw full;
        }
        return QuarkusTransaction.requiringNew().call(() -> view(EnvironmentBuild.<EnvironmentBuild>findById(build.id)));
    }

    @Transactional
    public List<BuildView> list(Caller caller, Integer limit) {
        int bounded = limit == null ? 30 : limit;
        if (bounded < 1 || bounded > MAX_LIST) {
            throw ApiException.badRequest("limit must be between 1 and " + MAX_LIST);
        }
        Caller.ListScope scope = caller.listScope();
        List<EnvironmentBuild> builds = scope.owner() != null ? EnvironmentBuild.listOwned(scope.owner(), bounded)
                : scope.tenant() != null ? EnvironmentBuild.listOfTenant(scope.tenant(), bounded)
                : EnvironmentBuild.<EnvironmentBuild>find("order by createdAt desc").page(0, bounded).list();
        // a listing leaves the logs out: up to max-log-bytes each, 200 of them would not fit in memory
        return builds.stream().map(build -> view(build, false)).toList();
    }

    /** @throws ApiException {@code not_found} for a build the caller may not see, like a missing one */
    @Transactional
    public BuildView get(Caller caller, String id) {
        return view(visibleBuild(caller, id));
    }

    /**
     * Cancels a queued or running build: it ends {@code canceled}, its sandbox destroyed.
     *
     * @throws ApiException {@code conflict} when it already finished
     */
    public BuildView cancel(Caller caller, String id) {
        EnvironmentBuild build = QuarkusTransaction.requiringNew().call(() -> {
            EnvironmentBuild record = visibleBuild(caller, id);
            EnvironmentBuild locked = EnvironmentBuild.findById(record.id, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
            if (locked.finished()) {
                throw new ApiException(ErrorCode.CONFLICT, "build " + id + " already finished: " + locked.status);
            }
            locked.cancelRequested = true;
            locked.status = EnvironmentBuild.CANCELED;
            locked.currentStep = "canceled";
            locked.error = "build canceled by " + caller.actor();
            locked.finishedAt = now();
            locked.updatedAt = locked.finishedAt;
            return locked;
        });
        // whichever gateway runs it sees the record; the sandbox goes now, ending the step under way
        runner.stopSandbox(build.sandboxId);
        return QuarkusTransaction.requiringNew().call(() -> view(EnvironmentBuild.<EnvironmentBuild>findById(build.id)));
    }

    /** How often a followed log looks for more, and sends a keepalive when there is none for a while. */
    static final Duration LOG_POLL = Duration.ofSeconds(1);
    static final Duration LOG_KEEPALIVE = Duration.ofSeconds(10);

    /**
     * The build's log as NDJSON ({@link BuildLogLine}): what it holds now, then what it writes until
     * it finishes, then its final status. Ends at the latest {@code builds.timeout} and 5 minutes
     * after it was asked for, or when the client leaves.
     *
     * @throws ApiException {@code not_found} for a build the caller may not see
     */
    public StreamingOutput logStream(Caller caller, String id) {
        String buildId = QuarkusTransaction.requiringNew().call(() -> visibleBuild(caller, id).id);
        Instant end = Instant.now().plus(config.builds().timeout()).plusSeconds(300);
        return output -> {
            long position = 0;
            Instant lastWrite = Instant.now();
            while (true) {
                LogSince since = logSince(buildId, position);
                if (since == null) {
                    writeLine(output, new BuildLogLine(null, "gone", "the build was removed"));
                    return;
                }
                position = since.position();
                if (!since.text().isEmpty()) {
                    writeLine(output, new BuildLogLine(since.text(), null, null));
                    lastWrite = Instant.now();
                }
                if (since.finished()) {
                    writeLine(output, new BuildLogLine(null, since.status(), since.error()));
                    return;
                }
                if (Instant.now().isAfter(end)) {
                    writeLine(output, new BuildLogLine(null, since.status(), "the log stream ended before the build did"));
                    return;
                }
                if (Duration.between(lastWrite, Instant.now()).compareTo(LOG_KEEPALIVE) > 0) {
                    output.write('\n'); // a keepalive; a client that left fails it and ends the stream
                    output.flush();
                    lastWrite = Instant.now();
                }
                try {
                    Thread.sleep(LOG_POLL.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        };
    }

    /** A build's log after an absolute position, the position after it, and its state then. */
    record LogSince(String text, long position, String status, String error) {

        boolean finished() {
            return EnvironmentBuild.READY.equals(status) || EnvironmentBuild.FAILED.equals(status)
                    || EnvironmentBuild.CANCELED.equals(status);
        }
    }

    /**
     * The build's log after absolute character {@code position} (what was dropped from its start
     * skipped), read in the database: a follower reads what is new, never the whole row again.
     */
    LogSince logSince(String buildId, long position) {
        return QuarkusTransaction.requiringNew().call(() -> {
            @SuppressWarnings("unchecked")
            List<Object[]> rows = EnvironmentBuild.getEntityManager().createNativeQuery(
                    "SELECT status, error, log_dropped, char_length(log), "
                            + "substring(log from greatest(1, CAST(?2 AS bigint) - log_dropped + 1)::int) "
                            + "FROM environment_build WHERE id = ?1")
                    .setParameter(1, buildId).setParameter(2, position).getResultList();
            if (rows.isEmpty()) {
                return null;
            }
            Object[] row = rows.get(0);
            long dropped = ((Number) row[2]).longValue();
            long length = ((Number) row[3]).longValue();
            return new LogSince((String) row[4], dropped + length, (String) row[0], (String) row[1]);
        });
    }

    private void writeLine(OutputStream output, BuildLogLine line) throws IOException {
        output.write(json.writeValueAsBytes(line));
        output.write('\n');
        output.flush();
    }

    /**
     * Deletes a finished build and removes its image from its worker.
     *
     * @throws ApiException {@code not_found} for a build the caller may not see; {@code conflict}
     *     while it runs (cancel it first) or while a sandbox runs its image
     */
    public void delete(Caller caller, String id) {
        EnvironmentBuild build = QuarkusTransaction.requiringNew().call(() -> visibleBuild(caller, id));
        if (!build.finished()) {
            throw new ApiException(ErrorCode.CONFLICT, "build " + id + " is " + build.status + ": cancel it first");
        }
        if (EnvironmentBuild.READY.equals(build.status) && build.workerId != null) {
            try {
                services.worker(build.workerId, Duration.ofSeconds(60)).removeImage(build.image);
            } catch (ApiException refused) {
                if (refused.code() != ErrorCode.NOT_FOUND) {
                    throw new ApiException(ErrorCode.CONFLICT, "build " + id + "'s image cannot be removed now: "
                            + refused.getMessage());
                }
            }
        }
        QuarkusTransaction.requiringNew().run(() -> EnvironmentBuild.deleteById(build.id));
    }

    /** StacyVM's spawn-config: the image a create names to run the build's result (on docker, which built it). */
    @Transactional
    public SpawnConfig spawnConfig(Caller caller, String id) {
        EnvironmentBuild build = visibleBuild(caller, id);
        boolean ready = EnvironmentBuild.READY.equals(build.status);
        return new SpawnConfig(build.id, build.status, ready, "docker", build.image, "local",
                build.digest, ready ? "use the image exactly as given, in a create's image or a template's; it runs "
                        + "on the worker that built it"
                        : "the build is " + build.status + "; its image can be spawned once it is ready");
    }

    /**
     * The worker holding {@code image} (a build's image) when {@code caller} may run it.
     *
     * @throws ApiException {@code not_found} when no ready build the caller may use made it
     */
    @Transactional
    public String workerOfImage(Caller caller, String image) {
        EnvironmentBuild build = EnvironmentBuild.byImage(image);
        if (build == null || !(caller.maySee(build.ownerId) || build.ownerId.equals(caller.keyId()))) {
            throw ApiException.notFound("image " + image + " is not an image of any of your builds");
        }
        if (!EnvironmentBuild.READY.equals(build.status) || build.workerId == null) {
            throw new ApiException(ErrorCode.CONFLICT, "build " + build.id + " is " + build.status + ", not ready");
        }
        // a policy set after the build binds its image too: it is its base's, with more on top
        imagePolicies.check(caller.tenant(), build.baseImage);
        return build.workerId;
    }

    EnvironmentBuild visibleBuild(Caller caller, String id) {
        EnvironmentBuild build = id == null ? null : EnvironmentBuild.findById(id);
        if (build == null || !caller.maySee(build.ownerId)) {
            throw ApiException.notFound("build not found: " + id);
        }
        return build;
    }

    /**
     * The build sandbox's spec, resolved as a create of the caller's would be: the tenant's image
     * policy checks {@code image}, the tenant's egress bounds {@code policy}, the owner's quota
     * applies.
     */
    SandboxSpec resolveBuildSandbox(Caller caller, String image, String network, NetworkPolicy policy) {
        var builds = config.builds();
        long ttlSeconds = builds.timeout().toSeconds() + 300;
        return requests.resolve(new CreateSandboxRequest(image, null, builds.memoryMb(), builds.vcpus(), ttlSeconds + "s",
                null, null, Map.of(), Map.of(), network, List.of(), false, builds.diskMb(),
                builds.pidsLimit(), null, false, "bridge".equals(network) ? policy : null, null,
                // a build's steps fetch over the network, which gVisor has none of here: runc whatever the default
                dev.stacyvm.contract.internal.SandboxSpec.DEFAULT_RUNTIME), caller);
    }

    // ---- views and checks

    public static BuildView view(EnvironmentBuild build) {
        return view(build, true);
    }

    /** The build as the API shows it; without {@code withLog}, its log left out. */
    static BuildView view(EnvironmentBuild build, boolean withLog) {
        String artifactStatus = EnvironmentBuild.READY.equals(build.status) ? "ready"
                : build.finished() ? build.status : "pending";
        return new BuildView(build.id, build.specId, build.name, build.ownerId, build.status, build.currentStep,
                withLog ? build.log : null,
                build.image, build.imageSizeBytes, build.digest, build.error, build.createdAt, build.startedAt,
                build.finishedAt, build.updatedAt, List.of(new BuildView.Artifact("local", build.image, build.digest,
                        artifactStatus, build.error)));
    }

    static EnvironmentSpecView view(EnvironmentSpec spec) {
        return new EnvironmentSpecView(spec.id, spec.ownerId, spec.name, spec.baseImage, spec.pythonPackages,
                spec.aptPackages, spec.pythonVersion, spec.pipIndexUrl, spec.networkPolicy, spec.createdAt, spec.updatedAt);
    }

    static String name(String name) {
        String trimmed = name == null ? "" : name.trim();
        if (!NAME.matcher(trimmed).matches()) {
            throw ApiException.badRequest("name must be 1 to 64 lower-case letters, digits and single '.', '_' or '-' "
                    + "between them, not \"" + name + "\"");
        }
        return trimmed;
    }

    /** The tenant as one image path component. */
    static String slug(String tenant) {
        String slug = tenant.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        return slug.isEmpty() ? "tenant" : slug.length() > 64 ? slug.substring(0, 64).replaceAll("-+$", "") : slug;
    }

    private static void checkIndexUrl(String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException malformed) {
            throw ApiException.badRequest("pip_index_url is not a URL: " + url);
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null
                || uri.getUserInfo() != null || url.length() > 512) {
            throw ApiException.badRequest("pip_index_url must be an http or https URL without credentials, not " + url);
        }
    }

    private static List<String> trimmed(List<String> values) {
        if (values == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String value : values) {
            if (value != null && !value.isBlank()) {
                out.add(value.trim());
            } else {
                throw ApiException.badRequest("package lists may not hold empty names");
            }
        }
        return out;
    }

    private static void refuseIf(String why) {
        if (why != null) {
            throw ApiException.badRequest(why);
        }
    }

    private static String required(String field, String value) {
        String trimmed = blankToNull(value);
        if (trimmed == null) {
            throw ApiException.badRequest(field + " is required");
        }
        return trimmed;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    private static String hex(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return HexFormat.of().formatHex(random);
    }

    private static void closeQuietly(BuildContext context) {
        try {
            context.close();
        } catch (IOException ignored) {
            // a temporary file
        }
    }
}
