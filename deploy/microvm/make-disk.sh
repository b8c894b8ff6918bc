#!/usr/bin/env bash
# Makes a microVM sandbox's root disk from an image's root filesystem archive (the launcher's
# export, as the proot provider reads it): an ext4 filesystem with the archive's files and numeric
# owners, the folders the guest mounts on, and room for what sandboxes write. Run as root, so that
# owners survive the unpacking. docs/providers.md "microvm".
#
#   make-disk.sh ARCHIVE.tar OUT.ext4 [EXTRA_MIB]
#
# The file is sparse: EXTRA_MIB (default 10240, the disk_mb a sandbox gets by default) of free
# space costs nothing until written. No journal (a sandbox's disk is thrown away with it; the guest
# syncs before it powers off). User quotas kept in the filesystem (the quota feature: usage counted
# from the start), so the guest can hold the sandbox user to its disk_mb. Inode tables zeroed here
# (lazy_itable_init=0: mke2fs allocates them zeroed without writing, about 16 MiB a GiB), or every
# guest's kernel would write them into its sandbox's overlay in the background.
set -euo pipefail
archive=$1 out=$2 extra=${3:-10240}
[ "$(id -u)" = 0 ] || { echo "make-disk: run as root, or the image's file owners are lost" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar --numeric-owner -xpf "$archive" -C "$work" --anchored --exclude=./dev/* --exclude=dev/*
for folder in .stacyvm .stacyvm/bin .stacyvm/run workspace proc sys dev tmp; do
  if [ -L "$work/$folder" ]; then
    echo "make-disk: the image has a link at /$folder, where the guest mounts its own" >&2
    exit 1
  fi
  mkdir -p "$work/$folder"
done
chmod 1777 "$work/tmp"
used=$(du -sm --apparent-size "$work" | cut -f1)
# a new file of our own beside the result (never a name something else may have put there), then renamed
new=$(mktemp "$out.XXXXXX")
mke2fs -q -t ext4 -O ^has_journal,quota -E quotatype=usrquota,lazy_itable_init=0 -L stacyvm-root -d "$work" -F "$new" "$((used * 12 / 10 + extra))M" >/dev/null || { rm -f "$new"; exit 1; }
chmod 0644 "$new"
mv -f "$new" "$out"
