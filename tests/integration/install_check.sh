#!/usr/bin/env bash
# Install into a temporary DESTDIR, then build and run programs against the
# installed pkg-config files only, out of tree:
#   - a small C program against volttron-client.pc;
#   - the listener agent as a standalone meson project.
# Usage: install_check.sh BUILD_ROOT SOURCE_ROOT PREFIX LIBDIR CC SANITIZE
set -euo pipefail
build=$1 src=$2 prefix=$3 libdir=$4 cc=$5 sanitize=$6

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root="$tmp/root"

meson install -C "$build" --no-rebuild --destdir "$root" --quiet >/dev/null

case "$libdir" in /*) ;; *) libdir="$prefix/$libdir" ;; esac
pcdir="$root$libdir/pkgconfig"
for pc in volttron-utils volttron-client volttron-server; do
    [ -f "$pcdir/$pc.pc" ] || { echo "missing $pc.pc in $pcdir"; exit 1; }
done

# Point the installed .pc files at the DESTDIR copy (what a package manager's
# real install would make true without any rewriting).
mkdir -p "$tmp/pc"
for f in "$pcdir"/volttron-*.pc; do
    sed "s|^prefix=.*|prefix=$root$prefix|" "$f" > "$tmp/pc/$(basename "$f")"
done
export PKG_CONFIG_PATH="$tmp/pc"
export LD_LIBRARY_PATH="$root$libdir"

# Each library carries its own version and requires the layer below.
[ "$(pkg-config --modversion volttron-utils)" = "1.0.0" ]
[ "$(pkg-config --modversion volttron-client)" = "1.0.0" ]
[ "$(pkg-config --modversion volttron-server)" = "1.0.0" ]
pkg-config --print-requires volttron-client | grep -qx 'volttron-utils'
pkg-config --print-requires volttron-server | grep -qx 'volttron-client'
pkg-config --print-requires-private volttron-client | grep -q 'libzmq'
grep -q '^Requires.private:.*yaml-0.1' "$tmp/pc/volttron-utils.pc"

# Only the deliberate API is exported: internal helpers stay hidden.
so="$root$libdir/libvolttron-utils.so.1"
[ -e "$so" ]
if nm -D --defined-only "$so" | awk '{print $3}' | grep -v '^vt_' | grep -v '^_' | grep -q .; then
    echo "libvolttron-utils exports symbols without the vt_ prefix:"
    nm -D --defined-only "$so" | awk '{print $3}' | grep -v '^vt_' | grep -v '^_'
    exit 1
fi
if nm -D --defined-only "$so" | grep -q ' make_c_locale$'; then
    echo "static helpers leaked into the ABI"; exit 1
fi

san_flags=()
if [ "$sanitize" != "none" ]; then
    san_flags=("-fsanitize=$sanitize")
fi

# 1. A plain C program, compiled by hand with pkg-config.
# shellcheck disable=SC2046
"$cc" -std=c11 -Wall -Wextra -Werror "${san_flags[@]}" -o "$tmp/prog" \
    "$src/tests/integration/install_check.c" $(pkg-config --cflags --libs volttron-client)
out=$("$tmp/prog")
echo "$out"
case "$out" in
    "client 1.0.0 utils 1.0.0 json {\"interval\": 5, \"name\": \"caf\\u00e9\"}") ;;
    *) echo "unexpected output: $out"; exit 1 ;;
esac

# 2. An agent project built on its own, as an independent repository would be.
cp -r "$src/agents/listener" "$tmp/listener-src"
meson_args=()
if [ "$sanitize" != "none" ]; then
    meson_args=("-Db_sanitize=$sanitize" "-Db_lundef=false")
fi
CC="$cc" meson setup "$tmp/listener-build" "$tmp/listener-src" "${meson_args[@]}" >/dev/null
ninja -C "$tmp/listener-build" >/dev/null
[ -x "$tmp/listener-build/volttron-listener" ]
echo "out-of-tree listener built against installed volttron-client"
