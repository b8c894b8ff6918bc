package dev.stacyvm.gateway.build;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The plan of an environment spec (StacyVM's {@code /environments/specs}): its base image, then its
 * apt packages ({@code apt-get update} and {@code apt-get install}), then its Python packages
 * ({@code python3 -m pip install}, from {@code pip_index_url} when the spec names one). Every
 * command is an argv, never a shell line, and every package must look like a package: a name
 * cannot smuggle an option or a second command in.
 */
public final class SpecPlans {

    /** A Debian package, with an optional {@code =version} or {@code /release}. */
    static final Pattern APT_PACKAGE = Pattern.compile("[a-z0-9][a-z0-9+.-]{0,127}([=/][A-Za-z0-9.+:~_-]{1,128})?");
    /** A PEP 508 name with optional extras and version specifiers (no URLs, no markers). */
    static final Pattern PIP_PACKAGE = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9._-]{0,126}[A-Za-z0-9])?"
            + "(\\[[A-Za-z0-9._-]+(,[A-Za-z0-9._-]+)*\\])?"
            + "((==|>=|<=|~=|!=|<|>|===)[A-Za-z0-9.*+!_-]{1,64}(,(==|>=|<=|~=|!=|<|>|===)[A-Za-z0-9.*+!_-]{1,64})*)?");
    /** A Python version a spec may ask for: {@code 3} or {@code 3.11}. */
    static final Pattern PYTHON_VERSION = Pattern.compile("[0-9]{1,2}(\\.[0-9]{1,3})?");
    public static final int MAX_PACKAGES = 100;

    private SpecPlans() {
    }

    /** The steps' environment: no prompts, and pip allowed to install into the image's Python (PEP 668). */
    static final Map<String, String> ENV = Map.of("DEBIAN_FRONTEND", "noninteractive", "PIP_BREAK_SYSTEM_PACKAGES", "1",
            "PIP_DISABLE_PIP_VERSION_CHECK", "1", "PIP_NO_CACHE_DIR", "1");

    /**
     * The plan for a spec; the lists are already checked ({@link #checkApt}, {@link #checkPip}).
     *
     * @param pythonVersion when set, the build fails unless the image's {@code python3} is that version
     * @param pipIndexUrl   the package index pip installs from (null: pip's own default)
     */
    public static BuildPlan plan(String baseImage, List<String> aptPackages, List<String> pythonPackages,
            String pythonVersion, String pipIndexUrl) {
        List<BuildPlan.Step> steps = new ArrayList<>();
        if (pythonVersion != null && !pythonVersion.isBlank()) {
            steps.add(new BuildPlan.Run(0, List.of("python3", "-c", "import sys\n"
                    + "want = '" + pythonVersion + "'\n"
                    + "have = '%d.%d.%d' % sys.version_info[:3]\n"
                    + "if have != want and not have.startswith(want + '.'):\n"
                    + "    sys.exit('the image has Python ' + have + ', the spec asks for ' + want)\n"
                    + "print('Python', have)"), ENV, "/"));
        }
        if (!aptPackages.isEmpty()) {
            steps.add(new BuildPlan.Run(0, List.of("apt-get", "update"), ENV, "/"));
            List<String> install = new ArrayList<>(List.of("apt-get", "install", "-y", "--no-install-recommends"));
            install.addAll(aptPackages);
            steps.add(new BuildPlan.Run(0, install, ENV, "/"));
            steps.add(new BuildPlan.Run(0, List.of("sh", "-c", "rm -rf /var/lib/apt/lists/*"), ENV, "/"));
        }
        if (!pythonPackages.isEmpty()) {
            List<String> pip = new ArrayList<>(List.of("python3", "-m", "pip", "install"));
            if (pipIndexUrl != null && !pipIndexUrl.isBlank()) {
                pip.add("--index-url");
                pip.add(pipIndexUrl);
                java.net.URI index = java.net.URI.create(pipIndexUrl);
                if ("http".equals(index.getScheme())) {
                    // the spec chose a plain-HTTP index (an internal one): pip ignores those unless told
                    pip.add("--trusted-host");
                    pip.add(index.getPort() > 0 ? index.getHost() + ":" + index.getPort() : index.getHost());
                }
            }
            pip.add("--");
            pip.addAll(pythonPackages);
            steps.add(new BuildPlan.Run(0, pip, ENV, "/"));
        }
        return new BuildPlan(baseImage, steps, BuildPlan.ImageChanges.NONE);
    }

    /** The apt packages, trimmed, or the reason they are refused (null when fine). */
    public static String checkApt(List<String> packages) {
        return check("apt_packages", packages, APT_PACKAGE);
    }

    /** The Python packages, trimmed, or the reason they are refused (null when fine). */
    public static String checkPip(List<String> packages) {
        return check("python_packages", packages, PIP_PACKAGE);
    }

    private static String check(String field, List<String> packages, Pattern shape) {
        if (packages.size() > MAX_PACKAGES) {
            return field + " holds at most " + MAX_PACKAGES + " packages";
        }
        for (String name : packages) {
            if (name == null || !shape.matcher(name).matches()) {
                return field + ": \"" + name + "\" is not a package name (with an optional version)";
            }
        }
        return null;
    }
}
