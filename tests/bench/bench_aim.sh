#!/usr/bin/env bash
# Agent lifecycle figures (issue: startup, status with 50 agents, install):
#   - platform start to the first successful `vctl status`
#   - `vctl install` of a package directory (median of 10)
#   - `vctl status` with 50 agents installed and running (median of 10)
#   - starting 50 agents (vctl start --all-tagged) until all 50 are up
# Usage: bench_aim.sh (VT_VOLTTRON, VT_VCTL, VT_TEST_AGENT from meson).
set -euo pipefail
home=$(mktemp -d /tmp/vt-bench-aim-XXXXXX)
trap 'kill "$platform" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$home"' EXIT
export VOLTTRON_HOME=$home
vctl() { "$VT_VCTL" --allow-root "$@"; }
now_us() { date +%s%6N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
pkg=$(dirname "$VT_TEST_AGENT")

t0=$(now_us)
"$VT_VOLTTRON" --allow-root -l "$home/volttron.log" &
platform=$!
until vctl status >/dev/null 2>&1; do :; done
t1=$(now_us)
echo "platform start to first vctl status: $(( (t1 - t0) / 1000 )) ms"

for i in $(seq 10); do
    a=$(now_us)
    vctl install "$pkg" --vip-identity "bench.install.$i" >/dev/null
    b=$(now_us)
    echo $(( (b - a) / 1000 ))
done | median | sed 's/^/vctl install (package directory, median of 10): /; s/$/ ms/'
for i in $(seq 10); do vctl remove "bench.install.$i" >/dev/null; done

for i in $(seq 50); do vctl install "$pkg" --vip-identity "bench.agent.$i" --tag bench >/dev/null; done
a=$(now_us)
vctl start --all-tagged >/dev/null
until [ "$(vctl status 2>/dev/null | grep -c 'running \[')" = 50 ]; do :; done
b=$(now_us)
echo "start 50 agents until all run: $(( (b - a) / 1000 )) ms"
for i in $(seq 10); do
    a=$(now_us)
    vctl status >/dev/null 2>&1
    b=$(now_us)
    echo $(( (b - a) / 1000 ))
done | median | sed 's/^/vctl status with 50 running agents (median of 10): /; s/$/ ms/'
rss=0
for pid in $(vctl status 2>/dev/null | sed -n 's/.*running \[\([0-9]*\)\].*/\1/p'); do
    rss=$(( rss + $(awk '/VmRSS/ {print $2}' "/proc/$pid/status") ))
done
echo "50 idle agents: RSS $(( rss / 1024 )) MB in total, $(( rss / 50 )) kB each; platform RSS $(awk '/VmRSS/ {print $2}' "/proc/$platform/status") kB"
a=$(now_us)
vctl shutdown --platform >/dev/null
wait "$platform"
b=$(now_us)
echo "vctl shutdown --platform with 50 agents: $(( (b - a) / 1000 )) ms"
