package dev.stacyvm.cli;

import dev.stacyvm.client.StacyVMClient;
import picocli.CommandLine.Option;

/**
 * The options every command that calls the API takes: where the API is, who calls it
 * ({@link Settings} resolves them against the environment and the config file) and
 * {@code --json}.
 */
final class ApiOptions {

    @Option(names = "--url", paramLabel = "URL", description = "the gateway (STACYVM_URL; default http://127.0.0.1:7423)")
    String url;

    @Option(names = "--api-key", paramLabel = "KEY", description = "the API key (STACYVM_API_KEY)")
    String apiKey;

    @Option(names = "--user", paramLabel = "ID", description = "the end user acting (STACYVM_USER_ID)")
    String user;

    @Option(names = "--config", paramLabel = "FILE",
            description = "settings file (STACYVM_CONFIG; default ~/.config/stacyvm/config: url=, api_key=, user= lines)")
    String config;

    @Option(names = "--json", description = "answer JSON, for scripts")
    boolean json;

    /** A client for the resolved settings. */
    StacyVMClient client(CliContext context) {
        Settings settings = Settings.resolve(url, apiKey, user, config, context.environment());
        StacyVMClient client = StacyVMClient.connect(settings.url(), settings.apiKey());
        return settings.user() != null ? client.asUser(settings.user()) : client;
    }

    Output output(CliContext context) {
        return new Output(context.out(), json);
    }
}
