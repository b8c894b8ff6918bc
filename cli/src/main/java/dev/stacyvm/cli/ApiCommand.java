package dev.stacyvm.cli;

import dev.stacyvm.client.StacyVMClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;

/**
 * A command that calls the API: it takes the {@link ApiOptions}, runs in the {@link CliContext}
 * its factory gives it, and answers its exit status from {@code call()}.
 */
abstract class ApiCommand implements Callable<Integer> {

    final CliContext context;

    @Mixin
    ApiOptions api;

    ApiCommand(CliContext context) {
        this.context = context;
    }

    /** A client for the settings this command resolved (options, environment, config file). */
    StacyVMClient client() {
        return api.client(context);
    }

    /** Where the command answers: text, or JSON with {@code --json}. */
    Output output() {
        return api.output(context);
    }
}
