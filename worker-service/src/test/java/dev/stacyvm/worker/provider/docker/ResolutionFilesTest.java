package dev.stacyvm.worker.provider.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import dev.stacyvm.worker.config.WorkerConfig;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResolutionFilesTest {

    @TempDir
    Path state;

    private final ResolutionFiles files = new ResolutionFiles();

    @BeforeEach
    void aWorkerWithItsOwnStateFolder() {
        files.config = (WorkerConfig) Proxy.newProxyInstance(WorkerConfig.class.getClassLoader(),
                new Class<?>[] {WorkerConfig.class}, (proxy, method, args) -> {
                    if (method.getName().equals("stateDir")) {
                        return state.toString();
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    private static InspectContainerResponse container(String token, String network, String address) throws Exception {
        String json = "{\"Name\":\"/stacyvm-sb-1\",\"Config\":{\"Labels\":{\"" + ResolutionFiles.LABEL + "\":\"" + token + "\"}},"
                + "\"NetworkSettings\":{\"Networks\":{\"" + network + "\":{\"IPAddress\":\"" + address + "\"}}}}";
        return new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
                .readValue(json, InspectContainerResponse.class);
    }

    @Test
    void aPreparedSetIsMountedReadOnlyOverTheEnginesThreeNameFiles() throws Exception {
        String token = files.prepare(true);
        List<Bind> binds = files.binds(token);
        assertEquals(List.of("/etc/hosts", "/etc/hostname", "/etc/resolv.conf"),
                binds.stream().map(bind -> bind.getVolume().getPath()).toList());
        for (Bind bind : binds) {
            assertEquals(AccessMode.ro, bind.getAccessMode(), bind.getVolume().getPath() + " is read-only");
            Path source = Path.of(bind.getPath());
            assertTrue(source.startsWith(state), "the file is in the worker's state folder: " + source);
            assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(source)),
                    "readable by any sandbox user");
        }
        assertEquals("sandbox\n", Files.readString(Path.of(binds.get(1).getPath())));
        assertFalse(Files.readString(Path.of(binds.get(2).getPath())).contains("nameserver"),
                "no name server before the sandbox's policy is in force");
        assertTrue(Files.readString(Path.of(binds.get(0).getPath())).contains("127.0.1.1\tsandbox\n"),
                "the host name resolves before the container has an address");
    }

    @Test
    void aSandboxWithoutANetworkNamesNoNameServer() throws Exception {
        String token = files.prepare(false);
        assertFalse(Files.readString(Path.of(files.binds(token).get(2).getPath())).contains("nameserver"));
    }

    @Test
    void writingPinsKeepsTheFileTheContainerMountedAndReplacesEarlierPins() throws Exception {
        String token = files.prepare(true);
        Path hosts = Path.of(files.binds(token).get(0).getPath());
        Object inode = Files.getAttribute(hosts, "unix:ino");
        files.writeHosts(container(token, "stacyvm-sandboxes", "172.18.0.5"), "stacyvm-sandboxes",
                "203.0.113.10 pypi.org" + EgressRules.PIN_MARK + "\n");
        files.writeHosts(container(token, "stacyvm-sandboxes", "172.18.0.5"), "stacyvm-sandboxes",
                "203.0.113.11 files.pythonhosted.org" + EgressRules.PIN_MARK + "\n");
        String text = Files.readString(hosts);
        assertEquals(inode, Files.getAttribute(hosts, "unix:ino"), "written in place: a bind mount follows the inode");
        assertTrue(text.startsWith("127.0.0.1\tlocalhost\n"), text);
        assertTrue(text.contains("172.18.0.5\tsandbox\n"), "the host name on the container's address: " + text);
        assertFalse(text.contains("127.0.1.1"), text);
        assertFalse(text.contains("pypi.org"), "the earlier policy's pins are gone: " + text);
        assertTrue(text.endsWith("203.0.113.11 files.pythonhosted.org" + EgressRules.PIN_MARK + "\n"), text);
    }

    @Test
    void resolvConfNamesTheSandboxsNameServersAndNeverDockersEmbeddedDns() throws Exception {
        String token = files.prepare(true);
        Path resolvConf = Path.of(files.binds(token).get(2).getPath());
        files.writeNameservers(container(token, "n", "172.18.0.5"), List.of("10.255.255.53", "192.0.2.53"), "unused");
        String text = Files.readString(resolvConf);
        assertTrue(text.endsWith("nameserver 10.255.255.53\nnameserver 192.0.2.53\n"), text);
        assertFalse(text.contains("127.0.0.11"), text);
        files.writeNameservers(container(token, "n", "172.18.0.5"), List.of(), "egress is default-deny");
        text = Files.readString(resolvConf);
        assertFalse(text.contains("nameserver"), text);
        assertTrue(text.contains("# no name server: egress is default-deny\n"), text);
    }

    @Test
    void aContainerFromAnOlderWorkerIsLeftAloneAndATokenNeverEscapesTheFolder() throws Exception {
        files.writeHosts(container("../../etc", "n", "172.18.0.5"), "n", "x\n");
        assertThrows(IllegalArgumentException.class, () -> files.binds("../../etc/passwd"));
        files.discard("../..");
        assertTrue(Files.isDirectory(state), "a bad token deletes nothing");
    }

    @Test
    void discardDeletesTheSet() {
        String token = files.prepare(true);
        Path folder = Path.of(files.binds(token).get(0).getPath()).getParent();
        files.discard(token);
        assertFalse(Files.exists(folder));
        files.discard(token);
    }
}
