package dev.stacyvm.cli;

import dev.stacyvm.contract.api.NetworkPolicy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * What a sandbox (or a template) is made of, as {@code spawn}, {@code templates create} and
 * {@code templates spawn} take it; {@link #body()} is the create body (StacyVM's field names).
 */
final class SpawnOptions {

    @Option(names = "--image", paramLabel = "IMAGE", description = "the image (default stacyvm/base:bookworm)")
    String image;

    @Option(names = "--template", paramLabel = "NAME", description = "start from this template")
    String template;

    @Option(names = "--ttl", paramLabel = "DURATION", description = "time to live, a Go duration (30m, 1h30m)")
    String ttl;

    @Option(names = "--memory", paramLabel = "MB", description = "memory in MiB")
    Integer memoryMb;

    @Option(names = "--vcpus", paramLabel = "N", description = "vCPUs")
    Integer vcpus;

    @Option(names = "--env", paramLabel = "KEY=VALUE", description = "an environment variable (repeatable)")
    Map<String, String> env = new LinkedHashMap<>();

    @Option(names = "--meta", paramLabel = "KEY=VALUE", description = "a metadata entry (repeatable)")
    Map<String, String> metadata = new LinkedHashMap<>();

    @Option(names = "--port", paramLabel = "PORT", description = "a preview port (repeatable)")
    List<Integer> ports = new ArrayList<>();

    @Option(names = "--public", description = "previews open without a token")
    boolean publicPreview;

    @Option(names = "--network", paramLabel = "none|bridge", description = "the network (default none)")
    String network;

    @Option(names = "--provider", paramLabel = "docker|mock",
            description = "the provider: docker (default) or mock (in memory, runs nothing: demos and client tests)")
    String provider;

    @Option(names = "--runtime", paramLabel = "runc|runsc",
            description = "the OCI runtime: runc (default) or runsc (gVisor; network none only)")
    String runtime;

    @Option(names = "--egress", paramLabel = "allow|deny", description = "the default egress of a bridge sandbox")
    String egress;

    @Option(names = "--allow", paramLabel = "CIDR|DOMAIN", description = "allowed egress (repeatable)")
    List<String> allow = new ArrayList<>();

    @Option(names = "--deny", paramLabel = "CIDR|DOMAIN", description = "refused egress (repeatable)")
    List<String> deny = new ArrayList<>();

    /** The create body these options describe; options not given are left out. */
    Map<String, Object> body() {
        Map<String, Object> body = new LinkedHashMap<>();
        put(body, "image", image);
        put(body, "provider", provider);
        put(body, "template", template);
        put(body, "ttl", ttl);
        put(body, "memory_mb", memoryMb);
        put(body, "vcpus", vcpus);
        put(body, "network", network);
        put(body, "runtime", runtime);
        if (!env.isEmpty()) {
            body.put("env", env);
        }
        if (!metadata.isEmpty()) {
            body.put("metadata", metadata);
        }
        if (!ports.isEmpty()) {
            body.put("ports", ports);
        }
        if (publicPreview) {
            body.put("public_preview", true);
        }
        put(body, "network_policy", networkPolicy());
        return body;
    }

    /** The egress policy {@code --egress}, {@code --allow} and {@code --deny} name; null when none is given. */
    NetworkPolicy networkPolicy() {
        if (egress == null && allow.isEmpty() && deny.isEmpty()) {
            return null;
        }
        return new NetworkPolicy(egress, allow, deny);
    }

    private static void put(Map<String, Object> body, String field, Object value) {
        if (value != null) {
            body.put(field, value);
        }
    }
}
