package dev.stacyvm.worker.provider.microvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The guest QEMU starts: what it is given, and nothing more (docs/providers.md "microvm"). */
class QemuCommandTest {

    private static List<String> argv(String accel, Path folder) {
        return new QemuCommand("/usr/bin/qemu-system-x86_64", accel, Path.of("/g/vmlinuz"), Path.of("/g/initramfs.cpio"), folder, 256, 2)
                .argv();
    }

    private static String after(List<String> argv, String option) {
        return argv.get(argv.indexOf(option) + 1);
    }

    @Test
    void aGuestHasNoNetworkDeviceNoDefaultDevicesAndQemuRunsUnderItsOwnSeccompFilter() {
        List<String> argv = argv("tcg", Path.of("/state/microvm/sb-1"));
        for (String network : List.of("-net", "-nic", "-netdev")) {
            assertFalse(argv.contains(network), "no network device: " + argv);
        }
        assertTrue(argv.stream().noneMatch(word -> word.contains("virtio-net")), "no network device: " + argv);
        assertTrue(argv.contains("-nodefaults") && argv.contains("-no-user-config"), "no default devices: " + argv);
        assertEquals("on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny", after(argv, "-sandbox"));
        assertEquals("256", after(argv, "-m"));
        assertEquals("2", after(argv, "-smp"));
        // the console goes to a socket the link reads, bounded, never to a file QEMU grows
        assertTrue(argv.stream().anyMatch(word -> word.startsWith("socket,id=console,path=/state/microvm/sb-1/run/console.sock,")),
                "the console: " + argv);
    }

    @Test
    void softwareEmulationTellsTheKernelItsClockAndHardwareVirtualisationDoesNotNeedTo() {
        assertTrue(after(argv("tcg", Path.of("/s")), "-append").contains("tsc_early_khz=") && argv("tcg", Path.of("/s")).contains("tcg,thread=multi"));
        List<String> kvm = argv("kvm", Path.of("/s"));
        assertFalse(after(kvm, "-append").contains("tsc_early_khz"), "kvm: " + kvm);
        assertEquals("kvm", after(kvm, "-accel"));
        assertEquals("host", after(kvm, "-cpu"));
    }

    @Test
    void aCommaInTheStateFolderStaysInThePathInsteadOfStartingAnOption() {
        List<String> argv = argv("tcg", Path.of("/state,file=/etc/shadow/sb-1"));
        assertTrue(argv.contains("id=root,file=/state,,file=/etc/shadow/sb-1/disk.qcow2,format=qcow2,if=none,cache=unsafe,discard=unmap"),
                "the disk option: " + argv);
    }
}
