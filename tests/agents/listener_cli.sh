#!/usr/bin/env bash
# The listener's command line and configuration handling, without a
# platform: bad input gets a clear error and a non-zero exit.
# Usage: listener_cli.sh PATH-TO-volttron-listener
set -u
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

expect() { # expect <name> <wanted exit> <text the output must contain> <command...>
    local name=$1 want=$2 text=$3
    shift 3
    local out rc
    out=$("$@" 2>&1)
    rc=$?
    if [ "$rc" -ne "$want" ]; then
        echo "FAIL $name: exit $rc, wanted $want"; echo "$out"; fail=1; return
    fi
    if ! grep -qF -- "$text" <<<"$out"; then
        echo "FAIL $name: output lacks \"$text\""; echo "$out"; fail=1; return
    fi
    echo "ok   $name"
}

export VOLTTRON_HOME="$tmp/home" AUTH_ENABLED=False VOLTTRON_VIP_ADDR=tcp://127.0.0.1:9

printf '{"message": "hi", "heartbeat_period": 5,\n "log-level": "INFO"' > "$tmp/truncated.json"
printf 'message: [unclosed\n' > "$tmp/broken.yml"
printf '{"prefixes": 42}' > "$tmp/prefixes.json"
printf '{"runtime_limit": "soon"}' > "$tmp/limit.json"

expect help 0 "--vip-address" "$bin" --help
expect version 0 "volttron-client" "$bin" --version
expect unknown-option 1 "usage:" "$bin" --no-such-option
expect missing-config 1 "$tmp/nope.json" "$bin" -c "$tmp/nope.json"
expect truncated-json 1 "truncated.json:2:" "$bin" -c "$tmp/truncated.json"
expect broken-yaml 1 "broken.yml:" "$bin" -c "$tmp/broken.yml"
expect prefixes-type 1 "config key \"prefixes\" must be a list of topic prefixes, got a number" \
    "$bin" -c "$tmp/prefixes.json"
expect limit-type 1 "config key \"runtime_limit\" must be an integer, got a string" \
    "$bin" -c "$tmp/limit.json"
expect bad-key 1 "invalid CURVE key" "$bin" --serverkey short --publickey x --secretkey y \
    --vip-address tcp://127.0.0.1:9

exit $fail
