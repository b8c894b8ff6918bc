package dev.stacyvm.preview;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a preview host name, {@code {port}-{sandbox id}.{preview domain}}, into its port and
 * sandbox id. Anything else (another domain, a port out of range, an id of the wrong shape) is
 * not a preview host, so no Host header can name a target the router would not route to.
 */
public final class PreviewHosts {

    private static final Pattern LABEL = Pattern.compile("([0-9]{1,5})-(sb-[a-z0-9]{8,64})");

    private PreviewHosts() {
    }

    public record PreviewTarget(int port, String sandboxId) {
    }

    public static Optional<PreviewTarget> parse(String hostHeader, String previewDomain) {
        if (hostHeader == null) {
            return Optional.empty();
        }
        String host = hostHeader.toLowerCase();
        int colon = host.lastIndexOf(':');
        if (colon >= 0 && host.indexOf(']') < colon) {
            host = host.substring(0, colon);
        }
        String suffix = "." + previewDomain.toLowerCase();
        if (!host.endsWith(suffix)) {
            return Optional.empty();
        }
        Matcher label = LABEL.matcher(host.substring(0, host.length() - suffix.length()));
        if (!label.matches()) {
            return Optional.empty();
        }
        int port = Integer.parseInt(label.group(1));
        if (port < 1 || port > 65535) {
            return Optional.empty();
        }
        return Optional.of(new PreviewTarget(port, label.group(2)));
    }
}
