package dev.stacyvm.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks the settings the services read from the environment (an env file such as the launcher's
 * {@code secrets.env}) for what is unsafe: well-known or short secrets, an API served in clear text
 * off loopback, a CORS wildcard, an OIDC issuer over plain HTTP, the mock provider offered,
 * uncertified providers allowed, an unknown default runtime. A finding is an {@code error}
 * when it is unsafe anywhere, a {@code warning} when it is only unsafe in production; with
 * {@code production} every finding fails the check. docs/security.md lists what each one guards.
 */
final class ConfigLint {

    /** One finding: its level ({@code error} or {@code warning}) and what is wrong, naming the setting. */
    record Finding(String level, String message) {
    }

    private static final Set<String> DEFAULT_ADMIN_KEYS = Set.of("dev-admin-key", "test-admin-key", "admin", "changeme", "secret");
    private static final Set<String> DEFAULT_SERVICE_TOKENS = Set.of("dev-service-token", "test-service-token");
    private static final Set<String> DEFAULT_DB_PASSWORDS = Set.of("", "stacyvm", "postgres", "password");
    private static final Set<String> LOOPBACK = Set.of("", "127.0.0.1", "localhost", "::1");

    private ConfigLint() {
    }

    /** Every finding for these settings, in the order the checks run. */
    static List<Finding> check(Map<String, String> settings) {
        List<Finding> findings = new ArrayList<>();
        String admin = settings.getOrDefault("STACYVM_ADMIN_API_KEY", "");
        String token = settings.getOrDefault("STACYVM_SERVICE_TOKEN", "");
        String db = settings.getOrDefault("STACYVM_DB_PASSWORD", "");
        String bind = settings.getOrDefault("STACYVM_BIND_HOST", "");
        String tls = settings.getOrDefault("QUARKUS_HTTP_SSL_CERTIFICATE_FILES", "");
        String domain = settings.getOrDefault("STACYVM_SCHEDULER_PREVIEW_DOMAIN", "");

        if (admin.isEmpty()) {
            findings.add(error("STACYVM_ADMIN_API_KEY is not set: the gateway would not start"));
        } else if (DEFAULT_ADMIN_KEYS.contains(admin)) {
            findings.add(error("STACYVM_ADMIN_API_KEY is a well-known default"));
        } else if (admin.length() < 32) {
            findings.add(error("STACYVM_ADMIN_API_KEY is shorter than 32 characters"));
        }
        if (token.isEmpty()) {
            findings.add(error("STACYVM_SERVICE_TOKEN is not set: internal calls would fail"));
        } else if (DEFAULT_SERVICE_TOKENS.contains(token)) {
            findings.add(error("STACYVM_SERVICE_TOKEN is a well-known default"));
        } else if (token.length() < 32) {
            findings.add(error("STACYVM_SERVICE_TOKEN is shorter than 32 characters"));
        }
        if (!token.isEmpty() && token.equals(admin)) {
            findings.add(error("STACYVM_SERVICE_TOKEN must differ from the admin key"));
        }
        if (DEFAULT_DB_PASSWORDS.contains(db)) {
            findings.add(error("STACYVM_DB_PASSWORD is empty or a well-known default"));
        } else if (db.length() < 16) {
            findings.add(warning("STACYVM_DB_PASSWORD is shorter than 16 characters"));
        }
        if (!LOOPBACK.contains(bind) && tls.isEmpty()) {
            findings.add(error("STACYVM_BIND_HOST=" + bind
                    + " serves API keys in clear text: set QUARKUS_HTTP_SSL_CERTIFICATE_FILES or stay on loopback"));
        }
        if ("*".equals(settings.get("QUARKUS_HTTP_CORS_ORIGINS"))) {
            findings.add(error("QUARKUS_HTTP_CORS_ORIGINS=* lets any web page call the API with a user's key"));
        }
        if (domain.isEmpty() || domain.equals("localhost")) {
            findings.add(warning("previews use the domain localhost: browsers elsewhere cannot reach them"
                    + " (set STACYVM_SCHEDULER_PREVIEW_DOMAIN)"));
        }
        if ("true".equals(settings.get("STACYVM_OIDC_ENABLED"))) {
            oidcIssuer(settings.getOrDefault("STACYVM_OIDC_ISSUER", ""), findings);
        }
        if (tls.isEmpty()) {
            findings.add(warning("no TLS certificate (QUARKUS_HTTP_SSL_CERTIFICATE_FILES): fine on loopback, not in production"));
        }
        for (String setting : List.of("STACYVM_PROVIDERS", "STACYVM_WORKER_PROVIDERS", "STACYVM_GATEWAY_SANDBOXES_PROVIDERS")) {
            if (List.of(settings.getOrDefault(setting, "").split(",")).stream().map(String::strip).anyMatch("mock"::equals)) {
                findings.add(warning(setting + " lists mock: its sandboxes live in the workers' memory, for demos and"
                        + " client tests, not production"));
            }
            if (List.of(settings.getOrDefault(setting, "").split(",")).stream().map(String::strip).anyMatch("proot"::equals)) {
                findings.add(warning(setting + " lists proot: it is no security boundary and enforces no limits, for"
                        + " trusted code and development machines only (docs/providers.md)"));
            }
            boolean microvm = List.of(settings.getOrDefault(setting, "").split(",")).stream().map(String::strip).anyMatch("microvm"::equals);
            if (microvm && !"kvm".equalsIgnoreCase(settings.getOrDefault("STACYVM_WORKER_MICROVM_ACCEL", "tcg").strip())) {
                findings.add(warning(setting + " lists microvm under software emulation (STACYVM_WORKER_MICROVM_ACCEL=tcg):"
                        + " functional, but no security boundary; use kvm on a host with hardware virtualisation (docs/providers.md)"));
            }
        }
        remoteRuntime(settings, findings);
        for (String setting : List.of("STACYVM_ALLOW_UNCERTIFIED", "STACYVM_SCHEDULER_ALLOW_UNCERTIFIED")) {
            if ("true".equalsIgnoreCase(settings.getOrDefault(setting, "").strip())) {
                findings.add(warning(setting + "=true places sandboxes on providers and runtimes not certified on"
                        + " their host (docs/certification.md)"));
            }
        }
        for (String setting : List.of("STACYVM_DEFAULT_RUNTIME", "STACYVM_GATEWAY_SANDBOXES_DEFAULT_RUNTIME")) {
            String runtime = settings.getOrDefault(setting, "").strip();
            if (!runtime.isEmpty() && !List.of("runc", "runsc").contains(runtime)) {
                findings.add(error(setting + "=" + runtime + " is not a runtime a sandbox may name (runc, runsc):"
                        + " every create without one would be refused"));
            }
        }
        return findings;
    }

