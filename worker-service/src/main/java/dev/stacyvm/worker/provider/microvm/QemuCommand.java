package dev.stacyvm.worker.provider.microvm;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The QEMU command line of one microVM sandbox (docs/providers.md "microvm"): QEMU's {@code microvm}
 * machine with ACPI (the cloud kernel finds its virtio-mmio devices there: it is not built to read
 * them from its command line), no default devices, no network device at all, the sandbox's disk
 * (a copy-on-write overlay over its image's), one virtio-serial port named {@code stacyvm} for the
 * agent's link, a virtio RNG, the serial console into a file, and QEMU's own seccomp filter
 * ({@code -sandbox on}: no new processes, no privilege changes). Under {@code tcg} the kernel is
 * told the TSC's rate ({@code tsc_early_khz}, {@code lpj}): without it, boots under software
 * emulation often hang calibrating it. The console goes to a socket, never a file QEMU writes: the
 * sandbox's link keeps it, bounded, and what the guest prints while nobody reads is dropped.
 *
 * @param qemu      the {@code qemu-system-x86_64} to run, by absolute path
 * @param accel     {@code tcg} or {@code kvm}
 * @param kernel    the guest kernel ({@code vmlinuz})
 * @param initramfs the guest's initramfs ({@code deploy/microvm/build-guest.sh})
 * @param folder    the sandbox's folder: {@code disk.qcow2}, {@code run/serial.sock}, {@code run/console.sock}
 * @param memoryMb  the guest's memory, MiB
 * @param vcpus     the guest's vCPUs
 */
record QemuCommand(String qemu, String accel, Path kernel, Path initramfs, Path folder, int memoryMb, int vcpus) {

    /** The virtio-serial port's name, which the guest's init looks for in sysfs. */
    static final String PORT = "stacyvm";
    static final String SERIAL_SOCKET = "serial.sock";
    /** The guest's serial console, which the sandbox's {@code vmlink} keeps (bounded) in {@code console.log}. */
    static final String CONSOLE_SOCKET = "console.sock";

    List<String> argv() {
        return argv(List.of());
    }

    /** The command line with {@code extra} options after it ({@code -qmp}, {@code -incoming}). */
    List<String> argv(List<String> extra) {
        String kernelLine = "console=ttyS0 quiet loglevel=1 panic=-1 reboot=t random.trust_cpu=off";
        if ("tcg".equals(accel)) {
            kernelLine += " tsc_early_khz=2100000 tsc=reliable lpj=8400000 no_timer_check";
        }
        List<String> argv = new ArrayList<>(List.of(qemu, "-M", "microvm,acpi=on", "-accel", "tcg".equals(accel) ? "tcg,thread=multi" : accel,
                "-cpu", "tcg".equals(accel) ? "max" : "host", "-m", String.valueOf(memoryMb), "-smp", String.valueOf(vcpus),
                "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
                "-kernel", kernel.toString(), "-initrd", initramfs.toString(), "-append", kernelLine,
                "-drive", "id=root,file=" + option(folder.resolve(MicrovmSandbox.DISK)) + ",format=qcow2,if=none,cache=unsafe,discard=unmap",
                "-device", "virtio-blk-device,drive=root",
                "-device", "virtio-serial-device",
                "-chardev", "socket,id=link,path=" + option(folder.resolve("run").resolve(SERIAL_SOCKET)) + ",server=on,wait=off",
                "-device", "virtserialport,chardev=link,name=" + PORT,
                "-device", "virtio-rng-device",
                "-chardev", "socket,id=console,path=" + option(folder.resolve("run").resolve(CONSOLE_SOCKET)) + ",server=on,wait=off",
                "-serial", "chardev:console",
                "-sandbox", "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny"));
        argv.addAll(extra);
        return argv;
    }

    /** A path as a value inside a QEMU option list, where a comma is written twice. */
    private static String option(Path path) {
        return path.toString().replace(",", ",,");
    }
}
