package dev.stacyvm.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where the API is and who calls it: a flag ({@code --url}, {@code --api-key}, {@code --user}),
 * else the environment ({@code STACYVM_URL}, {@code STACYVM_API_KEY}, {@code STACYVM_USER_ID}),
 * else the config file ({@code --config}, {@code STACYVM_CONFIG}, or
 * {@code ~/.config/stacyvm/config}: {@code url=...}, {@code api_key=...}, {@code user=...} lines).
 */
record Settings(String url, String apiKey, String user) {

    /**
     * The settings from the flags given (each may be null), else the environment, else the file.
     *
     * @throws UsageException when {@code --config} names a file that is not there or cannot be read
     */
    static Settings resolve(String url, String apiKey, String user, String config, Map<String, String> environment) {
        String configPath = first(config, environment.get("STACYVM_CONFIG"),
                Path.of(environment.getOrDefault("HOME", "."), ".config", "stacyvm", "config").toString());
        Map<String, String> file = readConfig(Path.of(configPath), config != null);
        return new Settings(
                first(url, environment.get("STACYVM_URL"), file.get("url"), "http://127.0.0.1:7423"),
                first(apiKey, environment.get("STACYVM_API_KEY"), file.get("api_key")),
                first(user, environment.get("STACYVM_USER_ID"), file.get("user")));
    }

    private static Map<String, String> readConfig(Path path, boolean required) {
        Map<String, String> values = new LinkedHashMap<>();
        if (!Files.isRegularFile(path)) {
            if (required) {
                throw new UsageException("no config file at " + path);
            }
            return values;
        }
        try {
            for (String line : Files.readAllLines(path)) {
                String trimmed = line.strip();
                int equals = trimmed.indexOf('=');
                if (trimmed.isEmpty() || trimmed.startsWith("#") || equals <= 0) {
                    continue;
                }
                values.put(trimmed.substring(0, equals).strip(), trimmed.substring(equals + 1).strip());
            }
        } catch (IOException e) {
            throw new UsageException("cannot read " + path + ": " + e.getMessage());
        }
        return values;
    }

    private static String first(String... candidates) {
        for (String candidate : candidates) {
            if (candidate != null && !candidate.isBlank()) {
                return candidate;
            }
        }
        return null;
    }
}
