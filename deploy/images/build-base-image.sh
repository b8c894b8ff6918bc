#!/usr/bin/env bash
# Builds the default sandbox image offline-from-registries: a Debian bookworm minbase root
# filesystem made by debootstrap from the machine's own apt mirror, with python3 and an
# unprivileged `sandbox` user, imported into the local Docker engine with `docker import`.
# No image registry is contacted. Usage: build-base-image.sh [IMAGE_NAME]
set -euo pipefail

image=${1:-stacyvm/base:bookworm}
suite=bookworm

if docker image inspect "$image" >/dev/null 2>&1; then
  echo "image $image already present"
  exit 0
fi

command -v debootstrap >/dev/null || { echo "debootstrap is not installed (apt-get install -y debootstrap)" >&2; exit 1; }

# The mirror the host's apt already uses: the first URIs: line of debian.sources, or sources.list.
mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
if [ -z "$mirror" ]; then
  mirror=$(awk '$1 == "deb" {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
fi
mirror=${mirror:-http://deb.debian.org/debian}

rootfs=$(mktemp -d /tmp/stacyvm-rootfs.XXXXXX)
trap 'rm -rf "$rootfs"' EXIT

echo "debootstrap $suite (minbase + python3 and pip) from $mirror; this takes about a minute"
debootstrap --variant=minbase --include=python3,python3-pip,procps "$suite" "$rootfs" "$mirror" \
  > "$rootfs.log" 2>&1 || { tail -20 "$rootfs.log" >&2; rm -f "$rootfs.log"; exit 1; }
rm -f "$rootfs.log"

# The unprivileged user sandboxes run as, and its writable workspace.
chroot "$rootfs" /usr/sbin/groupadd --gid 1000 sandbox
chroot "$rootfs" /usr/sbin/useradd --uid 1000 --gid 1000 --home-dir /workspace --no-create-home \
  --shell /bin/bash sandbox
mkdir -p "$rootfs/workspace"
chown 1000:1000 "$rootfs/workspace"

rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/tmp/* \
  "$rootfs"/proc/* "$rootfs"/sys/* "$rootfs"/dev/* 2>/dev/null || true

# mktemp made the folder 0700 and the archive's "./" entry carries that mode: on a btrfs (or vfs)
# data root the image's / would then be root-only and the sandbox user could run nothing
chmod 0755 "$rootfs"
tar --numeric-owner -C "$rootfs" -c . | docker import \
  -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  -c 'ENV LANG=C.UTF-8' \
  -c 'ENV HOME=/workspace' \
  -c 'USER 1000:1000' \
  -c 'WORKDIR /workspace' \
  -c 'CMD ["/bin/bash"]' \
  -c 'LABEL dev.stacyvm.base-image=true' \
  - "$image" >/dev/null
echo "built $image"
