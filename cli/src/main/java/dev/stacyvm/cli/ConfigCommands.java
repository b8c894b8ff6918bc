package dev.stacyvm.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./stacyvm config}: checks on an installation's settings, made without a running suite. */
final class ConfigCommands {

    private ConfigCommands() {
    }

    @Command(name = "config", description = "Checks on this installation's settings.", mixinStandardHelpOptions = true,
            subcommands = {Lint.class})
    static final class Config {
    }

    @Command(name = "lint", mixinStandardHelpOptions = true,
            description = "Report unsafe settings in an env file (the launcher's secrets.env by default): errors fail it; "
                    + "with --production, warnings fail it too. Exit status 0 when it passes, 1 when it fails.")
    static final class Lint implements Callable<Integer> {
        @Option(names = "--production", description = "count warnings (no TLS, a localhost preview domain, ...) as errors")
        boolean production;
        @Parameters(paramLabel = "FILE", description = "the env file to check")
        Path file;

        private final CliContext context;

        Lint(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            if (!Files.isRegularFile(file)) {
                throw new UsageException("config lint: no configuration at " + file
                        + " (run ./stacyvm up, or name an env file)");
            }
            List<String> lines;
            try {
                lines = Files.readAllLines(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            int errors = 0;
            int warnings = 0;
            for (ConfigLint.Finding finding : ConfigLint.check(ConfigLint.parseEnvFile(lines))) {
                context.out().println(finding.level() + ": " + finding.message());
                if (finding.level().equals("error") || production) {
                    errors++;
                } else {
                    warnings++;
                }
            }
            context.out().printf("%d error(s), %d warning(s)%s%n", errors, warnings,
                    production ? " (production: warnings count as errors)" : "");
            return errors == 0 ? 0 : 1;
        }
    }
}
