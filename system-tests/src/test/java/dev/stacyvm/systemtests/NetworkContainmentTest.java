package dev.stacyvm.systemtests;

import static dev.stacyvm.systemtests.Suite.api;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.model.ContainerNetwork;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Network containment (issue 14, Network): a networked sandbox reaches no other sandbox (previews
 * reach one only through the router), nothing the host listens on, no link-local address, and no
 * more of the world than its egress policy allows, whoever sets that policy (the sandbox, a running
 * change, its tenant).
 *
 * <p>Every address a sandbox is sent to here is on this machine: another sandbox, the host's own
 * addresses, or a test host in a network namespace this test makes, joined to the host by a veth
 * pair with a /32 route that the test removes afterwards. Each refusal is paired with proof that the
 * target answers someone else (the host, or a sandbox whose policy allows it), so a test host that is
 * simply down cannot pass for containment.
 */
class NetworkContainmentTest {

    /** The cloud metadata address; here only ever a test host in this test's own namespace. */
    private static final String METADATA = "169.254.169.254";
    private static final String ALLOWED_HOST = "203.0.113.10";
    private static final String OTHER_HOST = "198.51.100.10";
    private static final int ROUTER_PORT = Integer.getInteger("stacyvm.preview-port", 7580);

    /**
     * Run inside a sandbox with targets {@code ADDRESS:PORT ...}: one line per target, {@code reached:<what it
     * answered>}, {@code refused:<reason>} or {@code timeout}. Connect waits 2 s, the answer 3 s.
     */
    private static final String PROBE = String.join("\n",
            "import socket, sys",
            "for target in sys.argv[1:]:",
            "    address, port = target.rsplit(':', 1)",
            "    try:",
            "        s = socket.create_connection((address, int(port)), timeout=2)",
            "    except socket.timeout:",
            "        print(target + ' timeout'); continue",
            "    except OSError as e:",
            "        print(target + ' refused:' + (e.strerror or str(e)).replace(' ', '_')); continue",
            "    data = b''",
            "    try:",
            "        s.settimeout(3)",
            "        s.sendall(b'GET / HTTP/1.0\\r\\nHost: ' + address.encode() + b'\\r\\n\\r\\n')",
            "        while len(data) < 65536:",
            "            chunk = s.recv(4096)",
            "            if not chunk: break",
            "            data += chunk",
            "    except OSError:",
            "        pass",
            "    s.close()",
            "    print(target + ' reached:' + data.decode('latin-1').replace('\\r', ' ').replace('\\n', ' '))",
            "");

    /**
     * Run with queries {@code A:NAME} or {@code PTR:NAME}: asks Docker's embedded DNS at 127.0.0.11
     * over UDP and TCP (2 s each), one line per query: {@code udp-answer:<answer count>:<printable
     * reply>} or {@code udp-none:<error>}, then the same for TCP.
     */
    private static final String DNS_PROBE = String.join("\n",
            "import socket, struct, sys",
            "def ask(name, qtype):",
            "    q = struct.pack('>HHHHHH', 0x5356, 0x0100, 1, 0, 0, 0)",
            "    for label in name.split('.'):",
            "        q += bytes([len(label)]) + label.encode()",
            "    return q + b'\\0' + struct.pack('>HH', qtype, 1)",
            "def shown(reply):",
            "    return str(struct.unpack('>H', reply[6:8])[0]) + ':' + ''.join(chr(c) if 32 < c < 127 else '.' for c in reply[12:])",
            "for spec in sys.argv[1:]:",
            "    kind, name = spec.split(':', 1)",
            "    query = ask(name, 12 if kind == 'PTR' else 1)",
            "    out = []",
            "    try:",
            "        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
            "        u.settimeout(2)",
            "        u.connect(('127.0.0.11', 53))",
            "        u.send(query)",
            "        out.append('udp-answer:' + shown(u.recv(4096)))",
            "    except OSError as e:",
            "        out.append('udp-none:' + type(e).__name__)",
            "    try:",
            "        t = socket.create_connection(('127.0.0.11', 53), timeout=2)",
            "        t.sendall(struct.pack('>H', len(query)) + query)",
            "        reply = t.recv(4096)",
            "        out.append('tcp-answer:' + shown(reply[2:]) if len(reply) > 14 else 'tcp-none:empty')",
            "    except OSError as e:",
            "        out.append('tcp-none:' + type(e).__name__)",
            "    print(spec + ' ' + ' '.join(out))",
            "");

    private final String suffix = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
    private final Suite.Sandboxes sandboxes = new Suite.Sandboxes();
    /** Commands that undo what the test made on the host, run in order (newest first). */
    private final List<List<String>> undo = new ArrayList<>();
    private final TestHosts testHosts = new TestHosts();
    private final List<Path> folders = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<String> keyIds = new ArrayList<>();
    private final List<String> tenantPolicies = new ArrayList<>();
    /** Clean-up that needs a test key, run before the keys are revoked. */
    private final List<Runnable> undoAsKey = new ArrayList<>();

