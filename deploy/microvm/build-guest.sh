#!/usr/bin/env bash
# Builds what every microVM sandbox boots (docs/providers.md "microvm"): the kernel (Debian's
# linux-image-cloud-amd64, unpacked from its package, never installed) and an initramfs holding
# busybox (busybox-static), the agent, the kernel's virtio and quota modules (the disk's user quota
# is the sandbox's disk_mb) and deploy/microvm/init.
#
#   build-guest.sh KERNEL_DEB AGENT OUT_DIR
#
# Writes OUT_DIR/vmlinuz and OUT_DIR/initramfs.cpio (an uncompressed newc archive: the kernel
# unpacks it faster than it would decompress one).
set -euo pipefail
deb=$1 agent=$2 out=$3
here=$(cd "$(dirname "$0")" && pwd)
# busybox-static's: the initramfs has no libc for a dynamic one
busybox=/bin/busybox
[ -x "$busybox" ] || { echo "build-guest: $busybox is missing (apt-get install busybox-static)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dpkg-deb -x "$deb" "$work/kernel"
version=$(ls "$work/kernel/lib/modules")
modules=$work/kernel/lib/modules/$version/kernel
root=$work/initramfs
mkdir -p "$root/bin" "$root/modules" "$root/dev" "$root/proc" "$root/sys" "$root/newroot"
cp "$busybox" "$root/bin/busybox"
cp "$agent" "$root/stacyvm-agent"
cp "$here/init" "$root/init"
chmod 0755 "$root/init" "$root/stacyvm-agent" "$root/bin/busybox"
for module in drivers/virtio/virtio.ko drivers/virtio/virtio_ring.ko drivers/virtio/virtio_mmio.ko \
  drivers/block/virtio_blk.ko drivers/char/virtio_console.ko drivers/char/hw_random/virtio-rng.ko \
  fs/quota/quota_tree.ko fs/quota/quota_v2.ko; do
  cp "$modules/$module" "$root/modules/"
done
mkdir -p "$out"
# built in the temporary folder, then moved into place: never written through a name in $out
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$work/initramfs.cpio"
cp "$work/kernel/boot/vmlinuz-$version" "$work/vmlinuz"
echo "$version" >"$work/kernel.version"
chmod 0644 "$work/initramfs.cpio" "$work/vmlinuz" "$work/kernel.version"
mv -f "$work/initramfs.cpio" "$work/vmlinuz" "$work/kernel.version" "$out/"
