package dev.stacyvm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What {@code ./stacyvm config lint} reports for a configuration, without running anything. */
class ConfigLintTest {

    private static final Map<String, String> GENERATED = Map.of(
            "STACYVM_ADMIN_API_KEY", "svm_admin_0123456789abcdef0123456789abcdef",
            "STACYVM_SERVICE_TOKEN", "0123456789abcdef0123456789abcdef01",
            "STACYVM_DB_PASSWORD", "averylongdbpassword123");

    private static List<String> errors(Map<String, String> settings) {
        return ConfigLint.check(settings).stream().filter(f -> f.level().equals("error")).map(ConfigLint.Finding::message).toList();
    }

    @Test
    void generatedSecretsOnLoopbackHaveNoErrorsOnlyProductionWarnings() {
        assertEquals(List.of(), errors(GENERATED));
        List<String> warnings = ConfigLint.check(GENERATED).stream().map(ConfigLint.Finding::message).toList();
        assertTrue(warnings.stream().anyMatch(w -> w.startsWith("no TLS certificate")), warnings.toString());
        assertTrue(warnings.stream().anyMatch(w -> w.startsWith("previews use the domain localhost")), warnings.toString());
    }

    @Test
    void theServiceTokenMayNotBeTheAdminKey() {
        String same = "0123456789abcdef0123456789abcdef01";
        assertTrue(errors(Map.of("STACYVM_ADMIN_API_KEY", same, "STACYVM_SERVICE_TOKEN", same, "STACYVM_DB_PASSWORD",
                "averylongdbpassword123")).contains("STACYVM_SERVICE_TOKEN must differ from the admin key"));
    }

    @Test
    void offeringTheMockProviderIsAProductionWarning() {
        Map<String, String> demo = new java.util.HashMap<>(GENERATED);
        demo.put("STACYVM_PROVIDERS", "docker, mock");
        List<String> warnings = ConfigLint.check(demo).stream().filter(f -> f.level().equals("warning"))
                .map(ConfigLint.Finding::message).toList();
        assertTrue(warnings.stream().anyMatch(w -> w.startsWith("STACYVM_PROVIDERS lists mock")), warnings.toString());
        assertEquals(List.of(), errors(demo), "a demo on loopback may offer it");
        assertTrue(ConfigLint.check(GENERATED).stream().noneMatch(f -> f.message().contains("mock")), "docker alone says nothing");
    }

    @Test
    void placingOnUncertifiedProvidersIsAWarningAndAnUnknownDefaultRuntimeAnError() {
        Map<String, String> settings = new java.util.HashMap<>(GENERATED);
        settings.put("STACYVM_ALLOW_UNCERTIFIED", "true");
        settings.put("STACYVM_DEFAULT_RUNTIME", "kata");
        List<String> warnings = ConfigLint.check(settings).stream().filter(f -> f.level().equals("warning"))
                .map(ConfigLint.Finding::message).toList();
        assertTrue(warnings.stream().anyMatch(w -> w.startsWith("STACYVM_ALLOW_UNCERTIFIED=true places sandboxes")),
                warnings.toString());
        assertEquals(List.of("STACYVM_DEFAULT_RUNTIME=kata is not a runtime a sandbox may name (runc, runsc): every "
                + "create without one would be refused"), errors(settings));
        settings.put("STACYVM_DEFAULT_RUNTIME", "runsc");
        assertEquals(List.of(), errors(settings), "gVisor as the default is fine");
    }

    @Test
    void theRemoteProviderNeedsItsRuntimesUrlAndPlainHttpStaysOnLoopback() {
        Map<String, String> settings = new java.util.HashMap<>(GENERATED);
        settings.put("STACYVM_PROVIDERS", "docker,remote");
        assertEquals(List.of("the providers list remote without STACYVM_REMOTE_URL: the worker has no runtime to drive"),
                errors(settings));
        settings.put("STACYVM_REMOTE_URL", "http://127.0.0.1:9500");
        assertEquals(List.of(), errors(settings), "plain HTTP on loopback is fine");
        settings.put("STACYVM_REMOTE_URL", "http://runtime.internal:9500");
        assertTrue(errors(settings).get(0).startsWith("STACYVM_REMOTE_URL=http://runtime.internal:9500 is plain HTTP beyond loopback"),
                errors(settings).toString());
        settings.put("STACYVM_REMOTE_URL", "http://localhost:1@evil.example/");
        assertEquals(1, errors(settings).size(), "a user part does not make a host loopback: " + errors(settings));
        settings.put("STACYVM_REMOTE_URL", "HTTP://runtime.internal:9500");
        assertEquals(1, errors(settings).size(), "the scheme in capitals is still plain HTTP");
        settings.put("STACYVM_REMOTE_URL", "https://runtime.internal:9500");
        assertEquals(List.of(), errors(settings));
        settings.put("STACYVM_PROVIDERS", "docker,proot");
        assertTrue(ConfigLint.check(settings).stream().anyMatch(f -> f.level().equals("warning")
                && f.message().startsWith("STACYVM_PROVIDERS lists proot: it is no security boundary")));
        settings.put("STACYVM_PROVIDERS", "docker,microvm");
        assertTrue(ConfigLint.check(settings).stream().anyMatch(f -> f.level().equals("warning")
                && f.message().startsWith("STACYVM_PROVIDERS lists microvm under software emulation")), "tcg, the default");
        settings.put("STACYVM_WORKER_MICROVM_ACCEL", "kvm");
        assertTrue(ConfigLint.check(settings).stream().noneMatch(f -> f.message().contains("microvm")), "kvm is a boundary");
    }

    @Test
    void anApiOffLoopbackNeedsTls() {
        Map<String, String> open = new java.util.HashMap<>(GENERATED);
        open.put("STACYVM_BIND_HOST", "0.0.0.0");
        assertTrue(errors(open).get(0).startsWith("STACYVM_BIND_HOST=0.0.0.0 serves API keys in clear text"), errors(open).toString());
        open.put("QUARKUS_HTTP_SSL_CERTIFICATE_FILES", "/etc/stacyvm/tls.crt");
        assertEquals(List.of(), errors(open));
    }

    @Test
    void anOidcIssuerOverPlainHttpIsAnErrorOffLoopbackAndAWarningOnIt() {
        Map<String, String> oidc = new java.util.HashMap<>(GENERATED);
        oidc.put("STACYVM_OIDC_ENABLED", "true");
        oidc.put("STACYVM_OIDC_ISSUER", "http://idp.example.com/realms/stacyvm");
        assertEquals(List.of("the OIDC issuer http://idp.example.com/realms/stacyvm is plain HTTP: token keys could be swapped on the way"),
                errors(oidc));
        oidc.put("STACYVM_OIDC_ISSUER", "http://127.0.0.1:7470/realms/stacyvm");
        assertEquals(List.of(), errors(oidc));
        oidc.put("STACYVM_OIDC_ISSUER", "http://127.0.0.1.evil.example/realms/stacyvm");
        assertEquals(1, errors(oidc).size(), "a host that only starts like loopback is not loopback");
    }

    @Test
    void anEnvFileIsReadAsTheShellReadsTheLauncherssLines() {
        Map<String, String> settings = ConfigLint.parseEnvFile(List.of("# a comment", "", "export A=1", "B='two words'",
                "C=\"x=y\"", "A=3", "not a setting"));
        assertEquals(Map.of("A", "3", "B", "two words", "C", "x=y"), settings);
    }
}
