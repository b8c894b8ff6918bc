package dev.stacyvm.contract.image;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.stacyvm.contract.api.ApiException;
import dev.stacyvm.contract.api.ErrorCode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Pattern;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A tenant's image policy: which image references its sandboxes, templates and builds may name.
 * As JSON: <pre>{"allow": ["docker.io/library/*", "registry.example:5000/team/**"], "deny": ["**:latest"]}</pre>
 * A pattern is a reference with wildcards: {@code *} matches any characters but {@code /},
 * {@code **} any characters at all. It is matched against the reference as written
 * ({@code python}), in full ({@code docker.io/library/python:latest}) and in the engine's short form
 * ({@code python:latest}); a pattern naming no tag
 * or digest ({@code docker.io/library/python}) matches every tag and digest of that repository. The
 * deny list wins; with a non-empty allow list, an image none of its patterns match is refused too.
 * A reference by digest alone names no tag, so only a pattern without one denies it: deny a
 * repository, not a tag, to deny all of it.
 * Patterns hold letters, digits and {@code . _ - / : @ *}, at most {@value #MAX_PATTERNS} a list.
 */
@Schema(description = "A tenant's image policy: the image references its sandboxes, templates and builds may name. "
        + "A pattern is a reference with wildcards (* matches anything but /, ** anything at all), matched against "
        + "the reference as written (python:3.12) and in full (docker.io/library/python:3.12); a pattern without a "
        + "tag or digest matches every tag of that repository. The deny list wins; with a non-empty allow list, an "
        + "image no allow pattern matches is refused too (403 image_not_allowed, naming the pattern or the list).")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ImagePolicy(
        @Schema(description = "Patterns an image must match one of; empty or left out: any image not denied. At most "
                + "64.", examples = "[\"docker.io/library/*\", \"registry.example:5000/team/**\"]")
        List<String> allow,
        @Schema(description = "Patterns no image may match; they win over allow. At most 64.",
                examples = "[\"**:latest\"]")
        List<String> deny) {

    /** Most patterns one list may hold. */
    public static final int MAX_PATTERNS = 64;
    private static final Pattern PATTERN = Pattern.compile("[A-Za-z0-9._/:@*-]{1,255}");
    /** Most wildcards one pattern may hold, so that matching stays cheap whatever the image. */
    static final int MAX_WILDCARDS = 8;

    /** Missing lists are empty ones, and both lists are copied, so a policy never changes once made. */
    public ImagePolicy {
        allow = allow == null ? List.of() : List.copyOf(allow);
        deny = deny == null ? List.of() : List.copyOf(deny);
    }

    /**
     * This policy with each list checked and stripped of repeats.
     *
     * @throws ApiException {@code bad_request} naming a pattern that is empty, too long, holds a
     *                      character no reference has, or a list past {@value #MAX_PATTERNS}
     */
    public ImagePolicy validated() {
        return new ImagePolicy(checked("allow", allow), checked("deny", deny));
    }

    /**
     * Why this policy refuses {@code image}, or null when it allows it.
     *
     * @return a sentence naming the deny pattern that matched, or the allow list none of whose
     *         patterns did
     */
    public String refusal(String image) {
        List<String> forms = forms(image);
        for (String pattern : deny) {
            if (matchesAny(pattern, forms)) {
                return "image \"" + image + "\" is refused by its tenant's image policy: it matches the deny pattern \""
                        + pattern + "\"";
            }
        }
        if (!allow.isEmpty() && allow.stream().noneMatch(pattern -> matchesAny(pattern, forms))) {
            return "image \"" + image + "\" is refused by its tenant's image policy: it matches no allow pattern "
                    + allow;
        }
        return null;
    }

    /**
     * Refuses {@code image} when this policy does not allow it.
     *
     * @throws ApiException {@code image_not_allowed} (403) naming the pattern or list that refused it
     */
    public void check(String image) {
        String refusal = refusal(image);
        if (refusal != null) {
            throw new ApiException(ErrorCode.IMAGE_NOT_ALLOWED, refusal);
        }
    }

    /** One line for logs and audit records. */
    public String summary() {
        return "allow=" + allow + " deny=" + deny;
    }

    /** Whether {@code pattern} matches the reference {@code image} in any of its written forms. */
    static boolean matches(String pattern, String image) {
        return matchesAny(pattern, forms(image));
    }

    /**
     * The reference as written, in full and in the engine's short form ({@code alpine} is also
     * {@code docker.io/library/alpine:latest} and {@code alpine:latest}); as written only when it
     * does not parse.
     */
    private static List<String> forms(String image) {
        List<String> forms = new ArrayList<>();
        forms.add(image);
        try {
            ImageReference reference = ImageReference.parse(image);
            forms.add(reference.toString());
            forms.add(reference.familiar());
            if (reference.digest() != null && reference.tag() != null) {
                // name:tag@digest is also that tag: a tag pattern applies to it
                ImageReference tagged = new ImageReference(reference.registry(), reference.repository(), reference.tag(),
                        null);
                forms.add(tagged.toString());
                forms.add(tagged.familiar());
            }
        } catch (IllegalArgumentException unparsed) {
            // matched as written only; the create refuses it as malformed anyway
        }
        return forms;
    }

    private static boolean matchesAny(String pattern, List<String> forms) {
        Pattern regex = regex(pattern);
        boolean anyVersion = !hasVersion(pattern);
        for (String form : forms) {
            String candidate = anyVersion ? repositoryOf(form) : form;
            if (regex.matcher(candidate).matches()) {
                return true;
            }
        }
        return false;
    }

    /** Whether a pattern names a tag or digest: an {@code @}, or a {@code :} after its last {@code /}. */
    private static boolean hasVersion(String pattern) {
        return pattern.contains("@") || pattern.lastIndexOf(':') > pattern.lastIndexOf('/');
    }

    /** The reference without its tag and digest. */
    private static String repositoryOf(String reference) {
        String rest = reference;
        int at = rest.indexOf('@');
        if (at >= 0) {
            rest = rest.substring(0, at);
        }
        int colon = rest.lastIndexOf(':');
        return colon > rest.lastIndexOf('/') ? rest.substring(0, colon) : rest;
    }

    private static Pattern regex(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '*' && i + 1 < pattern.length() && pattern.charAt(i + 1) == '*') {
                regex.append(".*");
                i++;
            } else if (c == '*') {
                regex.append("[^/]*");
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString());
    }

    private static List<String> checked(String list, List<String> patterns) {
        if (patterns.size() > MAX_PATTERNS) {
            throw ApiException.badRequest(list + " holds " + patterns.size() + " patterns; at most " + MAX_PATTERNS);
        }
        LinkedHashSet<String> unique = new LinkedHashSet<>();
        for (String pattern : patterns) {
            String trimmed = pattern == null ? "" : pattern.trim();
            if (!PATTERN.matcher(trimmed).matches()) {
                throw ApiException.badRequest(list + " pattern \"" + pattern + "\" is not an image reference pattern "
                        + "(1 to 255 of letters, digits and . _ - / : @ *)");
            }
            if (trimmed.chars().filter(c -> c == '*').count() > MAX_WILDCARDS) {
                throw ApiException.badRequest(list + " pattern \"" + pattern + "\" holds more than " + MAX_WILDCARDS
                        + " wildcards");
            }
            unique.add(trimmed);
        }
        return List.copyOf(unique);
    }
}
