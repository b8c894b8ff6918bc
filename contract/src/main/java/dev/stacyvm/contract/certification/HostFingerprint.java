package dev.stacyvm.contract.certification;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What a certification holds for (docs/certification.md): the host's operating system (the
 * {@code PRETTY_NAME} of {@code /etc/os-release}), kernel release ({@code uname -r}), architecture
 * ({@code uname -m}) and the version of the engine under the provider (Docker's server version;
 * {@code none} for a provider without one). A change to any of them voids the certification:
 * containment is a property of exactly these. {@code name} is the host's name, for the reader only,
 * and {@code hardwareVirtualization} whether {@code /dev/kvm} is there, which a microVM's isolation
 * depends on.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record HostFingerprint(String name, String os, String kernel, String arch, String engine,
                              boolean hardwareVirtualization) {

    /** The engine version of a provider that runs on no engine (mock). */
    public static final String NO_ENGINE = "none";

    /** This host's fingerprint with {@code engine} as the provider's engine version. */
    public static HostFingerprint ofThisHost(String engine) {
        return new HostFingerprint(hostName(), os(Path.of("/etc/os-release")), System.getProperty("os.version"),
                arch(System.getProperty("os.arch")), engine, Files.exists(Path.of("/dev/kvm")));
    }

    /** Whether a report made on {@code other} certifies this host: the same OS, kernel, architecture and engine. */
    public boolean sameConfiguration(HostFingerprint other) {
        return other != null && os.equals(other.os) && kernel.equals(other.kernel) && arch.equals(other.arch)
                && engine.equals(other.engine);
    }

    /** {@code uname -m}'s spelling of the JVM's {@code os.arch}. */
    static String arch(String jvmArch) {
        return switch (jvmArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> jvmArch;
        };
    }

    /** {@code PRETTY_NAME} of an os-release file, unquoted; {@code unknown} without one. */
    static String os(Path osRelease) {
        try {
            for (String line : Files.readAllLines(osRelease)) {
                if (line.startsWith("PRETTY_NAME=")) {
                    return line.substring("PRETTY_NAME=".length()).replaceAll("^\"|\"$", "");
                }
            }
        } catch (IOException | RuntimeException unreadable) {
            // no os-release: the fingerprint says so, and matches only reports made the same way
        }
        return "unknown";
    }

    private static String hostName() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException | RuntimeException unreadable) {
            return "unknown";
        }
    }
}