    @org.junit.jupiter.api.BeforeEach
    void everyCheckHereNeedsNetworkedSandboxes() {
        Suite.assumeNetworks();
    }

    @AfterEach
    void removeEverythingTheTestMade() throws Exception {
        sandboxes.close();
        undoAsKey.forEach(Runnable::run);
        for (String tenant : tenantPolicies) {
            api().delete("/tenants/{tenant}/network-policy", tenant);
        }
        for (String id : keyIds) {
            api().delete("/admin/api-keys/{id}", id);
        }
        for (AutoCloseable closeable : closeables) {
            closeable.close();
        }
        testHosts.close();
        for (List<String> command : undo) {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        for (Path folder : folders) {
            try (var files = Files.list(folder)) {
                for (Path file : files.toList()) {
                    Files.deleteIfExists(file);
                }
            }
            Files.deleteIfExists(folder);
        }
    }

    // ---------------------------------------------------------------- the cases

    @Test
    void aSandboxNeverReachesAnotherSandbox() throws Exception {
        String marker = "sandbox-b-" + UUID.randomUUID();
        String b = sandboxes.create(Map.of("network", "bridge", "ports", List.of(3000), "public_preview", true, "ttl", "10m"));
        exec(b, "cd /workspace && printf '%s' \"$MARKER\" > index.html && "
                + "(setsid python3 -m http.server 3000 >/tmp/server.log 2>&1 </dev/null &) && "
                + "for i in $(seq 50); do python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", 3000))' "
                + "2>/dev/null && exit 0; sleep 0.1; done; exit 1", Map.of("MARKER", marker));
        String address = sandboxAddress(b);
        String target = address + ":3000";

        // B's app answers on its sandbox-network address: from the host, and from inside B itself
        assertTrue(TestHosts.fetch(address, 3000).contains(marker), "the host reaches B's app at " + target);
        assertReached(probe(b, target).get(target), marker, "B reaches its own app at " + target);
        // and the preview router reaches it: previews pass through the router
        RestAssured.given().baseUri("http://127.0.0.1:" + ROUTER_PORT).header("Host", "3000-" + b + ".localhost:" + ROUTER_PORT)
                .get("/").then().statusCode(200).body(equalTo(marker));

