package dev.stacyvm.worker.provider.proot;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The host programs the proot provider runs, by absolute path, found once on the worker's own
 * {@code PATH} (with the system folders after it): a sandbox's environment never decides which
 * program runs on the host. A program not found keeps its bare name, and the provider's health
 * check fails saying so.
 */
record HostTools(String unshare, String proot, String nsenter, String ip, String tar) {

    static HostTools find() {
        return new HostTools(locate("unshare"), locate("proot"), locate("nsenter"), locate("ip"), locate("tar"));
    }

    private static String locate(String name) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
        for (String folder : path.split(":")) {
            if (folder.startsWith("/")) {
                Path candidate = Path.of(folder, name);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return candidate.toString();
                }
            }
        }
        return name;
    }
}
