#!/usr/bin/env bash
# Set up everything, build, and run the demo.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/deps.sh
[ -f build/build.ninja ] || meson setup build >/dev/null
meson compile -C build >/dev/null
echo "== listener agent with its default config"
build/subprojects/listener/volttron-listener agents/listener/config
