package dev.stacyvm.gateway.build;

import java.util.List;
import java.util.Map;

/**
 * What a build does, whether it came from a Dockerfile ({@link Dockerfile#plan}) or from an
 * environment spec ({@link SpecPlans#plan}): the base image, the steps run in order in one build
 * sandbox, and the image configuration the result gets over the base's.
 *
 * @param from  the base image reference, as the tenant's image policy checks it
 * @param steps the steps, in order
 * @param image the configuration changes for the committed image
 */
public record BuildPlan(String from, List<Step> steps, ImageChanges image) {

    public BuildPlan {
        steps = List.copyOf(steps);
    }

    /** One step of a build; {@code line} is its Dockerfile line (0 for a spec's steps). */
    public sealed interface Step {

        int line();

        /** How the build log names the step. */
        String describe();
    }

    /**
     * A command run as root in the build sandbox ({@code RUN}), with the build's variables and
     * {@code ENV}s so far as its environment, in {@code workdir}.
     */
    public record Run(int line, List<String> argv, Map<String, String> env, String workdir) implements Step {

        public Run {
            argv = List.copyOf(argv);
            env = Map.copyOf(env);
        }

        @Override
        public String describe() {
            boolean shell = argv.size() == 3 && argv.get(0).equals("/bin/sh") && argv.get(1).equals("-c");
            return "RUN " + (shell ? argv.get(2) : String.join(" ", argv));
        }
    }

    /**
     * Files of the build's context copied into the sandbox ({@code COPY}, or {@code ADD} of local
     * files): {@code sources} are context paths or glob patterns, {@code destination} absolute;
     * {@code owner} is {@code uid:gid} (numeric) or null for root.
     */
    public record Copy(int line, List<String> sources, String destination, String owner) implements Step {

        public Copy {
            sources = List.copyOf(sources);
        }

        @Override
        public String describe() {
            return "COPY " + String.join(" ", sources) + " " + destination;
        }
    }

    /** A directory made (and kept) for {@code WORKDIR}, as Docker's builder makes it. */
    public record Workdir(int line, String path) implements Step {

        @Override
        public String describe() {
            return "WORKDIR " + path;
        }
    }

    /**
     * The image configuration a Dockerfile set: null lists and strings keep the base image's
     * ({@code dev.stacyvm.contract.internal.ImageCommit} says how CMD and ENTRYPOINT pair).
     */
    public record ImageChanges(List<String> env, List<String> cmd, List<String> entrypoint, String workdir, String user,
                               List<String> exposedPorts, Map<String, String> labels) {

        /** No changes: the base image's configuration as it is. */
        public static final ImageChanges NONE = new ImageChanges(List.of(), null, null, null, null, List.of(), Map.of());
    }
}
