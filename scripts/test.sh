#!/usr/bin/env bash
# Set up everything and run the whole test suite:
#   0. every C file is formatted as .clang-format says (scripts/format.sh);
#   1. gcc, -Werror, every suite (utils, client, server, agents, integration);
#   2. clang, -Werror, AddressSanitizer + UndefinedBehaviorSanitizer, every suite;
#   3. clang with libFuzzer (-Dfuzz=true): each fuzz target runs a few seconds
#      from its seeds (tests/fuzz/README.md); VT_FUZZ_SECONDS sets how long.
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

echo "== formatting"
scripts/format.sh --check

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

echo "== clang fuzz build (libFuzzer, address + undefined sanitizers): short runs"
CC=clang setup build-fuzz -Dwerror=true -Dfuzz=true -Dtests=false \
    -Db_sanitize=address,undefined -Db_lundef=false
meson compile -C build-fuzz
scripts/fuzz.sh -b build-fuzz -t "${VT_FUZZ_SECONDS:-5}" -j 2

echo "== all tests passed"
