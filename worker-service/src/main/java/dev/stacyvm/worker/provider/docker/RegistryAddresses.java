package dev.stacyvm.worker.provider.docker;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;

/**
 * Which registries a tenant's image reference may make the engine contact. The engine pulls from
 * the worker host's own network, so a reference such as {@code 169.254.169.254/x:1} or
 * {@code 127.0.0.1:7523/x:1} would have it send requests to the cloud metadata service or to the
 * host's own listeners, and return the first line of their answer. A registry at a loopback,
 * link-local, private, shared (CGNAT), unspecified or multicast address is therefore refused
 * unless the operator lists it ({@code stacyvm.worker.images.private-registries}: {@code host} for
 * every port, or {@code host:port}); the operator's mirrors are the operator's and always allowed.
 */
final class RegistryAddresses {

    private RegistryAddresses() {
    }

    /**
     * The private address {@code registry} ({@code host[:port]}) resolves to when the operator did
     * not list it, or null when it may be asked. A host that does not resolve is left to the engine,
     * whose pull then fails.
     */
    static String refusedAddress(String registry, List<String> allowed) {
        String host = hostOf(registry);
        for (String entry : allowed) {
            String trimmed = entry.trim().toLowerCase(Locale.ROOT);
            if (trimmed.equals(registry.toLowerCase(Locale.ROOT)) || trimmed.equals(host)) {
                return null;
            }
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
        } catch (UnknownHostException unknown) {
            return null;
        }
        for (InetAddress address : addresses) {
            if (isPrivate(address)) {
                return address.getHostAddress();
            }
        }
        return null;
    }

    /** The registry's host, lower case, without its port. */
    static String hostOf(String registry) {
        String lower = registry.toLowerCase(Locale.ROOT);
        if (lower.startsWith("[")) {
            return lower.substring(0, lower.indexOf(']') + 1);
        }
        int colon = lower.lastIndexOf(':');
        return colon < 0 ? lower : lower.substring(0, colon);
    }

    /** Whether an address is not a public one: the host itself, a private or shared network, link-local. */
    static boolean isPrivate(InetAddress address) {
        if (address.isLoopbackAddress() || address.isLinkLocalAddress() || address.isSiteLocalAddress()
                || address.isAnyLocalAddress() || address.isMulticastAddress()) {
            return true;
        }
        byte[] bytes = address.getAddress();
        if (address instanceof Inet4Address) {
            int first = bytes[0] & 0xff;
            int second = bytes[1] & 0xff;
            return first == 0 || (first == 100 && second >= 64 && second <= 127) // "this" network, CGNAT
                    || (first == 198 && (second == 18 || second == 19)) || first >= 240; // benchmarking, reserved
        }
        if (address instanceof Inet6Address) {
            return (bytes[0] & 0xfe) == 0xfc; // unique local fc00::/7
        }
        return false;
    }
}