        String a = sandboxes.create(Map.of("network", "bridge", "ttl", "10m"));
        String fromA = probe(a, target).get(target);
        assertRefused(fromA, marker, "sandbox A reached sandbox B's app directly");
        // another preview sandbox is no different
        String c = sandboxes.create(Map.of("ports", List.of(8080), "ttl", "10m"));
        assertRefused(probe(c, target).get(target), marker, "preview sandbox C reached sandbox B's app directly");
    }

    /**
     * Sandbox ids are what public previews are found by, so no sandbox may learn another's: the
     * engine's embedded DNS at 127.0.0.11 answers for every container on the sandbox network
     * (names {@code stacyvm-<id>}, and PTR for their addresses). A container the test runs on that
     * network proves the engine's DNS would name B; sandbox A, even with open egress, gets no answer,
     * has no 127.0.0.11 in its resolv.conf, and its host name names no id.
     */
    @Test
    void aSandboxNeverLearnsAnotherSandboxsIdFromTheEnginesDns() throws Exception {
        String b = sandboxes.create(Map.of("network", "bridge", "ttl", "10m"));
        String a = sandboxes.create(Map.of("network", "bridge", "ttl", "10m",
                "network_policy", Map.of("default_egress", "allow")));
        String address = sandboxAddress(b);
        String[] octets = address.split("\\.");
        String ptr = "PTR:" + octets[3] + "." + octets[2] + "." + octets[1] + "." + octets[0] + ".in-addr.arpa";
        String byName = "A:stacyvm-" + b;

        String witness = dnsWitness(b, byName, ptr);
        assertTrue(witness.contains(byName + " udp-answer:1") && witness.contains(b),
                "the engine's DNS names B to a container on the sandbox network (else this proves nothing): " + witness);
        assertTrue(witness.contains(ptr + " udp-answer:1"), "and answers B's address: " + witness);

        String fromA = api().body(Map.of("command", "python3 -c \"$PROBE\" " + byName + " " + ptr
                        + "; cat /etc/resolv.conf; hostname", "env", Map.of("PROBE", DNS_PROBE), "timeout", "60s"))
                .post("/sandboxes/{id}/exec", a).then().statusCode(200).body("exit_code", equalTo(0))
                .extract().path("stdout");
        for (String query : List.of(byName, ptr)) {
            assertTrue(Pattern.compile("(?m)^" + Pattern.quote(query) + " udp-none:\\S+ tcp-none:\\S+$").matcher(fromA).find(),
                    "sandbox A gets no answer from the engine's DNS for " + query + ": " + fromA);
        }
        assertFalse(fromA.replace(byName, "").contains(b), "sandbox A learnt B's id: " + fromA);
        assertFalse(fromA.contains("127.0.0.11"), "A's resolv.conf does not name the engine's DNS: " + fromA);
        assertTrue(fromA.endsWith("\nsandbox\n"), "A's host name names no container: " + fromA);
    }

    /** Runs {@link #DNS_PROBE} in a container the test makes on B's network; what it printed. */
    private String dnsWitness(String b, String... queries) throws Exception {
        String network = Suite.docker().inspectContainerCmd(Suite.containerOf(b)).exec().getNetworkSettings()
                .getNetworks().keySet().iterator().next();
        String image = Suite.docker().inspectContainerCmd(Suite.containerOf(b)).exec().getConfig().getImage();
        List<String> command = new ArrayList<>(List.of("python3", "-c", DNS_PROBE));
        command.addAll(List.of(queries));
        String container = Suite.docker().createContainerCmd(image).withName("stacyvm-test-dns-" + suffix)
                .withHostConfig(com.github.dockerjava.api.model.HostConfig.newHostConfig().withNetworkMode(network))
                .withUser("65534:65534").withEntrypoint(List.of()).withCmd(command).exec().getId();
        closeables.add(() -> Suite.docker().removeContainerCmd(container).withForce(true).exec());
        Suite.docker().startContainerCmd(container).exec();
        Integer status = Suite.docker().waitContainerCmd(container)
                .exec(new com.github.dockerjava.api.command.WaitContainerResultCallback()).awaitStatusCode(60, TimeUnit.SECONDS);
        assertEquals(0, status, "the witness container ran its probe");
        StringBuilder output = new StringBuilder();
        Suite.docker().logContainerCmd(container).withStdOut(true).withStdErr(true)
                .exec(new com.github.dockerjava.api.async.ResultCallback.Adapter<com.github.dockerjava.api.model.Frame>() {
                    @Override
                    public void onNext(com.github.dockerjava.api.model.Frame frame) {
                        output.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
                    }
                }).awaitCompletion(30, TimeUnit.SECONDS);
        return output.toString();
    }

    @Test
    void aSandboxNeverReachesAListenerOnTheHostsAnyAddress() throws Exception {
        HostListener listener = hostListener();
        String marker = listener.marker();
        int port = listener.port();

        String id = sandboxes.create(Map.of("network", "bridge", "ttl", "10m"));
        String gateway = sandboxGateway(id);
        Set<String> addresses = new LinkedHashSet<>();
        addresses.add(gateway);
        addresses.addAll(hostAddresses());
        // each of them answers the host itself: the listener is there on every address
        assertTrue(TestHosts.fetch("127.0.0.1", port).contains(marker), "the listener answers on 127.0.0.1");
        List<String> proven = new ArrayList<>();
        for (String address : addresses) {
            if (TestHosts.fetch(address, port).contains(marker)) {
                proven.add(address);
            }
        }
        assertTrue(proven.contains(gateway), "the host reaches its listener at the sandbox network's gateway " + gateway
                + ": " + proven);
        assertTrue(proven.size() >= 2, "the host reaches its listener at its own addresses beside the gateway: " + proven);
        int acceptedBefore = listener.accepted().size();
        assertEquals(proven.size() + 1, acceptedBefore, "one connection per address the host proved: " + listener.accepted());

        List<String> targets = proven.stream().map(address -> address + ":" + port).toList();
        Map<String, String> outcomes = probe(id, targets.toArray(String[]::new));
        for (String target : targets) {
            assertRefused(outcomes.get(target), marker, "the sandbox reached the host's listener at " + target);
        }
        listener.assertAcceptedNothingSince(acceptedBefore);
    }

    @Test
    void aSandboxNeverReachesAnAddressTheHostGainsAfterItStarted() throws Exception {
        HostListener listener = hostListener();
        int port = listener.port();
        String id = sandboxes.create(Map.of("network", "bridge", "ttl", "10m"));

        // the host gains a public address (a new interface, a floating IP) while the sandbox runs
        String gained = "203.0.113.77";
        String device = "snd" + suffix;
        // a veth pair whose other end stays down: an interface that only holds the address (no dummy driver here)
        run("ip", "link", "add", device, "type", "veth", "peer", "name", "sne" + suffix);
        undo.add(0, List.of("ip", "link", "delete", device));
        run("ip", "addr", "add", gained + "/32", "dev", device);
        run("ip", "link", "set", device, "up");
        assertTrue(TestHosts.fetch(gained, port).contains(listener.marker()), "the host reaches its listener at " + gained);
        int acceptedBefore = listener.accepted().size();

        String target = gained + ":" + port;
        assertRefused(probe(id, target).get(target), listener.marker(), "the sandbox reached the host's listener at the "
                + "address the host gained after the sandbox started");
        listener.assertAcceptedNothingSince(acceptedBefore);
    }

    @Test
    void aSandboxNeverReachesTheMetadataAddress() throws Exception {
        String metadataMarker = testHost(METADATA, "203.0.113.254");
        String allowedMarker = testHost(ALLOWED_HOST, "203.0.113.1");
        assertTrue(TestHosts.fetch(METADATA, 80).contains(metadataMarker), "the host reaches the metadata test host");

        String bridged = sandboxes.create(Map.of("network", "bridge", "ttl", "10m"));
        String preview = sandboxes.create(Map.of("ports", List.of(3000), "ttl", "10m"));
        for (String id : List.of(bridged, preview)) {
            Map<String, String> outcomes = probe(id, METADATA + ":80", ALLOWED_HOST + ":80");
            // the sandbox has a way out: it reaches a public test host beside it
            assertReached(outcomes.get(ALLOWED_HOST + ":80"), allowedMarker, id + " reaches " + ALLOWED_HOST);
            assertRefused(outcomes.get(METADATA + ":80"), metadataMarker, id + " reached the metadata address");
        }
    }

    /**
     * An image's own programs never run before the sandbox's egress rules are in force: its main
     * process is the agent, not the image's shell. The image here replaces {@code /bin/sh} with
     * one that, whenever it runs, first starts a probe that fetches the metadata test host for 4 s
     * and writes each outcome under /tmp; a keep-alive run by that shell at start would reach the
     * test host in the moment before the rules load.
     */
    @Test
    void noProgramOfTheImageRunsBeforeTheSandboxsEgressRulesHold() throws Exception {
        String metadataMarker = testHost(METADATA, "203.0.113.254");
        assertTrue(TestHosts.fetch(METADATA, 80).contains(metadataMarker), "the host reaches the metadata test host");
        String image = hostileShellImage();

        String id = sandboxes.create(Map.of("image", image, "network", "bridge", "ttl", "10m"));
        Thread.sleep(5000); // a probe started with the container would have run its course
        assertEquals("", probesSoFar(id), "nothing of the image ran before the first exec");
        api().body(Map.of("command", "true")).post("/sandboxes/{id}/exec", id).then().statusCode(200);
        String fromTheExec = "";
        for (int attempt = 0; attempt < 40 && !fromTheExec.contains("refused:"); attempt++) {
            Thread.sleep(500); // the probe that exec's shell started tries every moment for 4 s
            fromTheExec = probesSoFar(id);
        }
        assertTrue(fromTheExec.contains("refused:"), "the image's shell does run its probe at an exec: " + fromTheExec);
        assertFalse(fromTheExec.contains(metadataMarker), "and the probe never reaches the test host: " + fromTheExec);
    }

    /** What the hostile image's probes wrote, read by its real shell run directly (the hostile one would probe again). */
    private static String probesSoFar(String id) {
        return api().body(Map.of("mode", "argv", "command", "/bin/real-sh",
                        "args", List.of("-c", "cat /tmp/probe.* 2>/dev/null; true")))
                .post("/sandboxes/{id}/exec", id).then().statusCode(200).extract().path("stdout");
    }

    /** Builds an image whose /bin/sh starts {@code probe.py} before doing its job; removed after the test. */
    private String hostileShellImage() throws Exception {
        String image = "stacyvm-test/hostile-shell:" + suffix;
        Path context = Files.createTempDirectory("stacyvm-hostile-image-");
        folders.add(context);
        Files.writeString(context.resolve("probe.py"), String.join("\n",
                "import os, time, urllib.request",
                "out = '/tmp/probe.%d' % os.getpid()",
                "stop = time.monotonic() + 4",
                "while time.monotonic() < stop:",
                "    try:",
                "        line = 'reached:' + urllib.request.urlopen('http://" + METADATA + "/', timeout=0.3).read().decode()",
                "    except Exception as e:",
                "        line = 'refused:' + type(e).__name__",
                "    with open(out, 'a') as f:",
                "        f.write(line + '\\n')",
                "    time.sleep(0.1)",
                ""));
        Files.writeString(context.resolve("Dockerfile"), String.join("\n",
                "FROM stacyvm/base:bookworm",
                "USER root",
                "COPY probe.py /usr/local/lib/probe.py",
                "RUN cp /bin/dash /bin/real-sh && printf '#!/bin/real-sh\\n/usr/bin/python3 /usr/local/lib/probe.py"
                        + " </dev/null >/dev/null 2>&1 &\\nexec /bin/real-sh \"$@\"\\n' > /bin/sh.hostile"
                        + " && chmod 0755 /bin/sh.hostile && mv -f /bin/sh.hostile /bin/sh",
                ""));
        run("docker", "build", "-q", "--network", "none", "-t", image, context.toString());
        undo.add(List.of("docker", "rmi", "-f", image));
        return image;
    }

    @Test
    void anAllowListNeverOpensTheMetadataAddress() throws Exception {
        String metadataMarker = testHost(METADATA, "203.0.113.254");
        String allowedMarker = testHost(ALLOWED_HOST, "203.0.113.1");
        assertTrue(TestHosts.fetch(METADATA, 80).contains(metadataMarker), "the host reaches the metadata test host");

        for (Map<String, Object> policy : List.of(
                Map.<String, Object>of("default_egress", "deny", "allow", List.of(METADATA, ALLOWED_HOST)),
                Map.<String, Object>of("default_egress", "allow", "allow", List.of("169.254.0.0/16")))) {
            String id = sandboxes.create(Map.of("network", "bridge", "ttl", "10m", "network_policy", policy));
            api().get("/sandboxes/{id}", id).then().statusCode(200)
                    .body("network_policy.default_egress", equalTo(policy.get("default_egress")))
                    .body("network_policy.allow", equalTo(asCidrs((List<?>) policy.get("allow"))));
            Map<String, String> outcomes = probe(id, METADATA + ":80", ALLOWED_HOST + ":80");
            assertReached(outcomes.get(ALLOWED_HOST + ":80"), allowedMarker, id + " reaches " + ALLOWED_HOST);
            assertRefused(outcomes.get(METADATA + ":80"), metadataMarker, id + " reached the metadata address with " + policy);
        }
    }

    @Test
    void egressAllowAndDenyListsHoldAgainstTestHosts() throws Exception {
        String allowedMarker = testHost(ALLOWED_HOST, "203.0.113.1");
        String otherMarker = testHost(OTHER_HOST, "198.51.100.1");
        String allowed = ALLOWED_HOST + ":80";
        String other = OTHER_HOST + ":80";

        // open egress reaches both: they are up and routed back
        String open = sandboxes.create(Map.of("network", "bridge", "ttl", "10m",
                "network_policy", Map.of("default_egress", "allow")));
        Map<String, String> fromOpen = probe(open, allowed, other);
        assertReached(fromOpen.get(allowed), allowedMarker, "open egress reaches " + ALLOWED_HOST);
        assertReached(fromOpen.get(other), otherMarker, "open egress reaches " + OTHER_HOST);

        String allowList = sandboxes.create(Map.of("network", "bridge", "ttl", "10m",
                "network_policy", Map.of("default_egress", "deny", "allow", List.of(ALLOWED_HOST))));
        api().get("/sandboxes/{id}", allowList).then().statusCode(200)
                .body("network_policy.default_egress", equalTo("deny")).body("network_policy.allow", hasItem(ALLOWED_HOST + "/32"));
        Map<String, String> fromAllowList = probe(allowList, allowed, other);
        assertReached(fromAllowList.get(allowed), allowedMarker, "the allow list opens " + ALLOWED_HOST);
        assertRefused(fromAllowList.get(other), otherMarker, "default deny let the sandbox reach " + OTHER_HOST);

        String denyList = sandboxes.create(Map.of("network", "bridge", "ttl", "10m",
                "network_policy", Map.of("default_egress", "allow", "deny", List.of("198.51.100.0/24"))));
        api().get("/sandboxes/{id}", denyList).then().statusCode(200)
                .body("network_policy.default_egress", equalTo("allow")).body("network_policy.deny", hasItem("198.51.100.0/24"));
        Map<String, String> fromDenyList = probe(denyList, allowed, other);
        assertReached(fromDenyList.get(allowed), allowedMarker, "default allow reaches " + ALLOWED_HOST);
        assertRefused(fromDenyList.get(other), otherMarker, "the deny list let the sandbox reach " + OTHER_HOST);
    }

    @Test
    void aRunningSandboxsPolicyCanBeChangedAndTheChangeIsAudited() throws Exception {
        String allowedMarker = testHost(ALLOWED_HOST, "203.0.113.1");
        String otherMarker = testHost(OTHER_HOST, "198.51.100.1");
        String allowed = ALLOWED_HOST + ":80";
        String other = OTHER_HOST + ":80";
        Instant since = Instant.now().minusSeconds(5);

        String id = sandboxes.create(Map.of("network", "bridge", "ttl", "10m",
                "network_policy", Map.of("default_egress", "allow")));
        assertReached(probe(id, other).get(other), otherMarker, "before the change the sandbox reaches " + OTHER_HOST);

        api().body(Map.of("default_egress", "allow", "deny", List.of(OTHER_HOST))).put("/sandboxes/{id}/network", id)
                .then().statusCode(200).body("id", equalTo(id)).body("network_policy.deny", hasItem(OTHER_HOST + "/32"));
        api().get("/sandboxes/{id}", id).then().statusCode(200).body("network_policy.deny", hasItem(OTHER_HOST + "/32"));
        Map<String, String> denied = probe(id, allowed, other);
        assertRefused(denied.get(other), otherMarker, "after the change the sandbox still reached " + OTHER_HOST);
        assertReached(denied.get(allowed), allowedMarker, "the change closed only " + OTHER_HOST);

        // and back: a change opens as well as closes
        api().body(Map.of("default_egress", "allow")).put("/sandboxes/{id}/network", id).then().statusCode(200);
        assertReached(probe(id, other).get(other), otherMarker, "reopened, the sandbox reaches " + OTHER_HOST);

        assertEquals(2, networkChanges(id, since, 2).size(), "each change is audited as sandbox.network");
    }

    /** The audit records of {@code sandbox.network} on {@code id} since {@code since}, waiting (bounded) for {@code expected}. */
    private static List<Map<String, Object>> networkChanges(String id, Instant since, int expected) throws InterruptedException {
        // the audit trail arrives through Kafka
        List<Map<String, Object>> changes = List.of();
        for (int attempt = 0; attempt < 60 && changes.size() < expected; attempt++) {
            if (attempt > 0) {
                Thread.sleep(500);
            }
            changes = api().queryParam("target", id).queryParam("action", "sandbox.network")
                    .queryParam("since", since.toString()).get("/admin/audit").then().statusCode(200)
                    .extract().jsonPath().<Map<String, Object>>getList("$").stream()
                    .filter(record -> "audit.recorded".equals(record.get("event_type"))).toList();
        }
        return changes;
    }

    @Test
    void aTenantPolicySetLaterNarrowsItsRunningSandboxesAtOnce() throws Exception {
        String allowedMarker = testHost(ALLOWED_HOST, "203.0.113.1");
        String otherMarker = testHost(OTHER_HOST, "198.51.100.1");
        String allowed = ALLOWED_HOST + ":80";
        String other = OTHER_HOST + ":80";
        Instant since = Instant.now().minusSeconds(5);
        String tenant = "netlater-" + suffix;
        String key = createKey("netlater-user", tenant, "user");
        // started while the tenant is open: it reaches both hosts
        String id = as(key).body(Map.of("network", "bridge", "ttl", "10m")).post("/sandboxes")
                .then().statusCode(201).extract().path("id");
        sandboxes.adopt(id);
        Map<String, String> before = probe(id, allowed, other);
        assertReached(before.get(allowed), allowedMarker, "the open tenant's sandbox reaches " + ALLOWED_HOST);
        assertReached(before.get(other), otherMarker, "the open tenant's sandbox reaches " + OTHER_HOST);

        // an administrator closes the tenant while the sandbox runs (an incident, say)
        tenantPolicies.add(tenant);
        api().body(Map.of("default_egress", "deny", "allow", List.of("203.0.113.0/24")))
                .put("/tenants/{tenant}/network-policy", tenant).then().statusCode(200);
        as(key).get("/sandboxes/{id}", id).then().statusCode(200)
                .body("network_policy.default_egress", equalTo("deny"))
                .body("network_policy.allow", equalTo(List.of("203.0.113.0/24")));
        Map<String, String> after = probe(id, allowed, other);
        assertRefused(after.get(other), otherMarker, "the running sandbox still reached " + OTHER_HOST
                + " after its tenant became default-deny");
        assertReached(after.get(allowed), allowedMarker, "the tenant's allow list stays open to it");
        List<Map<String, Object>> changes = networkChanges(id, since, 1);
        assertEquals(1, changes.size(), "the narrowing is audited as sandbox.network: " + changes);
    }

    @Test
    void aDefaultDenyTenantBoundsItsSandboxes() throws Exception {
        String allowedMarker = testHost(ALLOWED_HOST, "203.0.113.1");
        String otherMarker = testHost(OTHER_HOST, "198.51.100.1");
        String tenant = "netpol-" + suffix;
        String key = createKey("netpol-user", tenant, "user");
        // a template made while the tenant was still open, asking for open egress
        String openTemplate = "netpol-open-" + suffix;
        as(key).body(Map.of("name", openTemplate, "network", "bridge", "network_policy", Map.of("default_egress", "allow")))
                .post("/templates").then().statusCode(201);
        undoAsKey.add(() -> as(key).delete("/templates/{name}", openTemplate));
        tenantPolicies.add(tenant);
        api().body(Map.of("default_egress", "deny", "allow", List.of("203.0.113.0/24")))
                .put("/tenants/{tenant}/network-policy", tenant).then().statusCode(200);
        api().get("/tenants/{tenant}/network-policy", tenant).then().statusCode(200)
                .body("default_egress", equalTo("deny")).body("allow", equalTo(List.of("203.0.113.0/24")));
        // only an administrator sets it
        as(key).body(Map.of("default_egress", "allow")).put("/tenants/{tenant}/network-policy", tenant)
                .then().statusCode(403);

        int before = sandboxCount(key);
        as(key).body(Map.of("network", "bridge", "network_policy", Map.of("default_egress", "allow"))).post("/sandboxes")
                .then().statusCode(403).body("code", equalTo("network_policy_not_allowed"));
        as(key).body(Map.of("network", "bridge",
                        "network_policy", Map.of("default_egress", "deny", "allow", List.of(OTHER_HOST))))
                .post("/sandboxes").then().statusCode(403).body("code", equalTo("network_policy_not_allowed"));
        // nor through a template: neither a new one nor one made before the tenant closed
        as(key).body(Map.of("name", "netpol-new-" + suffix, "network", "bridge",
                        "network_policy", Map.of("default_egress", "allow")))
                .post("/templates").then().statusCode(403).body("code", equalTo("network_policy_not_allowed"));
        as(key).body(Map.of()).post("/templates/{name}/spawn", openTemplate)
                .then().statusCode(403).body("code", equalTo("network_policy_not_allowed"));
        assertEquals(before, sandboxCount(key), "a refused create leaves no sandbox");
        // a preview sandbox, networked without asking for it, gets the tenant's policy too
        String preview = as(key).body(Map.of("ports", List.of(3000), "ttl", "10m")).post("/sandboxes")
                .then().statusCode(201).extract().path("id");
        sandboxes.adopt(preview);
        as(key).get("/sandboxes/{id}", preview).then().statusCode(200)
                .body("network_policy.default_egress", equalTo("deny"))
                .body("network_policy.allow", equalTo(List.of("203.0.113.0/24")));

        String id = as(key).body(Map.of("network", "bridge", "ttl", "10m")).post("/sandboxes")
                .then().statusCode(201).extract().path("id");
        sandboxes.adopt(id);
        as(key).get("/sandboxes/{id}", id).then().statusCode(200)
                .body("network_policy.default_egress", equalTo("deny"))
                .body("network_policy.allow", equalTo(List.of("203.0.113.0/24")));
        for (String sandbox : List.of(id, preview)) {
            Map<String, String> outcomes = probe(sandbox, ALLOWED_HOST + ":80", OTHER_HOST + ":80");
            assertReached(outcomes.get(ALLOWED_HOST + ":80"), allowedMarker, "the tenant's allow list opens " + ALLOWED_HOST);
            assertRefused(outcomes.get(OTHER_HOST + ":80"), otherMarker, "the default-deny tenant's sandbox reached " + OTHER_HOST);
        }
        // a running sandbox cannot be opened past its tenant either
        as(key).body(Map.of("default_egress", "allow")).put("/sandboxes/{id}/network", id)
                .then().statusCode(403).body("code", equalTo("network_policy_not_allowed"));
        assertRefused(probe(id, OTHER_HOST + ":80").get(OTHER_HOST + ":80"), otherMarker,
                "a refused change still let the sandbox reach " + OTHER_HOST);
    }

    @Test
    void aBadPolicyEntryIsRefusedAndCreatesNothing() {
        int before = sandboxCount(Suite.API_KEY);
        List<Map<String, Object>> bad = List.of(
                Map.of("default_egress", "sometimes"),
                Map.of("default_egress", "deny", "allow", List.of("300.1.2.3")),
                Map.of("default_egress", "deny", "allow", List.of("203.0.113.0/33")),
                Map.of("default_egress", "deny", "allow", List.of("*.example.org")),
                Map.of("default_egress", "deny", "allow", List.of("2001:db8::1")),
                Map.of("default_egress", "allow", "deny", List.of("not a host name")),
                Map.of("default_egress", "allow", "deny", List.of("")));
        for (Map<String, Object> policy : bad) {
            api().body(Map.of("network", "bridge", "ttl", "10m", "network_policy", policy)).post("/sandboxes")
                    .then().statusCode(400).body("code", equalTo("invalid_network_policy"));
        }
        assertEquals(before, sandboxCount(Suite.API_KEY), "a refused policy creates no sandbox");

        // nor does a bad change touch a running sandbox's policy
        String id = sandboxes.create(Map.of("network", "bridge", "ttl", "10m",
                "network_policy", Map.of("default_egress", "deny", "allow", List.of(ALLOWED_HOST))));
        api().body(Map.of("default_egress", "deny", "allow", List.of("203.0.113.10/99")))
                .put("/sandboxes/{id}/network", id).then().statusCode(400).body("code", equalTo("invalid_network_policy"));
        api().get("/sandboxes/{id}", id).then().statusCode(200).body("network_policy.allow", equalTo(List.of(ALLOWED_HOST + "/32")));
    }

    // ---------------------------------------------------------------- test hosts

    /**
     * A test host at {@code address} ({@link TestHosts}) whose index page answers a marker of its own;
     * proven reachable from the host before it is answered.
     *
     * @return the marker its index page holds
     */
    private String testHost(String address, String hostEnd) throws Exception {
        String marker = "test-host-" + address + "-" + UUID.randomUUID();
        Path folder = Files.createTempDirectory("stacyvm-test-host-");
        folders.add(folder);
        Files.writeString(folder.resolve("index.html"), marker);
        testHosts.serve(address, hostEnd, folder, marker);
        return marker;
    }

    /**
     * A listener on the host's any address (0.0.0.0).
     *
     * @param marker   what it answers every caller
     * @param port     its free port
     * @param accepted each caller's address, in order
     */
    private record HostListener(String marker, int port, List<String> accepted) {

        /** Fails when anyone connected after the first {@code before} callers (waits 0.5 s for late ones). */
        void assertAcceptedNothingSince(int before) throws InterruptedException {
            Thread.sleep(500);
            assertEquals(before, accepted.size(), "the listener accepted nothing from the sandbox: " + accepted);
        }
    }

    /**
     * Opens a {@link HostListener} on a free port, closed after the test: it records each caller's
     * address, answers its marker and reads what the caller sent.
     */
    private HostListener hostListener() throws IOException {
        String marker = "host-listener-" + UUID.randomUUID();
        List<String> accepted = new CopyOnWriteArrayList<>();
        ServerSocket listener = new ServerSocket();
        closeables.add(listener);
        listener.bind(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0));
        Thread acceptor = new Thread(() -> {
            while (!listener.isClosed()) {
                try (Socket client = listener.accept()) {
                    accepted.add(client.getInetAddress().getHostAddress());
                    client.setSoTimeout(3000);
                    client.getOutputStream().write((marker + "\n").getBytes(StandardCharsets.UTF_8));
                    client.shutdownOutput();
                    // read what the client sent before closing, so the close resets nothing it still reads
                    client.getInputStream().readNBytes(65536);
                } catch (IOException closed) {
                    // the listener was closed: the test is over
                }
            }
        }, "host-listener");
        acceptor.setDaemon(true);
        acceptor.start();
        return new HostListener(marker, listener.getLocalPort(), accepted);
    }

    /** This machine's own IPv4 addresses, loopback aside ({@code ip -4 -o addr}). */
    private static List<String> hostAddresses() throws Exception {
        List<String> addresses = new ArrayList<>();
        Matcher matcher = Pattern.compile("inet (\\d+\\.\\d+\\.\\d+\\.\\d+)/").matcher(run("ip", "-4", "-o", "addr", "show"));
        while (matcher.find()) {
            if (!matcher.group(1).startsWith("127.")) {
                addresses.add(matcher.group(1));
            }
        }
        return addresses;
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0,
                String.join(" ", command) + " failed: " + output);
        return output;
    }

    // ---------------------------------------------------------------- sandboxes

    /** The sandbox's address on the sandbox network, as the engine reports it. */
    private static String sandboxAddress(String id) {
        return network(id).getIpAddress();
    }

    /** The sandbox network's gateway: the host's own address on it. */
    private static String sandboxGateway(String id) {
        return network(id).getGateway();
    }

    private static ContainerNetwork network(String id) {
        Map<String, ContainerNetwork> networks = Suite.docker().inspectContainerCmd(Suite.containerOf(id)).exec()
                .getNetworkSettings().getNetworks();
        assertEquals(1, networks.size(), "a networked sandbox is on one network: " + networks.keySet());
        return networks.values().iterator().next();
    }

    /** Runs {@link #PROBE} in the sandbox; each target's outcome. */
    private static Map<String, String> probe(String id, String... targets) {
        String stdout = api().body(Map.of("command", "python3 -c \"$PROBE\" " + String.join(" ", targets),
                        "env", Map.of("PROBE", PROBE), "timeout", "60s"))
                .post("/sandboxes/{id}/exec", id).then().statusCode(200).body("exit_code", equalTo(0))
                .extract().path("stdout");
        Map<String, String> outcomes = new LinkedHashMap<>();
        for (String line : stdout.split("\n")) {
            int space = line.indexOf(' ');
            if (space > 0) {
                outcomes.put(line.substring(0, space), line.substring(space + 1));
            }
        }
        assertEquals(Set.of(targets), outcomes.keySet(), "one outcome per target: " + stdout);
        return outcomes;
    }

    /** Addresses as the API shows them: each a CIDR ({@code /32} for a single address). */
    private static List<String> asCidrs(List<?> entries) {
        return entries.stream().map(entry -> entry.toString().contains("/") ? entry.toString() : entry + "/32").toList();
    }

    private static void assertReached(String outcome, String marker, String what) {
        assertTrue(outcome != null && outcome.startsWith("reached:") && outcome.contains(marker), what + ": " + outcome);
    }

    /** Refused or timed out, and never what the target answers. */
    private static void assertRefused(String outcome, String marker, String what) {
        assertTrue(outcome != null && (outcome.startsWith("refused:") || outcome.equals("timeout")), what + ": " + outcome);
        assertFalse(outcome.contains(marker), what + ": " + outcome);
    }

    private static void exec(String id, String command, Map<String, String> env) {
        api().body(Map.of("command", command, "env", env, "timeout", "60s")).post("/sandboxes/{id}/exec", id)
                .then().statusCode(200).body("exit_code", equalTo(0));
    }

    private String createKey(String name, String tenant, String role) {
        Response created = api().body(Map.of("name", name, "tenant", tenant, "role", role)).post("/admin/api-keys");
        created.then().statusCode(201);
        keyIds.add(created.path("id"));
        return created.path("key");
    }

    private static RequestSpecification as(String key) {
        return RestAssured.given().baseUri(Suite.URL).basePath("/api/v1").header("X-API-Key", key)
                .contentType(ContentType.JSON).log().ifValidationFails();
    }

    /** How many sandboxes the key sees. */
    private static int sandboxCount(String key) {
        return as(key).get("/sandboxes").then().statusCode(200).extract().jsonPath().getList("$").size();
    }
}
