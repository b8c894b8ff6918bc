package dev.stacyvm.preview;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

@ConfigMapping(prefix = "stacyvm.preview")
public interface PreviewConfig {

    /** Previews are served on {@code {port}-{sandbox id}.{domain}}. */
    @WithDefault("localhost")
    String domain();

    /** The secret the gateway signs preview tokens with. */
    String tokenSecret();

    /** The cookie a preview token becomes once a browser presented it in the URL. */
    @WithDefault("stacyvm_preview")
    String cookieName();

    /** How long the router waits to connect to a sandbox's published port. */
    @WithDefault("5s")
    Duration connectTimeout();

    /**
     * The largest status line and header block (bytes, each) of an app's answer the router relays;
     * a larger one is a {@code 502 bad_gateway} naming this setting. Requests are bounded by
     * {@code quarkus.http.limits.max-header-size} and {@code max-initial-line-length}.
     */
    @WithDefault("65536")
    int maxResponseHeaderSize();
}
