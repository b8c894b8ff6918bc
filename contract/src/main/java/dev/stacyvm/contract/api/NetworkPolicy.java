package dev.stacyvm.contract.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The egress policy of a networked sandbox ({@code network: "bridge"}), of a template, or of a
 * tenant: what the sandbox may send to beyond itself. As JSON:
 * <pre>{"default_egress": "deny", "allow": ["203.0.113.0/24", "pypi.org"], "deny": ["198.51.100.7"]}</pre>
 * <ul>
 *   <li>{@code default_egress}: {@code "allow"} or {@code "deny"}, what happens to a destination
 *       neither list names ({@code null} means "as the tenant says", else {@code "allow"}).</li>
 *   <li>{@code allow}, {@code deny}: IPv4 addresses, IPv4 CIDRs ({@code a.b.c.d/n}) or domain names
 *       (lower-case letters, digits, hyphens, at least two labels, no wildcards), at most
 *       {@value #MAX_ENTRIES} each. A domain is enforced by pinning: the worker resolves it and allows
 *       (or denies) only the addresses it got, and writes them into the sandbox's {@code /etc/hosts}.
 *       The deny list wins over the allow list.</li>
 * </ul>
 * Whatever the policy says, a sandbox never reaches other sandboxes, the host, private, loopback,
 * shared (CGNAT), link-local, multicast or reserved addresses, nor anything over IPv6.
 */
@Schema(description = "The egress policy of a networked sandbox (network \"bridge\"), of a template, or of a tenant: "
        + "what the sandbox may send to beyond itself. The deny list wins over the allow list. Whatever the policy "
        + "says, a sandbox never reaches other sandboxes, the host, private, loopback, shared (CGNAT), link-local, "
        + "multicast or reserved addresses, nor anything over IPv6.")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NetworkPolicy(
        @Schema(description = "\"allow\" or \"deny\": what happens to a destination neither list names. Left "
                + "out: as the tenant's policy says, else \"allow\". Under a default-deny tenant a sandbox must be "
                + "default-deny too.", examples = "deny")
        String defaultEgress,
        @Schema(description = "Destinations let through: IPv4 addresses, IPv4 CIDRs (a.b.c.d/n) or domain names "
                + "(lower-case letters, digits and hyphens, at least two labels, no wildcards), at most 64. A domain "
                + "is pinned: the worker resolves it, allows (or denies) only the addresses it got and writes them "
                + "into the sandbox's /etc/hosts. A sandbox under a default-deny tenant may list only what the tenant "
                + "allows.",
                examples = "[\"203.0.113.0/24\", \"pypi.org\"]")
        List<String> allow,
        @Schema(description = "Destinations refused, in the same forms as allow, at most 64. A sandbox's tenant's "
                + "deny list applies to it as well.", examples = "[\"198.51.100.7\"]")
        List<String> deny) {

    /** The {@code default_egress} that lets through what neither list names. */
    public static final String ALLOW = "allow";
    /** The {@code default_egress} that refuses what neither list names. */
    public static final String DENY = "deny";
    /** Most entries one list may hold. */
    public static final int MAX_ENTRIES = 64;

    /** Open egress to public addresses (what a networked sandbox gets when nobody says otherwise). */
    public static final NetworkPolicy OPEN = new NetworkPolicy(ALLOW, List.of(), List.of());

    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    /** Missing lists are empty ones, and both lists are copied, so a policy never changes once made. */
    public NetworkPolicy {
        allow = allow == null ? List.of() : List.copyOf(allow);
        deny = deny == null ? List.of() : List.copyOf(deny);
    }

    /** True when destinations neither list names are refused. */
    @JsonIgnore
    public boolean defaultDeny() {
        return DENY.equals(defaultEgress);
    }

    /** One line for logs and audit records: the default and both lists. */
    public String summary() {
        return "default_egress=" + defaultEgress + " allow=" + allow + " deny=" + deny;
    }

    /**
     * This policy checked and written canonically (CIDRs with their network address, domains in
     * lower case, duplicates dropped).
     *
     * @throws ApiException {@link ErrorCode#INVALID_NETWORK_POLICY} naming the first bad entry
     */
    public NetworkPolicy validated() {
        if (defaultEgress != null && !ALLOW.equals(defaultEgress) && !DENY.equals(defaultEgress)) {
            throw invalid("default_egress must be \"allow\" or \"deny\", not \"" + defaultEgress + "\"");
        }
        return new NetworkPolicy(defaultEgress, canonical("allow", allow), canonical("deny", deny));
    }

    private static List<String> canonical(String list, List<String> entries) {
        if (entries.size() > MAX_ENTRIES) {
            throw invalid(list + " holds " + entries.size() + " entries; at most " + MAX_ENTRIES + " are allowed");
        }
        Set<String> out = new LinkedHashSet<>();
        for (String entry : entries) {
            out.add(canonicalEntry(list, entry));
        }
        return new ArrayList<>(out);
    }

    private static String canonicalEntry(String list, String entry) {
        if (entry == null || entry.isBlank()) {
            throw invalid(list + " holds an empty entry");
        }
        String trimmed = entry.trim().toLowerCase(Locale.ROOT);
        if (trimmed.contains(":")) {
            throw invalid(list + " entry \"" + entry + "\" is IPv6: sandboxes have no IPv6 egress at all, so "
                    + "only IPv4 addresses, IPv4 CIDRs and domain names may be listed");
        }
        if (Character.isDigit(trimmed.charAt(0)) && trimmed.matches("[0-9./]+")) {
            Ipv4Cidr cidr = Ipv4Cidr.parse(trimmed);
            if (cidr == null) {
                throw invalid(list + " entry \"" + entry + "\" is not an IPv4 address or CIDR (a.b.c.d or a.b.c.d/n, "
                        + "n from 0 to 32)");
            }
            return cidr.toString();
        }
        if (!isDomain(trimmed)) {
            throw invalid(list + " entry \"" + entry + "\" is neither an IPv4 address, an IPv4 CIDR nor a domain name "
                    + "(letters, digits and hyphens in at least two dot-separated labels; no wildcards)");
        }
        return trimmed.endsWith(".") ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
    }

    /** True for a lower-case domain name of at least two labels (a trailing dot allowed). */
    public static boolean isDomain(String name) {
        String host = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        if (host.isEmpty() || host.length() > 253) {
            return false;
        }
        String[] labels = host.split("\\.", -1);
        if (labels.length < 2) {
            return false;
        }
        for (String label : labels) {
            if (!LABEL.matcher(label).matches()) {
                return false;
            }
        }
        // a name whose last label is all digits would be read as an address by resolvers
        return !labels[labels.length - 1].matches("[0-9]+");
    }

    /**
     * The policy a sandbox gets when its tenant's policy is {@code tenant}: the tenant's deny list
     * always applies; under a default-deny tenant the sandbox must be default-deny too and may only
     * allow what the tenant allows (an address or CIDR inside one of the tenant's CIDRs, or a domain
     * the tenant names). A sandbox that asks for nothing gets the tenant's policy; without a tenant
     * policy, the sandbox's own (open egress when it names no default). Both must be {@link #validated()}.
     *
     * @param requested the sandbox's (or template's) policy, or {@code null}
     * @param tenant    the tenant's policy, or {@code null} when the tenant has none
     * @throws ApiException {@link ErrorCode#NETWORK_POLICY_NOT_ALLOWED} naming what the tenant does not allow
     */
    public static NetworkPolicy bounded(NetworkPolicy requested, NetworkPolicy tenant) {
        if (tenant == null) {
            if (requested == null) {
                return OPEN;
            }
            return new NetworkPolicy(requested.defaultEgress == null ? ALLOW : requested.defaultEgress,
                    requested.allow, requested.deny);
        }
        String tenantDefault = tenant.defaultEgress == null ? ALLOW : tenant.defaultEgress;
        if (requested == null) {
            return new NetworkPolicy(tenantDefault, tenant.allow, tenant.deny);
        }
        String effectiveDefault = requested.defaultEgress == null ? tenantDefault : requested.defaultEgress;
        if (DENY.equals(tenantDefault)) {
            if (ALLOW.equals(effectiveDefault)) {
                throw notAllowed("the tenant's network policy is default-deny, so a sandbox cannot ask for "
                        + "default_egress \"allow\"");
            }
            for (String entry : requested.allow) {
                if (!tenantAllows(tenant, entry)) {
                    throw notAllowed("the tenant's network policy does not allow \"" + entry + "\"");
                }
            }
        }
        Set<String> deny = new LinkedHashSet<>(tenant.deny);
        deny.addAll(requested.deny);
        return new NetworkPolicy(effectiveDefault, requested.allow, new ArrayList<>(deny));
    }

    /**
     * A running sandbox's policy brought within a tenant policy set after the sandbox started: what
     * the sandbox had, less what the tenant no longer allows. The tenant's deny list is added; under
     * a default-deny tenant the sandbox becomes default-deny and keeps only the allow entries the
     * tenant allows (a sandbox that was default-allow had everything, so it keeps what the tenant
     * allows). Never widens: an entry the sandbox did not have is never added under a default-allow
     * tenant. Unlike {@link #bounded} it refuses nothing: a tightening applies to every sandbox.
     *
     * @param current the sandbox's effective policy ({@code null}: open egress)
     * @param tenant  the tenant's new policy ({@code null}: none, so {@code current} stands)
     */
    public static NetworkPolicy narrowed(NetworkPolicy current, NetworkPolicy tenant) {
        NetworkPolicy had = current == null ? OPEN : current;
        if (tenant == null) {
            return had;
        }
        Set<String> deny = new LinkedHashSet<>(tenant.deny);
        deny.addAll(had.deny);
        if (!tenant.defaultDeny()) {
            return new NetworkPolicy(had.defaultDeny() ? DENY : ALLOW, had.allow, new ArrayList<>(deny));
        }
        List<String> allow = new ArrayList<>();
        if (had.defaultDeny()) {
            for (String entry : had.allow) {
                if (tenantAllows(tenant, entry)) {
                    allow.add(entry);
                }
            }
        } else {
            allow.addAll(tenant.allow);
        }
        return new NetworkPolicy(DENY, allow, new ArrayList<>(deny));
    }

    private static boolean tenantAllows(NetworkPolicy tenant, String entry) {
        Ipv4Cidr asked = Ipv4Cidr.parse(entry);
        for (String allowed : tenant.allow) {
            if (allowed.equals(entry)) {
                return true;
            }
            Ipv4Cidr range = Ipv4Cidr.parse(allowed);
            if (asked != null && range != null && range.contains(asked)) {
                return true;
            }
        }
        return false;
    }

    private static ApiException invalid(String message) {
        return new ApiException(ErrorCode.INVALID_NETWORK_POLICY, message);
    }

    private static ApiException notAllowed(String message) {
        return new ApiException(ErrorCode.NETWORK_POLICY_NOT_ALLOWED, message);
    }

    /**
     * An IPv4 network: its first address (as an unsigned 32-bit value in an int) and prefix length.
     *
     * @param address the network address, host bits zero
     * @param prefix  the prefix length, 0 to 32
     */
    public record Ipv4Cidr(int address, int prefix) {

        /** An address ({@code a.b.c.d}, read as /32) or CIDR, host bits cleared; {@code null} when it is neither. */
        public static Ipv4Cidr parse(String text) {
            if (text == null) {
                return null;
            }
            String[] parts = text.split("/", -1);
            if (parts.length > 2) {
                return null;
            }
            int prefix = 32;
            if (parts.length == 2) {
                if (!parts[1].matches("[0-9]{1,2}")) {
                    return null;
                }
                prefix = Integer.parseInt(parts[1]);
                if (prefix > 32) {
                    return null;
                }
            }
            String[] octets = parts[0].split("\\.", -1);
            if (octets.length != 4) {
                return null;
            }
            int address = 0;
            for (String octet : octets) {
                if (!octet.matches("[0-9]{1,3}") || (octet.length() > 1 && octet.startsWith("0"))) {
                    return null;
                }
                int value = Integer.parseInt(octet);
                if (value > 255) {
                    return null;
                }
                address = (address << 8) | value;
            }
            return new Ipv4Cidr(address & mask(prefix), prefix);
        }

        private static int mask(int prefix) {
            return prefix == 0 ? 0 : -1 << (32 - prefix);
        }

        /** True when every address of {@code other} lies inside this network. */
        public boolean contains(Ipv4Cidr other) {
            return other.prefix >= prefix && (other.address & mask(prefix)) == address;
        }

        @Override
        public String toString() {
            return ((address >>> 24) & 255) + "." + ((address >>> 16) & 255) + "." + ((address >>> 8) & 255) + "."
                    + (address & 255) + "/" + prefix;
        }
    }
}
