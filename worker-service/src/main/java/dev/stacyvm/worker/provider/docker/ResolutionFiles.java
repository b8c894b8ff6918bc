package dev.stacyvm.worker.provider.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.Volume;
import dev.stacyvm.worker.config.WorkerConfig;
import dev.stacyvm.worker.error.ProviderFailureException;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A sandbox's name-resolution files, {@code /etc/hosts}, {@code /etc/hostname} and
 * {@code /etc/resolv.conf}, held by the worker in {@link WorkerConfig#stateDir()} and bind-mounted
 * read-only into the container in place of the engine's own.
 *
 * <p>Why: the engine keeps its copies in its data root, outside every sandbox's disk size, and makes
 * them root's inside the container; a sandbox allowed to run as root could write them without
 * bound and fill the host's disk. Read-only mounts of files the sandbox does not own cannot be
 * written, remounted (no {@code CAP_SYS_ADMIN}) or re-owned by any sandbox user. The worker changes
 * them from outside, in place (a bind mount follows the inode), so no exec into the sandbox is
 * needed to pin an allow list's names.
 *
 * <p>Each container's set is a folder named by a random token, recorded in the container's
 * {@link #LABEL} (labels survive the warm pool's rename). {@code /etc/resolv.conf} names the
 * sandbox's own name servers, never the engine's embedded DNS at {@code 127.0.0.11}, which answers
 * for every container on the sandbox network (other owners' sandbox ids in their names). Every
 * sandbox's host name is {@link #HOSTNAME}: the same cold and warm, and naming no container id.
 */
@ApplicationScoped
public class ResolutionFiles {

    /** The container label naming its set of files. */
    static final String LABEL = "dev.stacyvm.resolution-files";
    /** Every sandbox's host name, as {@code hostname} prints it and {@code /etc/hosts} resolves it. */
    public static final String HOSTNAME = "sandbox";
    /** What a sandbox without a network maps its host name to: Debian's convention for a host with no address. */
    static final String NO_NETWORK_ADDRESS = "127.0.1.1";
    private static final Pattern TOKEN = Pattern.compile("[0-9a-f]{32}");
    private static final List<String> FILES = List.of("hosts", "hostname", "resolv.conf");

    @Inject
    DockerClient docker;

    @Inject
    WorkerConfig config;

    private Path root() {
        return Path.of(config.stateDir()).toAbsolutePath().resolve("resolution-files");
    }

    /**
     * Makes a fresh set for a container about to be created: {@code /etc/hosts} with the loopback
     * names and the host name (on {@value #NO_NETWORK_ADDRESS} until {@link #writeHosts} knows the
     * container's address), {@code /etc/hostname}, and an {@code /etc/resolv.conf} naming no
     * server (until {@link #writeNameservers}, when the sandbox's network policy loads).
     *
     * @return the set's token, for {@link #binds} and the container's {@link #LABEL}
     * @throws ProviderFailureException when the worker's state folder cannot be written
     */
    String prepare(boolean networked) {
        String token = UUID.randomUUID().toString().replace("-", "");
        Path folder = root().resolve(token);
        try {
            Files.createDirectories(folder);
            writeFile(folder.resolve("hostname"), HOSTNAME + "\n");
            writeFile(folder.resolve("resolv.conf"), networked
                    ? "# no name server until the sandbox's network policy is in force\n"
                    : "# this sandbox has no network\n");
            writeFile(folder.resolve("hosts"), hosts(null, ""));
        } catch (IOException e) {
            Log.errorf("could not write a sandbox's name files under %s: %s", root(), e.getMessage());
            discard(token);
            throw new ProviderFailureException("the worker could not write the sandbox's name files");
        }
        return token;
    }

    /** The read-only mounts of a set over the engine's own files. */
    List<Bind> binds(String token) {
        Path folder = root().resolve(requireToken(token));
        return FILES.stream().map(file -> new Bind(folder.resolve(file).toString(), new Volume("/etc/" + file), AccessMode.ro))
                .toList();
    }

    /**
     * Rewrites a container's {@code /etc/hosts} in place: the loopback names, the host name on the
     * container's address in {@code network} (or {@value #NO_NETWORK_ADDRESS}), then {@code pins}.
     * A container without a set (started by an older worker) keeps the engine's file, logged.
     *
     * @param pins whole lines, each ending in a newline; empty for none
     * @throws ProviderFailureException when the file cannot be written
     */
    void writeHosts(InspectContainerResponse container, String network, String pins) {
        String address = null;
        if (container.getNetworkSettings() != null && container.getNetworkSettings().getNetworks() != null) {
            ContainerNetwork joined = container.getNetworkSettings().getNetworks().get(network);
            if (joined != null && joined.getIpAddress() != null && !joined.getIpAddress().isBlank()) {
                address = joined.getIpAddress();
            }
        }
        rewrite(container, "hosts", hosts(address, pins));
    }

    /**
     * Rewrites a networked container's {@code /etc/resolv.conf} in place to name {@code nameservers}
     * (IPv4 addresses), or none, saying {@code whyNone}. Never the engine's embedded DNS: it would
     * name every other sandbox on the network.
     *
     * @throws ProviderFailureException when the file cannot be written
     */
    void writeNameservers(InspectContainerResponse container, List<String> nameservers, String whyNone) {
        StringBuilder text = new StringBuilder("# written by the StacyVM worker; read-only\n");
        if (nameservers.isEmpty()) {
            text.append("# no name server: ").append(whyNone).append('\n');
        }
        nameservers.forEach(server -> text.append("nameserver ").append(server).append('\n'));
        rewrite(container, "resolv.conf", text.toString());
    }

    private void rewrite(InspectContainerResponse container, String file, String text) {
        String token = container.getConfig() == null || container.getConfig().getLabels() == null
                ? null : container.getConfig().getLabels().get(LABEL);
        if (token == null || !TOKEN.matcher(token).matches()) {
            Log.warnf("container %s has no worker-held name files (started by an older worker); "
                    + "its /etc/%s stays the engine's: recreate it to have them", container.getName(), file);
            return;
        }
        Path path = root().resolve(token).resolve(file);
        try {
            // in place, never by rename: the container's mount holds this inode
            Files.writeString(path, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            Log.warnf("could not write %s: %s", path, e.getMessage());
            throw new ProviderFailureException("the sandbox's /etc/" + file + " could not be written");
        }
    }

    /** The {@code /etc/hosts} text: the engine's loopback lines, the host name's, then the pins. */
    static String hosts(String address, String pins) {
        return "127.0.0.1\tlocalhost\n"
                + "::1\tlocalhost ip6-localhost ip6-loopback\n"
                + "fe00::0\tip6-localnet\n"
                + "ff00::0\tip6-mcastprefix\n"
                + "ff02::1\tip6-allnodes\n"
                + "ff02::2\tip6-allrouters\n"
                + (address == null ? NO_NETWORK_ADDRESS : address) + "\t" + HOSTNAME + "\n"
                + pins;
    }

    /** Deletes a set; one already gone, or a token that is not one, is no error. */
    void discard(String token) {
        if (token == null || !TOKEN.matcher(token).matches()) {
            return;
        }
        Path folder = root().resolve(token);
        try {
            for (String file : FILES) {
                Files.deleteIfExists(folder.resolve(file));
            }
            Files.deleteIfExists(folder);
        } catch (IOException e) {
            Log.warnf("could not delete %s: %s", folder, e.getMessage());
        }
    }

    /**
     * Deletes the sets no container on the engine names any more (containers removed behind the
     * worker's back, or while it was down), unless younger than ten minutes ({@link ContainerFolders#sweep}).
     */
    @Scheduled(every = "10m", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweep() {
        int swept = ContainerFolders.sweep(docker, LABEL, root(), TOKEN, this::discard);
        if (swept > 0) {
            Log.infof("deleted %d sandboxes' name files whose containers are gone", swept);
        }
    }

    private static String requireToken(String token) {
        if (token == null || !TOKEN.matcher(token).matches()) {
            throw new IllegalArgumentException("not a name-file token: " + token);
        }
        return token;
    }

    private static void writeFile(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
        // readable inside the sandbox whatever user it runs as; the engine (root) mounts it
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    }
}
