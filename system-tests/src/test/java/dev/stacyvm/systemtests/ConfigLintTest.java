package dev.stacyvm.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./stacyvm config lint}: unsafe settings fail it; production turns warnings into failures. */
class ConfigLintTest {

    private static final Path LAUNCHER = Path.of("..", "stacyvm").toAbsolutePath().normalize();

    @TempDir
    Path folder;

    private record Outcome(int exitCode, String output) {
    }

    private Outcome lint(String config, String... options) throws IOException, InterruptedException {
        Path file = folder.resolve("stacyvm.env");
        Files.writeString(file, config);
        var command = new java.util.ArrayList<>(java.util.List.of("bash", LAUNCHER.toString(), "config", "lint"));
        command.addAll(java.util.List.of(options));
        command.add(file.toString());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        return new Outcome(process.exitValue(), output);
    }

    @Test
    void defaultsWeakSecretsOpenBindingAndWildcardCorsFail() throws Exception {
        Outcome outcome = lint("""
                STACYVM_ADMIN_API_KEY=dev-admin-key
                STACYVM_SERVICE_TOKEN=short
                STACYVM_DB_PASSWORD=stacyvm
                STACYVM_BIND_HOST=0.0.0.0
                QUARKUS_HTTP_CORS_ORIGINS=*
                STACYVM_OIDC_ENABLED=true
                STACYVM_OIDC_ISSUER=http://idp.example.com/realms/stacyvm
                """);
        assertEquals(1, outcome.exitCode(), outcome.output());
        for (String finding : new String[] {"STACYVM_ADMIN_API_KEY is a well-known default",
            "STACYVM_SERVICE_TOKEN is shorter", "STACYVM_DB_PASSWORD is empty or a well-known default",
            "STACYVM_BIND_HOST=0.0.0.0 serves API keys in clear text", "QUARKUS_HTTP_CORS_ORIGINS=*",
            "OIDC issuer http://idp.example.com/realms/stacyvm is plain HTTP"}) {
            assertTrue(outcome.output().contains(finding), "reports: " + finding + "\n" + outcome.output());
        }
    }

    @Test
    void generatedSecretsOnLoopbackPassButNotForProduction() throws Exception {
        String config = """
                STACYVM_ADMIN_API_KEY=svm_admin_0123456789abcdef0123456789abcdef
                STACYVM_SERVICE_TOKEN=0123456789abcdef0123456789abcdef01
                STACYVM_DB_PASSWORD=averylongdbpassword123
                """;
        Outcome development = lint(config);
        assertEquals(0, development.exitCode(), development.output());
        assertTrue(development.output().contains("0 error(s)"));
        Outcome production = lint(config, "--production");
        assertEquals(1, production.exitCode(), production.output());
        assertTrue(production.output().contains("no TLS certificate"), production.output());
        assertTrue(production.output().contains("previews use the domain localhost"), production.output());
    }

    @Test
    void aProductionConfigurationWithTlsAndADomainPasses() throws Exception {
        Outcome outcome = lint("""
                STACYVM_ADMIN_API_KEY=svm_admin_0123456789abcdef0123456789abcdef
                STACYVM_SERVICE_TOKEN=0123456789abcdef0123456789abcdef01
                STACYVM_DB_PASSWORD=averylongdbpassword123
                STACYVM_BIND_HOST=0.0.0.0
                QUARKUS_HTTP_SSL_CERTIFICATE_FILES=/etc/stacyvm/tls.crt
                STACYVM_SCHEDULER_PREVIEW_DOMAIN=preview.example.com
                """, "--production");
        assertEquals(0, outcome.exitCode(), outcome.output());
    }
}
