#!/usr/bin/env bash
# Run the libFuzzer targets of a fuzz build (meson -Dfuzz=true, clang) for a
# while each, starting from their seeds; fail if any finds a crash, a leak,
# a sanitizer report or a broken invariant.
#
#   scripts/fuzz.sh [-b BUILD] [-t SECONDS] [-j JOBS] [TARGET...]
#
#   -b BUILD    the build directory (default build-fuzz)
#   -t SECONDS  how long each target runs (default 5)
#   -j JOBS     targets run at once (default 2)
#   TARGET      json, router, ... (default: every fuzz_* in BUILD/tests/fuzz)
#
# The committed seeds (tests/fuzz/corpus/<target>) are only read: what a run
# discovers goes to a scratch corpus, removed afterwards. A failing input is
# kept as BUILD/fuzz-artifacts/<target>-crash-<sha1> (or -leak-, -timeout-,
# -oom-), with the run's log beside it; tests/fuzz/README.md says how to
# reproduce and minimise it. One line per target reports the coverage
# reached and the speed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=build-fuzz
seconds=5
jobs=2
while getopts "b:t:j:" opt; do
    case $opt in
    b) build=$OPTARG ;;
    t) seconds=$OPTARG ;;
    j) jobs=$OPTARG ;;
    *) sed -n '2,20p' "$0" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
case $build in /*) ;; *) build=$root/$build ;; esac
bin=$build/tests/fuzz
if [ ! -d "$bin" ]; then
    echo "fuzz.sh: no fuzz targets in $bin (configure with CC=clang and -Dfuzz=true)" >&2
    exit 2
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    for exe in "$bin"/fuzz_*; do
        [ -f "$exe" ] && [ -x "$exe" ] && targets+=("${exe##*/fuzz_}")
    done
fi

artifacts=$build/fuzz-artifacts
# tmpfs if there is one: the targets that write files run faster there.
tmp=${TMPDIR:-/tmp}
[ -z "${TMPDIR:-}" ] && [ -w /dev/shm ] && tmp=/dev/shm
scratch=$(mktemp -d "$tmp/vt-fuzz-run.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$artifacts"

# Sanitizers: abort on the first report so libFuzzer keeps the input;
# leaks count. (The build already makes UBSan unrecoverable.)
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

run_one() { # run_one <target>: 0 when it ran clean
    local t=$1 exe=$bin/fuzz_$1 seeds=$root/tests/fuzz/corpus/$1 dict=$root/tests/fuzz/dict/$1.dict
    local work=$scratch/$t log=$scratch/$t.log
    mkdir -p "$work" "$work.tmp"
    local args=(-max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048
                -artifact_prefix="$artifacts/$t-" -print_final_stats=1)
    [ -f "$dict" ] && args+=(-dict="$dict")
    local dirs=("$work")
    [ -d "$seeds" ] && dirs+=("$seeds")
    # The target's scratch files go under ours (a crash skips its cleanup).
    if TMPDIR=$work.tmp "$exe" "${args[@]}" "${dirs[@]}" >"$log" 2>&1; then
        local done_line
        done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 || true)
        printf '%-10s ok    %s\n' "$t" "${done_line:-(no summary)}"
        return 0
    fi
    cp "$log" "$artifacts/$t.log"
    printf '%-10s FAILED (log: %s)\n' "$t" "$artifacts/$t.log"
    grep -E 'ERROR|SUMMARY|check failed|Test unit written' "$log" | head -8 | sed 's/^/    /'
    return 1
}

status=0
running=0
for t in "${targets[@]}"; do
    if [ ! -x "$bin/fuzz_$t" ]; then
        echo "fuzz.sh: no target fuzz_$t in $bin" >&2
        status=1
        continue
    fi
    run_one "$t" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait -n || status=1
        running=$((running - 1))
    fi
done
while [ "$running" -gt 0 ]; do
    wait -n || status=1
    running=$((running - 1))
done
if [ "$status" -ne 0 ]; then
    echo "== fuzzing found problems: see above"
fi
exit "$status"
