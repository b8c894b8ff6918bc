#!/usr/bin/env bash
# Regenerates the worker's seccomp profile (worker-service/src/main/resources/seccomp/sandbox.json)
# from the Docker engine's own default profile, as Debian ships it in golang-github-docker-docker-dev
# (profiles/seccomp/default.json), minus the calls below. Run it after an engine upgrade and
# review the diff; the worker ships the generated file, it never reads the engine's.
#
# Removed, from every allow rule (unconditional or capability-gated), because sandboxed code rarely
# needs them and they are a common kernel attack surface:
#   io_uring_setup, io_uring_enter, io_uring_register  - io_uring bypasses per-call seccomp checks
#                                                        and has a long record of privilege escalations
#   bpf, perf_event_open                               - kernel verifier/perf bugs; only allowed with
#                                                        CAP_SYS_ADMIN today, removed so no cap grants them
#   userfaultfd                                        - lets a process stall the kernel mid-copy (race exploits)
#   keyctl, add_key, request_key                       - the kernel keyring is not namespaced
set -euo pipefail
src=${1:-}
if [ -z "$src" ]; then
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && apt-get download golang-github-docker-docker-dev >/dev/null)
  dpkg-deb -x "$tmp"/golang-github-docker-docker-dev_*.deb "$tmp/x"
  src="$tmp/x/usr/share/gocode/src/github.com/docker/docker/profiles/seccomp/default.json"
fi
out=$(cd "$(dirname "$0")/../.." && pwd)/worker-service/src/main/resources/seccomp/sandbox.json
mkdir -p "$(dirname "$out")"
jq --indent 1 '
  ["io_uring_setup","io_uring_enter","io_uring_register","bpf","perf_event_open",
   "userfaultfd","keyctl","add_key","request_key"] as $denied
  | .syscalls |= (map(if .action == "SCMP_ACT_ALLOW" then .names -= $denied else . end)
                  | map(select((.names | length) > 0)))' "$src" > "$out"
echo "wrote $out"
