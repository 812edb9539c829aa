#!/usr/bin/env bash
# Set up everything and run the whole test suite:
#   1. gcc, -Werror, every suite (utils, client, server, agents, integration);
#   2. clang, -Werror, AddressSanitizer + UndefinedBehaviorSanitizer, every suite.
# Extra arguments are passed to `meson test` (e.g. --suite utils).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/deps.sh

setup() { # setup <dir> <meson args...>
    local dir=$1
    shift
    if [ -f "$dir/build.ninja" ]; then
        meson setup --reconfigure "$dir" "$@" >/dev/null
    else
        meson setup "$dir" "$@" >/dev/null
    fi
}

echo "== gcc build (-Werror)"
CC=gcc setup build -Dwerror=true
meson compile -C build
meson test -C build --print-errorlogs "$@"

echo "== clang build (-Werror, address + undefined sanitizers)"
CC=clang setup build-san -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false
meson compile -C build-san
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    meson test -C build-san --print-errorlogs "$@"

echo "== all tests passed"
