package dev.stacyvm.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A real PostgreSQL for a module's {@code @QuarkusTest}s: Debian's server (the one {@code
 * ./stacyvm} runs), a fresh cluster in a temporary folder on a free loopback port, trust
 * authentication on loopback only, durability off (fsync, synchronous commit) since it lives for
 * one test run. Gives the service its datasource as {@code stacyvm.db.*}; the service's own
 * Flyway migrations make its schema at start. Stopped and deleted after the module's tests.
 *
 * <p>As root (CI), the cluster runs as the {@code postgres} user Debian's package made, since
 * PostgreSQL refuses to run as root.
 *
 * @throws IllegalStateException from {@link #start()} when PostgreSQL is not installed
 *     ({@code apt-get install postgresql}) or does not start within 60 s
 */
public class PostgresTestResource implements QuarkusTestResourceLifecycleManager {

    private static final String USER = "postgres";
    private Path folder;
    private Path bin;

    @Override
    public Map<String, String> start() {
        bin = serverBin();
        try {
            folder = Files.createTempDirectory("stacyvm-test-pg-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            if (LocalProcesses.runningAsRoot()) {
                UserPrincipalLookupService users = folder.getFileSystem().getUserPrincipalLookupService();
                Files.setOwner(folder, users.lookupPrincipalByName(USER));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path log = Path.of(System.getProperty("java.io.tmpdir")).resolve(folder.getFileName() + ".log");
        int port = LocalProcesses.freePort();
        Path data = folder.resolve("data");
        LocalProcesses.run(USER, log, 60, bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres",
                "--auth=trust", "-E", "UTF8", "--no-sync");
        LocalProcesses.run(USER, log, 60, bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l",
                folder.resolve("server.log").toString(), "-w", "-t", "60", "-o",
                "-p " + port + " -k " + folder + " -c listen_addresses=127.0.0.1 -c fsync=off"
                        + " -c synchronous_commit=off -c full_page_writes=off",
                "start");
        return Map.of("stacyvm.db.host", "127.0.0.1", "stacyvm.db.port", String.valueOf(port), "stacyvm.db.name",
                "postgres", "stacyvm.db.user", "postgres", "stacyvm.db.password", "unused-trust-auth");
    }

    @Override
    public void stop() {
        if (folder == null) {
            return;
        }
        Path log = Path.of(System.getProperty("java.io.tmpdir")).resolve(folder.getFileName() + ".log");
        try {
            LocalProcesses.run(USER, log, 60, bin.resolve("pg_ctl").toString(), "-D", folder.resolve("data").toString(),
                    "-m", "immediate", "-w", "stop");
        } finally {
            LocalProcesses.deleteTree(folder);
            try {
                Files.deleteIfExists(log);
            } catch (IOException ignored) {
                // a log left in the temporary folder harms nothing
            }
        }
    }

    /** The newest PostgreSQL server Debian installed ({@code /usr/lib/postgresql/<major>/bin}). */
    static Path serverBin() {
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            return versions.filter(version -> version.getFileName().toString().matches("\\d+"))
                    .map(version -> version.resolve("bin"))
                    .filter(candidate -> Files.isExecutable(candidate.resolve("initdb")))
                    .max(Comparator.comparing(candidate -> Integer.parseInt(candidate.getParent().getFileName().toString())))
                    .orElseThrow(() -> new IllegalStateException("PostgreSQL is not installed: apt-get install postgresql"));
        } catch (IOException e) {
            throw new IllegalStateException("PostgreSQL is not installed: apt-get install postgresql", e);
        }
    }
}
