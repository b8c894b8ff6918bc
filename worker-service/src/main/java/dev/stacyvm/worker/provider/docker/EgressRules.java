package dev.stacyvm.worker.provider.docker;

import dev.stacyvm.contract.api.NetworkPolicy;
import dev.stacyvm.contract.api.NetworkPolicy.Ipv4Cidr;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The filter rules loaded into a networked sandbox's own network namespace (its OUTPUT chain: all it
 * sends passes there, and it has no CAP_NET_ADMIN to change them), as {@code iptables-restore} and
 * {@code ip6tables-restore} input. In order: loopback passes except Docker's embedded DNS server
 * (it names every container on the sandbox network, other owners' sandbox ids among them, and is a
 * channel out: never open; sandboxes resolve through {@code nameservers} instead); replies to connections others opened to the
 * sandbox (the preview router's) pass; then always refused: {@link #ALWAYS_REFUSED}, the sandbox
 * network and the host's own addresses; then the deny list, the allow list, and the default. IPv6
 * sends nothing but loopback. Each table is replaced whole, so a change is atomic.
 */
final class EgressRules {

    /**
     * IPv4 ranges no policy opens: "this network", RFC 1918, CGNAT, loopback, link-local (cloud
     * metadata among it), IETF protocol assignments, benchmarking, multicast, reserved and broadcast.
     */
    static final List<String> ALWAYS_REFUSED = List.of("0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8",
            "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24", "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/4",
            "240.0.0.0/4");

    /** Docker's embedded DNS server on user-defined networks, inside each container's namespace. */
    static final String DOCKER_DNS = "127.0.0.11/32";

    private EgressRules() {
    }

    /**
     * The IPv4 table.
     *
     * @param policy        the effective, validated policy ({@code null}: open egress)
     * @param resolved      each domain of the policy's lists to the IPv4 addresses the worker resolved it to
     * @param fenced        further addresses and CIDRs always refused: the sandbox network, the host's addresses
     * @param nameservers   the DNS servers the sandbox's {@code /etc/resolv.conf} names (often
     *                      private addresses): under default-allow, DNS (port 53) to them passes
     *                      before the refused ranges, so names resolve
     */
    static String ipv4(NetworkPolicy policy, Map<String, List<String>> resolved, Collection<String> fenced,
            Collection<String> nameservers) {
        NetworkPolicy effective = policy == null ? NetworkPolicy.OPEN : policy;
        StringBuilder rules = new StringBuilder();
        rules.append("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT DROP [0:0]\n:STACYVM-REFUSE - [0:0]\n");
        rules.append("-A STACYVM-REFUSE -p tcp -j REJECT --reject-with tcp-reset\n");
        rules.append("-A STACYVM-REFUSE -j REJECT --reject-with icmp-admin-prohibited\n");
        rules.append("-A OUTPUT -d ").append(DOCKER_DNS).append(" -j STACYVM-REFUSE\n");
        rules.append("-A OUTPUT -o lo -j ACCEPT\n");
        rules.append("-A OUTPUT -m conntrack --ctdir REPLY -j ACCEPT\n");
        if (!effective.defaultDeny()) {
            for (String nameserver : nameservers) {
                Ipv4Cidr server = Ipv4Cidr.parse(nameserver);
                if (server != null && server.prefix() == 32) {
                    for (String protocol : List.of("udp", "tcp")) {
                        rules.append("-A OUTPUT -d ").append(server).append(" -p ").append(protocol)
                                .append(" --dport 53 -j ACCEPT\n");
                    }
                }
            }
        }
        Set<String> refused = new LinkedHashSet<>(ALWAYS_REFUSED);
        for (String extra : fenced) {
            Ipv4Cidr cidr = Ipv4Cidr.parse(extra);
            if (cidr != null) {
                refused.add(cidr.toString());
            }
        }
        for (String cidr : refused) {
            rules.append("-A OUTPUT -d ").append(cidr).append(" -j STACYVM-REFUSE\n");
        }
        for (String cidr : addresses(effective.deny(), resolved)) {
            rules.append("-A OUTPUT -d ").append(cidr).append(" -j STACYVM-REFUSE\n");
        }
        for (String cidr : addresses(effective.allow(), resolved)) {
            rules.append("-A OUTPUT -d ").append(cidr).append(" -j ACCEPT\n");
        }
        rules.append(effective.defaultDeny() ? "-A OUTPUT -j STACYVM-REFUSE\n" : "-A OUTPUT -j ACCEPT\n");
        rules.append("COMMIT\n");
        return rules.toString();
    }

    /** The IPv6 table: loopback only (sandbox networks carry no IPv6; link-local fe80::/10 included). */
    static String ipv6() {
        return "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT DROP [0:0]\n"
                + "-A OUTPUT -o lo -j ACCEPT\n"
                + "-A OUTPUT -m conntrack --ctdir REPLY -j ACCEPT\n"
                + "-A OUTPUT -j REJECT --reject-with icmp6-adm-prohibited\n"
                + "COMMIT\n";
    }

    /**
     * The lines pinning the allow list's domains in the sandbox's {@code /etc/hosts} (which
     * {@link ResolutionFiles} rewrites whole), each ending in {@link #PIN_MARK} so a reader in the
     * sandbox sees which lines the worker pinned.
     */
    static String hostsPins(NetworkPolicy policy, Map<String, List<String>> resolved) {
        StringBuilder pins = new StringBuilder();
        if (policy == null) {
            return "";
        }
        for (String entry : policy.allow()) {
            for (String address : resolved.getOrDefault(entry, List.of())) {
                pins.append(address).append(' ').append(entry).append(PIN_MARK).append('\n');
            }
        }
        return pins.toString();
    }

    /** The host's chain that {@link #hostInput} fills; INPUT jumps to it for the sandbox bridge. */
    static final String HOST_INPUT_CHAIN = "STACYVM-SANDBOX-INPUT";

    /**
     * The host's fence, as {@code iptables-restore --noflush} (or {@code ip6tables-restore}) input:
     * of what arrives from the sandbox bridge for the host itself, only replies to connections the
     * host opened (the preview router's, the worker's) pass; a connection a sandbox opens to any
     * address the host holds, now or gained later, is refused. Sandboxes' DNS is unaffected: Docker
     * answers it inside each sandbox's own namespace. Declaring the chain replaces it atomically.
     */
    static String hostInput(boolean ipv6) {
        String reject = ipv6 ? "icmp6-adm-prohibited" : "icmp-admin-prohibited";
        return "*filter\n:" + HOST_INPUT_CHAIN + " - [0:0]\n"
                + "-A " + HOST_INPUT_CHAIN + " -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN\n"
                + "-A " + HOST_INPUT_CHAIN + " -p tcp -j REJECT --reject-with tcp-reset\n"
                + "-A " + HOST_INPUT_CHAIN + " -j REJECT --reject-with " + reject + "\n"
                + "COMMIT\n";
    }

    /** Marks the {@code /etc/hosts} lines that pin an allow list's names. */
    static final String PIN_MARK = " # stacyvm-pin";

    /** The CIDRs of a list: its CIDRs as they are and its domains as the /32s they resolved to. */
    private static List<String> addresses(List<String> entries, Map<String, List<String>> resolved) {
        List<String> out = new ArrayList<>();
        for (String entry : entries) {
            Ipv4Cidr cidr = Ipv4Cidr.parse(entry);
            if (cidr != null) {
                out.add(cidr.toString());
            } else {
                for (String address : resolved.getOrDefault(entry, List.of())) {
                    Ipv4Cidr pinned = Ipv4Cidr.parse(address);
                    if (pinned != null) {
                        out.add(pinned.toString());
                    }
                }
            }
        }
        return out;
    }
}
