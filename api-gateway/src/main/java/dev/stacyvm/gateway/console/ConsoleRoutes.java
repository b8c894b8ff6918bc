package dev.stacyvm.gateway.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stacyvm.gateway.config.GatewayConfig;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * What the gateway adds to the web console that Quinoa serves at {@code /console/} (the build of
 * {@code src/main/webui}, docs/console.md): {@code /console} redirects to {@code /console/}, its pages'
 * paths are answered with the application ({@link #pageRoute}), and every
 * console response carries the headers that keep a page which holds a key from being framed,
 * sniffed or made to run anything but its own scripts.
 *
 * <p>The console is public static code with no secret in it; what it may do is decided by the API it
 * calls, with the key the person typed in.
 */
@ApplicationScoped
public class ConsoleRoutes {

    /** Where the console is served (Quinoa's {@code ui-root-path}, with its slash). */
    public static final String ROOT = "/console/";

    /** Vite's output: file names that carry their content's hash. */
    static final String ASSETS = ROOT + "assets/";

    /**
     * The page's own scripts and styles only (xterm.js and uPlot set inline styles, so styles allow
     * them); API calls and the terminal's WebSocket to this origin, and with OIDC on the provider's
     * discovery and token endpoints at its origin; previews, which live on the preview-router's
     * origins ({@code previewOrigins}, any http or https origin when none are configured), in
     * frames; never framed itself.
     */
    static String contentSecurityPolicy(String oidcOrigin, List<String> previewOrigins) {
        for (String source : previewOrigins) {
            // one source expression each: a space, ';' or ',' would add sources or directives of its own
            // an http(s) origin, its host a name or *. and a name: never a bare scheme (data:, javascript:) or *
            if (!source.matches("https?://(\\*\\.)?[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*(:[0-9]{1,5})?")) {
                throw new IllegalArgumentException("stacyvm.gateway.preview.origins: \"" + source
                        + "\" is not one preview origin (http or https://host[:port], the host may start with *.)");
            }
        }
        String frames = previewOrigins.isEmpty() ? "http: https:" : String.join(" ", previewOrigins);
        return "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                + "connect-src 'self'" + (oidcOrigin == null ? "" : " " + oidcOrigin) + "; frame-src " + frames + "; "
                + "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";
    }

    /** The origin ({@code scheme://host:port}) of a URL, as a CSP source. */
    static String origin(String url) {
        java.net.URI uri = java.net.URI.create(url);
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
    }

    private String contentSecurityPolicy;

    @Inject
    GatewayConfig config;

    @Inject
    ObjectMapper json;

    /** Whether the gateway takes OIDC bearer tokens ({@code ./stacyvm up --with-keycloak}), and their issuer. */
    @ConfigProperty(name = "quarkus.oidc.tenant-enabled", defaultValue = "false")
    boolean oidcEnabled;

    @ConfigProperty(name = "quarkus.oidc.auth-server-url")
    Optional<String> oidcIssuer;

    void install(@Observes Router router) {
        contentSecurityPolicy = contentSecurityPolicy(oidcEnabled && oidcIssuer.isPresent() ? origin(oidcIssuer.get()) : null,
                config.preview().origins().orElse(List.of()));
        // before Quinoa's handler, which serves the files
        router.route("/console*").order(-1000).handler(this::secure);
        router.get(ROOT + "config.json").order(-1000).handler(this::settings);
        // Vert.x matches /console/ on this route too: only the bare path is redirected
        router.route("/console").method(HttpMethod.GET).method(HttpMethod.HEAD).order(-1000).handler(routing -> {
            if (routing.request().path().equals("/console")) {
                routing.redirect(ROOT);
            } else {
                routing.next();
            }
        });
        router.route(ROOT + "*").method(HttpMethod.GET).method(HttpMethod.HEAD).order(-999).handler(this::pageRoute);
    }

    /**
     * The console's own routes ({@code /console/sandboxes/sb-...}) are pages of the one page
     * application: they are answered with its {@code index.html}, so that a reload or a shared link
     * opens the page. A path whose last segment names a file (it has a dot) is left to the files,
     * and a missing file stays a 404. (Quinoa's own SPA routing sends such paths to {@code /}, not to
     * its root path, in the release that works with this Quarkus.)
     */
    void pageRoute(RoutingContext routing) {
        String path = routing.normalizedPath();
        String last = path.substring(path.lastIndexOf('/') + 1);
        if (path.equals(ROOT) || path.startsWith(ASSETS) || last.contains(".")) {
            routing.next();
        } else {
            routing.reroute(ROOT);
        }
    }

    /**
     * {@code GET /console/config.json}: how the console may sign in. {@code {"oidc": null}} without
     * OIDC; with it {@code {"oidc": {"issuer": "...", "client_id": "stacyvm-console"}}}, from which the
     * console runs the authorization code flow with PKCE against the issuer. Nothing secret: the
     * client is public.
     */
    void settings(RoutingContext routing) {
        Map<String, Object> oidc = oidcEnabled && oidcIssuer.isPresent()
                ? Map.of("issuer", oidcIssuer.get(), "client_id", config.oidc().consoleClientId())
                : null;
        Map<String, Object> body = new java.util.HashMap<>();
        body.put("oidc", oidc);
        try {
            routing.response().putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-cache")
                    .end(json.writeValueAsString(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException impossible) {
            routing.fail(impossible);
        }
    }

    void secure(RoutingContext routing) {
        routing.response().headers()
                .set("Content-Security-Policy", contentSecurityPolicy)
                .set("X-Frame-Options", "DENY")
                .set("X-Content-Type-Options", "nosniff")
                // a preview's URL carries its token: it must not leak to the preview's own links
                .set("Referrer-Policy", "no-referrer");
        if (!routing.normalizedPath().startsWith(ASSETS)) {
            // the page names its hashed assets, which may be kept for good; the page itself must be
            // asked for again, or a browser keeps an old console after an upgrade
            routing.addHeadersEndHandler(ended -> routing.response().headers().set("Cache-Control", "no-cache"));
        }
        routing.next();
    }
}