    /** The remote provider's runtime (docs/remote-runtime.md): named, and its token never in clear text beyond loopback. */
    private static void remoteRuntime(Map<String, String> settings, List<Finding> findings) {
        boolean listed = List.of("STACYVM_PROVIDERS", "STACYVM_WORKER_PROVIDERS").stream()
                .flatMap(setting -> List.of(settings.getOrDefault(setting, "").split(",")).stream())
                .map(String::strip).anyMatch("remote"::equals);
        String url = settings.getOrDefault("STACYVM_REMOTE_URL", settings.getOrDefault("STACYVM_WORKER_REMOTE_URL", "")).strip();
        if (listed && url.isEmpty()) {
            findings.add(error("the providers list remote without STACYVM_REMOTE_URL: the worker has no runtime to drive"));
        } else if (!url.isEmpty()) {
            java.net.URI parsed;
            try {
                parsed = new java.net.URI(url);
            } catch (java.net.URISyntaxException e) {
                findings.add(error("STACYVM_REMOTE_URL=" + url + " is not a URL"));
                return;
            }
            String scheme = parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase(java.util.Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || parsed.getHost() == null || parsed.getUserInfo() != null) {
                findings.add(error("STACYVM_REMOTE_URL=" + url + " must be an http or https URL with a host and no user"));
            } else if (scheme.equals("http") && !List.of("127.0.0.1", "localhost", "[::1]").contains(parsed.getHost())) {
                findings.add(error("STACYVM_REMOTE_URL=" + url + " is plain HTTP beyond loopback: the worker's token and every"
                        + " sandbox's input and output would cross the network in clear text"));
            }
        }
    }

    private static void oidcIssuer(String issuer, List<Finding> findings) {
        if (issuer.isEmpty()) {
            findings.add(error("STACYVM_OIDC_ENABLED=true without STACYVM_OIDC_ISSUER: no provider to check tokens against"));
        } else if (issuer.startsWith("https://")) {
            return;
        } else if (issuer.matches("http://(127\\.0\\.0\\.1|localhost)([:/].*)?")) {
            findings.add(warning("the OIDC issuer " + issuer + " is plain HTTP on loopback: fine for development only"));
        } else {
            findings.add(error("the OIDC issuer " + issuer + " is plain HTTP: token keys could be swapped on the way"));
        }
    }

    /**
     * The settings of an env file as a shell that sources it sees the simple lines the launcher
     * writes: {@code NAME=value}, an optional {@code export }, a value in single or double quotes;
     * comments and blank lines skipped. A later line wins.
     */
    static Map<String, String> parseEnvFile(List<String> lines) {
        Map<String, String> settings = new LinkedHashMap<>();
        for (String raw : lines) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("export ")) {
                line = line.substring("export ".length()).strip();
            }
            int equals = line.indexOf('=');
            if (equals <= 0) {
                continue;
            }
            String value = line.substring(equals + 1);
            if (value.length() >= 2 && (value.startsWith("'") && value.endsWith("'")
                    || value.startsWith("\"") && value.endsWith("\""))) {
                value = value.substring(1, value.length() - 1);
            }
            settings.put(line.substring(0, equals), value);
        }
        return settings;
    }

    private static Finding error(String message) {
        return new Finding("error", message);
    }

    private static Finding warning(String message) {
        return new Finding("warning", message);
    }
}
