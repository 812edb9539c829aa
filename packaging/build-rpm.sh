#!/usr/bin/env bash
# Build the RPMs from packaging/rpm/volttron.spec with rpmbuild (on Debian:
# the rpm package; build dependencies are Debian's, so --nodeps), from a
# clean copy of this tree. Checks that every package holds what it should.
#   packaging/build-rpm.sh [OUTDIR]      (default build/rpms)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-$root/build/rpms}" && cd "${1:-$root/build/rpms}" && pwd)
spec="$root/packaging/rpm/volttron.spec"
version=$(sed -n 's/^Version: *//p' "$spec")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp"/{SOURCES,SPECS,BUILD,RPMS,SRPMS} "$tmp/volttron-$version"
(cd "$root" && tar --exclude='./build*' --exclude=./.git -cf - .) |
    tar -xf - -C "$tmp/volttron-$version"
tar -czf "$tmp/SOURCES/volttron-$version.tar.gz" -C "$tmp" "volttron-$version"
rpmbuild -bb --nodeps --define "_topdir $tmp" "$spec" > "$tmp/build.log" 2>&1 || {
    tail -60 "$tmp/build.log"; exit 1; }
rm -f "$out"/*.rpm
find "$tmp/RPMS" -name '*.rpm' -exec mv {} "$out"/ \;
# what each package must hold
# (the listing is captured first: grep -q closing the pipe early would make
# rpm die of SIGPIPE, which pipefail reports as a missing file)
check() { local list; list=$(rpm -qlp "$out/$1"-[0-9]*.rpm 2>/dev/null)
    grep -q "$2" <<<"$list" || { echo "$1 lacks $2"; exit 1; }; }
check volttron /usr/bin/volttron
check volttron /usr/bin/vctl
check volttron /usr/lib/systemd/system/volttron.service
check libvolttron-client1 'libvolttron-client.so.1$'
check volttron-devel '/pkgconfig/volttron-client.pc$'
check volttron-agent-listener '/volttron/agents/listener/agent.json$'
check volttron-agent-actuator '/volttron/agents/actuator/agent.json$'
check volttron-agent-platform-driver '/volttron/agents/platform-driver/volttron-platform-driver$'
ls "$out"
