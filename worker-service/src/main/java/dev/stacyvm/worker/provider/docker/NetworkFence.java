package dev.stacyvm.worker.provider.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateNetworkCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Network;
import dev.stacyvm.contract.api.NetworkPolicy;
import dev.stacyvm.worker.config.WorkerConfig;
import dev.stacyvm.worker.error.ProviderFailureException;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Contains networked sandboxes. They join {@link WorkerConfig#sandboxNetwork()}, a bridge with
 * inter-container communication off, so the host's bridge drops sandbox-to-sandbox traffic; and
 * their own network namespace gets {@link EgressRules}, loaded by a short-lived helper container
 * ({@link WorkerConfig#netctlImage()}) that joins that namespace with NET_ADMIN alone. The sandbox
 * itself has no capabilities, so it cannot change them. The host side is fenced too, whatever its
 * addresses are now or later: {@link EgressRules#hostInput} refuses on the host's INPUT chain every
 * connection a sandbox opens from the sandbox network's bridge, loaded by a helper on the host's
 * network. Fails closed: a sandbox whose rules could not be loaded is not handed out (create) or
 * keeps its previous rules (a policy change).
 */
@ApplicationScoped
public class NetworkFence {

    static final String ICC_OPTION = "com.docker.network.bridge.enable_icc";
    private static final long MIB = 1024L * 1024L;
    private static final int HELPER_TIMEOUT_SECONDS = 30;

    @Inject
    DockerClient docker;

    @Inject
    WorkerConfig config;

    @Inject
    ResolutionFiles resolutionFiles;

    /** The sandbox network whose host-side fence this process loaded; loaded again when it changes. */
    private volatile String hostFencedNetwork;

    /** The sandbox network's name, created with ICC off when missing; one with ICC on is refused. */
    String ensureNetwork() {
        String name = config.sandboxNetwork();
        Network network = inspect(name);
        if (network == null) {
            try (CreateNetworkCmd create = docker.createNetworkCmd()) {
                create.withName(name).withDriver("bridge").withCheckDuplicate(true)
                        .withOptions(Map.of(ICC_OPTION, "false"))
                        .withLabels(Map.of(DockerSandboxProvider.LABEL_MANAGED, "true")).exec();
            } catch (ConflictException createdMeanwhile) {
                // another worker on this engine made it first
            } catch (DockerException e) {
                Log.warnf("docker could not create the sandbox network %s: %s", name, HardenedContainers.firstLine(e.getMessage()));
                throw new ProviderFailureException("the sandbox network could not be created");
            }
            network = inspect(name);
        }
        if (network == null || network.getOptions() == null || !"false".equals(network.getOptions().get(ICC_OPTION))) {
            Log.errorf("the Docker network %s lets containers talk to each other (%s is not false); "
                    + "networked sandboxes are refused until it is removed or fixed", name, ICC_OPTION);
            throw new ProviderFailureException("the sandbox network is not isolated");
        }
        fenceHost(network);
        return name;
    }

    /**
     * Loads {@link EgressRules#hostInput} for the network's bridge into the host's INPUT chains,
     * once per network this process sees (a reload replaces the fence's chain atomically and adds
     * the jump only when missing, so workers sharing an engine agree).
     */
    private synchronized void fenceHost(Network network) {
        if (network.getId().equals(hostFencedNetwork)) {
            return;
        }
        String bridge = bridgeInterface(network);
        String script = "printf '%s' \"$RULES4\" | iptables-restore --noflush"
                + " && printf '%s' \"$RULES6\" | ip6tables-restore --noflush"
                + " && for t in iptables ip6tables; do"
                + " $t -C INPUT -i \"$BRIDGE\" -j " + EgressRules.HOST_INPUT_CHAIN + " 2>/dev/null"
                + " || $t -I INPUT 1 -i \"$BRIDGE\" -j " + EgressRules.HOST_INPUT_CHAIN + " || exit 1; done";
        HostConfig host = helperHostConfig("host");
        runHelper(host, script, List.of("RULES4=" + EgressRules.hostInput(false), "RULES6=" + EgressRules.hostInput(true),
                "BRIDGE=" + bridge), "the host's fence for " + bridge);
        hostFencedNetwork = network.getId();
        Log.infof("host fence loaded: connections opened from %s (network %s) to this host are refused", bridge, network.getName());
    }

    /** The Linux bridge behind a Docker bridge network: its {@code bridge.name} option, else {@code br-} and 12 id digits. */
    static String bridgeInterface(Network network) {
        String named = network.getOptions() == null ? null : network.getOptions().get("com.docker.network.bridge.name");
        return named != null && !named.isBlank() ? named : "br-" + network.getId().substring(0, 12);
    }

    private Network inspect(String name) {
        try {
            return docker.inspectNetworkCmd().withNetworkId(name).exec();
        } catch (NotFoundException missing) {
            return null;
        }
    }

    /**
     * Loads {@code policy}'s rules into the running container {@code container}'s namespace and pins
     * its allow list's domains in its {@code /etc/hosts} ({@link ResolutionFiles}, written from
     * outside the sandbox); both tables are replaced atomically.
     *
     * @throws ProviderFailureException when the rules could not be loaded
     */
    void apply(String container, NetworkPolicy policy) {
        Map<String, List<String>> resolved = resolve(policy);
        List<String> nameservers = sandboxNameservers();
        String rules4 = EgressRules.ipv4(policy, resolved, fencedAddresses(), nameservers);
        String rules6 = EgressRules.ipv6();
        runHelper(container, rules4, rules6);
        InspectContainerResponse inspected = docker.inspectContainerCmd(container).exec();
        resolutionFiles.writeHosts(inspected, config.sandboxNetwork(), EgressRules.hostsPins(policy, resolved));
        boolean deny = policy != null && policy.defaultDeny();
        resolutionFiles.writeNameservers(inspected, deny ? List.of() : nameservers, deny
                ? "egress is default-deny; the allow list's names are pinned in /etc/hosts"
                : "the worker's host names none (set stacyvm.worker.sandbox-dns)");
    }

    /**
     * Each domain of the policy's lists to its IPv4 addresses as this worker resolves them (never as
     * the sandbox would); a name that does not resolve gets none, so an allow entry opens nothing.
     */
    static Map<String, List<String>> resolve(NetworkPolicy policy) {
        Map<String, List<String>> resolved = new LinkedHashMap<>();
        if (policy == null) {
            return resolved;
        }
        List<String> names = new ArrayList<>(policy.allow());
        names.addAll(policy.deny());
        for (String entry : names) {
            if (NetworkPolicy.Ipv4Cidr.parse(entry) != null || resolved.containsKey(entry)) {
                continue;
            }
            List<String> addresses = new ArrayList<>();
            try {
                for (InetAddress address : InetAddress.getAllByName(entry)) {
                    if (address instanceof Inet4Address) {
                        addresses.add(address.getHostAddress());
                    }
                }
            } catch (UnknownHostException unknown) {
                Log.infof("network policy name %s does not resolve; it opens nothing", entry);
            }
            resolved.put(entry, addresses);
        }
        return resolved;
    }

    /**
     * The name servers sandboxes with open egress resolve through: {@code stacyvm.worker.sandbox-dns},
     * else the host's own ({@link #resolvers}).
     */
    List<String> sandboxNameservers() {
        return config.sandboxDns().map(List::copyOf).orElseGet(NetworkFence::resolvers);
    }

    /**
     * Refuses to start a worker whose {@code stacyvm.worker.sandbox-dns} names anything but IPv4
     * addresses off loopback, and logs the servers networked sandboxes will use.
     */
    void checkSandboxDns(@jakarta.enterprise.event.Observes io.quarkus.runtime.StartupEvent started) {
        for (String server : config.sandboxDns().orElse(List.of())) {
            NetworkPolicy.Ipv4Cidr address = NetworkPolicy.Ipv4Cidr.parse(server);
            if (address == null || address.prefix() != 32 || server.contains("/") || server.startsWith("127.")) {
                throw new IllegalStateException("stacyvm.worker.sandbox-dns must list IPv4 addresses off loopback, not \""
                        + server + "\"");
            }
        }
        List<String> servers = sandboxNameservers();
        if (servers.isEmpty()) {
            Log.warn("networked sandboxes get no name server: this host names none off loopback; "
                    + "set stacyvm.worker.sandbox-dns");
        } else {
            Log.infof("networked sandboxes with open egress resolve names through %s", String.join(", ", servers));
        }
    }

    /**
     * The IPv4 name servers of this host's resolver configuration (systemd-resolved's upstream
     * list when the host uses its stub at 127.0.0.53, which a sandbox cannot reach), loopback
     * ones left out.
     */
    static List<String> resolvers() {
        List<String> servers = new ArrayList<>();
        for (java.nio.file.Path file : List.of(java.nio.file.Path.of("/etc/resolv.conf"),
                java.nio.file.Path.of("/run/systemd/resolve/resolv.conf"))) {
            servers.addAll(nameservers(file));
        }
        return servers.stream().filter(server -> !server.startsWith("127.")).distinct().toList();
    }

    /** The IPv4 {@code nameserver} lines of a resolv.conf file; none when it cannot be read. */
    static List<String> nameservers(java.nio.file.Path file) {
        List<String> servers = new ArrayList<>();
        try {
            for (String line : java.nio.file.Files.readAllLines(file)) {
                String[] fields = line.trim().split("\\s+");
                if (fields.length >= 2 && fields[0].equals("nameserver") && NetworkPolicy.Ipv4Cidr.parse(fields[1]) != null
                        && !fields[1].contains("/")) {
                    servers.add(fields[1]);
                }
            }
        } catch (java.io.IOException | RuntimeException unreadable) {
            // no such file on this host
        }
        return servers;
    }

    /** The sandbox network's subnets and every IPv4 address of this host, refused whatever the policy. */
    private List<String> fencedAddresses() {
        Set<String> fenced = new LinkedHashSet<>();
        Network network = inspect(config.sandboxNetwork());
        if (network != null && network.getIpam() != null && network.getIpam().getConfig() != null) {
            for (Network.Ipam.Config subnet : network.getIpam().getConfig()) {
                if (subnet.getSubnet() != null) {
                    fenced.add(subnet.getSubnet());
                }
                if (subnet.getGateway() != null) {
                    fenced.add(subnet.getGateway());
                }
            }
        }
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (address instanceof Inet4Address) {
                        fenced.add(address.getHostAddress());
                    }
                }
            }
        } catch (SocketException e) {
            throw new ProviderFailureException("could not list this host's addresses to fence them off");
        }
        return new ArrayList<>(fenced);
    }

    private void runHelper(String container, String rules4, String rules6) {
        String script = "printf '%s' \"$RULES4\" | iptables-restore && printf '%s' \"$RULES6\" | ip6tables-restore";
        runHelper(helperHostConfig("container:" + container), script, List.of("RULES4=" + rules4, "RULES6=" + rules6),
                "the network rules of " + container);
    }

    /** NET_ADMIN alone, on {@code networkMode}'s namespace: a sandbox's, or the host's for the host fence. */
    private static HostConfig helperHostConfig(String networkMode) {
        return HostConfig.newHostConfig()
                .withNetworkMode(networkMode)
                .withCapDrop(Capability.ALL)
                .withCapAdd(Capability.NET_ADMIN)
                .withSecurityOpts(List.of("no-new-privileges:true"))
                .withMemory(64 * MIB)
                .withPidsLimit(32L);
    }

    /**
     * Runs {@code script} in a short-lived netctl container and waits for it.
     *
     * @throws ProviderFailureException when it could not run or exited non-zero
     */
    private void runHelper(HostConfig host, String script, List<String> env, String what) {
        String name = "stacyvm-netctl-" + UUID.randomUUID().toString().substring(0, 12);
        try {
            try (var create = docker.createContainerCmd(config.netctlImage())) {
                create.withName(name).withHostConfig(host).withUser("0:0")
                        .withLabels(Map.of(DockerSandboxProvider.LABEL_MANAGED, "true",
                                DockerSandboxProvider.LABEL_WORKER, workerLabel()))
                        .withEnv(env)
                        .withEntrypoint(List.of()).withCmd("/bin/sh", "-c", script).exec();
            }
            docker.startContainerCmd(name).exec();
            Integer status = docker.waitContainerCmd(name).exec(new WaitContainerResultCallback())
                    .awaitStatusCode(HELPER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (status == null || status != 0) {
                Log.warnf("%s failed to load (exit %s)", what, status);
                throw new ProviderFailureException("the sandbox's network rules could not be applied");
            }
        } catch (NotFoundException missingImage) {
            Log.errorf("the network helper image %s is missing (deploy/images/build-netctl-image.sh): %s",
                    config.netctlImage(), HardenedContainers.firstLine(missingImage.getMessage()));
            throw new ProviderFailureException("the sandbox's network rules could not be applied");
        } catch (DockerException e) {
            Log.warnf("the network helper for %s failed: %s", what, HardenedContainers.firstLine(e.getMessage()));
            throw new ProviderFailureException("the sandbox's network rules could not be applied");
        } finally {
            try {
                docker.removeContainerCmd(name).withForce(true).exec();
            } catch (NotFoundException | ConflictException gone) {
                // never created, or already being removed
            }
        }
    }

    private String workerLabel() {
        return config.id().orElse("");
    }
}
