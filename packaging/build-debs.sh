#!/usr/bin/env bash
# Build the Debian packages from a clean copy of this tree (no build
# directories, no .git), with packaging/debian/ and the systemd unit put
# where dpkg-buildpackage expects them.
#   packaging/build-debs.sh [OUTDIR]      (default build/debs)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-$root/build/debs}" && cd "${1:-$root/build/debs}" && pwd)
version=$(dpkg-parsechangelog -l "$root/packaging/debian/changelog" -S Version)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
src="$tmp/volttron-$version"
mkdir -p "$src"
# the tracked tree as it is now (uncommitted edits included), nothing built
(cd "$root" && tar --exclude='./build*' --exclude=./.git --exclude='./packaging/debian' \
    -cf - .) | tar -xf - -C "$src"
cp -r "$root/packaging/debian" "$src/debian"
cp "$root/packaging/systemd/volttron.service" "$src/debian/volttron.service"
(cd "$src" && dpkg-buildpackage -us -uc -b -j"$(nproc)" > "$tmp/build.log" 2>&1) || {
    tail -60 "$tmp/build.log"; exit 1; }
rm -f "$out"/*.deb
mv "$tmp"/*.deb "$out"/
ls "$out"
