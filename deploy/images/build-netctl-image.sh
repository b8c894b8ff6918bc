#!/usr/bin/env bash
# Builds stacyvm/netctl, the short-lived helper the worker starts inside a networked sandbox's
# network namespace (--network container:<sandbox> --cap-add NET_ADMIN) to load its egress
# rules. It is the default sandbox image plus Debian's iptables, whose packages apt downloads
# from the machine's own mirror; no image registry is contacted.
# Usage: build-netctl-image.sh [IMAGE_NAME] [BASE_IMAGE]
set -euo pipefail

image=${1:-stacyvm/netctl:1}
base=${2:-stacyvm/base:bookworm}

if docker image inspect "$image" >/dev/null 2>&1; then
  echo "image $image already present"
  exit 0
fi
docker image inspect "$base" >/dev/null 2>&1 || { echo "base image $base is missing (build-base-image.sh)" >&2; exit 1; }

context=$(mktemp -d /tmp/stacyvm-netctl.XXXXXX)
trap 'rm -rf "$context"' EXIT

# iptables and the libraries the base image lacks (bookworm; libc6 and libgcc are there already)
packages=(iptables libip4tc2 libip6tc2 libxtables12 libmnl0 libnftnl11 libnetfilter-conntrack3 libnfnetlink0 netbase)
(cd "$context" && apt-get download "${packages[@]}" >/dev/null 2>"$context/apt.log") || {
  apt-get update >/dev/null 2>&1 || true
  (cd "$context" && apt-get download "${packages[@]}" >/dev/null) || { cat "$context/apt.log" >&2; exit 1; }
}
rm -f "$context/apt.log"

cat > "$context/Dockerfile" <<DOCKERFILE
FROM $base
USER 0:0
COPY *.deb /tmp/debs/
RUN dpkg -i /tmp/debs/*.deb && rm -rf /tmp/debs && iptables-restore --version
LABEL dev.stacyvm.netctl-image=true
ENTRYPOINT []
CMD ["/bin/sh"]
DOCKERFILE
DOCKER_BUILDKIT=0 docker build -q -t "$image" "$context" >/dev/null 2>"$context/build.log" || { cat "$context/build.log" >&2; exit 1; }
echo "built $image"
