package dev.stacyvm.contract.image;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An image reference as the engine reads one (the distribution project's reference grammar):
 * {@code [registry/]path[:tag][@digest]}. The first path component is a registry when it holds a
 * {@code .} or a {@code :} or is {@code localhost}; without one the reference is Docker Hub's,
 * where a one-component path is an official image under {@code library/}. {@code alpine} is
 * {@code docker.io/library/alpine:latest}; {@code registry.example:5000/team/app:1} is that
 * registry's {@code team/app} at tag {@code 1}.
 *
 * @param registry the registry's host and port, {@code docker.io} for Docker Hub
 * @param repository the repository path within the registry ({@code library/alpine})
 * @param tag the tag, {@code latest} when the reference names neither tag nor digest; null with a digest alone
 * @param digest {@code sha256:...}, or null
 */
public record ImageReference(String registry, String repository, String tag, String digest) {

    /** Docker Hub, where a reference without a registry goes. */
    public static final String DOCKER_HUB = "docker.io";
    /**
     * The registry part of every image a build makes ({@code stacyvm.invalid/{tenant}/{name}:{build}}):
     * {@code .invalid} never resolves (RFC 2606), so no engine can ever pull such a name from anywhere,
     * and a worker refuses to try.
     */
    public static final String BUILDS_REGISTRY = "stacyvm.invalid";
    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern DIGEST = Pattern.compile("[a-z0-9]+(?:[+._-][a-z0-9]+)*:[0-9a-fA-F]{32,}");
    private static final Pattern REGISTRY = Pattern.compile("[A-Za-z0-9.-]+(?::[0-9]{1,5})?");

    /**
     * Parses a reference as {@code docker pull} would.
     *
     * @throws IllegalArgumentException naming what is wrong with it
     */
    public static ImageReference parse(String reference) {
        if (reference == null || reference.isBlank() || reference.length() > 255) {
            throw new IllegalArgumentException("an image reference of 1 to 255 characters is required");
        }
        String rest = reference;
        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
            if (!DIGEST.matcher(digest).matches()) {
                throw new IllegalArgumentException("\"" + digest + "\" is not a digest such as sha256:<hex>");
            }
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!TAG.matcher(tag).matches()) {
                throw new IllegalArgumentException("\"" + tag + "\" is not a valid tag");
            }
        }
        String registry = DOCKER_HUB;
        int slash = rest.indexOf('/');
        if (slash > 0) {
            String first = rest.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                if (!REGISTRY.matcher(first).matches()) {
                    throw new IllegalArgumentException("\"" + first + "\" is not a registry host[:port]");
                }
                registry = first.toLowerCase(Locale.ROOT);
                // the engine reads Docker Hub's older host names as Docker Hub itself
                if (registry.equals("index.docker.io") || registry.equals("registry-1.docker.io")) {
                    registry = DOCKER_HUB;
                }
                rest = rest.substring(slash + 1);
            }
        }
        for (String component : rest.split("/", -1)) {
            if (!COMPONENT.matcher(component).matches()) {
                throw new IllegalArgumentException("\"" + rest + "\" is not a repository path (lower-case letters, "
                        + "digits and . _ - between /)");
            }
        }
        if (registry.equals(DOCKER_HUB) && !rest.contains("/")) {
            rest = "library/" + rest;
        }
        if (tag == null && digest == null) {
            tag = "latest";
        }
        return new ImageReference(registry, rest, tag, digest);
    }

    /**
     * Whether the engine name {@code held} (a tag or a {@code repository@digest}) is this reference:
     * the same repository, and this digest or, without one, this tag.
     */
    public boolean isNamedBy(ImageReference held) {
        return held.registry.equals(registry) && held.repository.equals(repository)
                && (digest != null ? digest.equals(held.digest) : held.digest == null && tag.equals(held.tag));
    }

    /** Whether the reference names a build's image ({@link #BUILDS_REGISTRY}), which only its build's worker holds. */
    public boolean built() {
        // every spelling of the host: any port, a trailing dot, any case
        String host = registry.replaceFirst(":[0-9]+$", "").toLowerCase(java.util.Locale.ROOT);
        return BUILDS_REGISTRY.equals(host.endsWith(".") ? host.substring(0, host.length() - 1) : host);
    }

    /** Whether the reference is Docker Hub's, which the operator's mirrors serve first. */
    public boolean dockerHub() {
        return registry.equals(DOCKER_HUB);
    }

    /** The same image in another registry (a mirror's {@code host:port}), as that registry names it. */
    public ImageReference in(String otherRegistry) {
        return new ImageReference(otherRegistry, repository, tag, digest);
    }

    /** The repository as the engine's pull takes it ({@code fromImage}): with the registry, unless Docker Hub's. */
    public String pullRepository() {
        return dockerHub() ? repository : registry + "/" + repository;
    }

    /** The tag or digest to pull: a digest wins. */
    public String pullTag() {
        return digest != null ? digest : tag;
    }

    /**
     * The reference as the engine shows it: without Docker Hub's registry and {@code library/}
     * ({@code alpine:latest}, {@code team/app:1}), others in full.
     */
    public String familiar() {
        String name = !dockerHub() ? registry + "/" + repository
                : repository.startsWith("library/") ? repository.substring("library/".length()) : repository;
        return name + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }

    /** The fully qualified reference, e.g. {@code docker.io/library/alpine:latest}. */
    @Override
    public String toString() {
        return registry + "/" + repository + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }
}
