#!/usr/bin/env bash
# Set up everything, build, and run the platform with a working demo: the
# volttron daemon (CURVE on), and the listener agent installed and started
# with vctl, which logs every message on the bus (its own heartbeat every
# 5 s, and whatever else you publish). The platform log is shown; Ctrl-C
# stops everything.
#
#   scripts/demo.sh            demo home in build/demo-home (fresh each run)
#
# Meanwhile, in another terminal (same VOLTTRON_HOME):
#   build/volttron-client/tools/vctl/vctl status
#   build/volttron-client/tools/vctl/vctl publish devices/demo/x '{"t": 21.5}'
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/deps.sh
[ -f build/build.ninja ] || meson setup build >/dev/null
meson compile -C build >/dev/null

home="$root/build/demo-home"
rm -rf "$home"
mkdir -p "$home"
export VOLTTRON_HOME="$home"
# `vctl install listeneragent` finds the package the build made here
export VOLTTRON_AGENT_PATH="$root/build/subprojects"
root_flag=()
[ "$(id -u)" -ne 0 ] || root_flag=(--allow-root)
vctl() { build/volttron-client/tools/vctl/vctl "${root_flag[@]}" "$@"; }

build/volttron-server/volttron "${root_flag[@]}" -v -l "$home/volttron.log" \
    --vip-address tcp://127.0.0.1:22916 --instance-name demo &
platform=$!
trap 'vctl shutdown --platform >/dev/null 2>&1 || kill $platform 2>/dev/null; wait 2>/dev/null;
      echo; echo "demo stopped; logs in $home"' EXIT
# vctl says the platform is not running (exit 10) until it serves
until vctl status >/dev/null 2>&1; do
    kill -0 $platform 2>/dev/null || { cat "$home/volttron.log"; exit 1; }
done

echo "== platform running (pid $platform), home $home"
vctl install listeneragent --tag listener --start
vctl status
echo "== the platform log (the listener logs every message on the bus); Ctrl-C to stop"
tail -n +1 -f "$home/volttron.log"
