#!/usr/bin/env bash
# vcfg, driven as a user would drive it: answers on stdin or on the command
# line, in a temporary VOLTTRON_HOME; the config file and the transcript are
# compared byte for byte.
# Usage: test_vcfg.sh PATH-TO-vcfg CASE
# (case "install" also needs VT_VCTL and VT_VOLTTRON: the built programs)
set -u
vcfg=$1
case_name=$2
tmp=$(mktemp -d /tmp/test-vcfg.XXXXXX)
holder=
platform=
cleanup() {
    [ -n "$holder" ] && kill "$holder" 2>/dev/null
    [ -n "$platform" ] && kill "$platform" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
fail=0
home=$tmp/home
export VOLTTRON_HOME=$home
unset SKIP_VOLTTRON_CONFIG

bad() { echo "FAIL $case_name: $*"; fail=1; }
ok() { echo "ok   $case_name: $*"; }

# run [args...] < input: output in $tmp/out, $tmp/err, status in $rc.
run() {
    "$vcfg" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
}

expect_rc() {
    if [ "$rc" -ne "$1" ]; then
        bad "exit $rc, wanted $1"
        echo "--- stdout"; cat "$tmp/out"; echo "--- stderr"; cat "$tmp/err"
    else
        ok "exit $1"
    fi
}

# contains FILE TEXT
contains() {
    if grep -qF -- "$2" "$1"; then ok "$(basename "$1") has \"$2\""
    else bad "$(basename "$1") lacks \"$2\""; cat "$1"; fi
}

lacks() {
    if grep -qF -- "$2" "$1"; then bad "$(basename "$1") has \"$2\""; cat "$1"
    else ok "$(basename "$1") lacks \"$2\""; fi
}

# same EXPECTED-FILE ACTUAL-FILE what
same() {
    if cmp -s "$1" "$2"; then ok "$3"
    else bad "$3 differs:"; diff -u "$1" "$2"; fi
}

mode_is() {
    local m
    m=$(stat -c %a "$1")
    if [ "$m" = "$2" ]; then ok "mode $2"; else bad "mode of $1 is $m, wanted $2"; fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# A listening socket on 127.0.0.1; its port in $held_port.
hold_port() {
    python3 -c '
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(1)
print(s.getsockname()[1], flush=True)
time.sleep(120)' >"$tmp/held" &
    holder=$!
    for _ in $(seq 50); do
        [ -s "$tmp/held" ] && break
        sleep 0.1
    done
    held_port=$(cat "$tmp/held")
}

# ---------------------------------------------------------------------------

case_help() {
    run --help
    expect_rc 0
    for flag in -v --vhome --instance-name --list-agents --agent --message-bus \
        --vip-address --vip-port --web --no-web --web-protocol --web-port --vc-address \
        --no-vc --install-historian --no-install-historian --install-driver \
        --no-install-driver --fake-device --no-fake-device --install-listener \
        --no-install-listener --autostart --no-autostart --yes --non-interactive \
        --allow-root --version "source tree" "0644"; do
        contains "$tmp/out" "$flag"
    done
    run --no-such-option
    expect_rc 2
    contains "$tmp/err" "usage: vcfg"
    run --allow-root stray
    expect_rc 2
    contains "$tmp/err" "unrecognized arguments: stray"
    run --allow-root --list-agents --agent listener
    expect_rc 2
}

case_version() {
    run --version
    expect_rc 0
    contains "$tmp/out" "volttron-client "
}

case_root() {
    if [ "$(id -u)" -eq 0 ]; then
        run --list-agents
        expect_rc 77
        printf 'vcfg: error: refusing to run as root to prevent potential damage.\n' >"$tmp/want"
        same "$tmp/want" "$tmp/err" "root refusal message"
        run --vhome "$home" --yes
        expect_rc 77
        [ -e "$home" ] && bad "the home was created as root"
        run --allow-root --list-agents
        expect_rc 0
    else
        run --list-agents
        expect_rc 0
        echo "not root: only the non-root run was checked"
    fi
}

case_list_agents() {
    run --allow-root --list-agents
    expect_rc 0
    printf 'Agents available to configure:\n\tlistener\n\tplatform_driver\n\tplatform_historian\n' \
        >"$tmp/want"
    same "$tmp/want" "$tmp/out" "--list-agents output"
}

case_unknown_agent() {
    run --allow-root --vhome "$home" --agent listener bogus </dev/null
    expect_rc 1
    contains "$tmp/err" '"bogus" not configurable with this tool'
    [ -e "$home/config" ] && bad "a config file was written"
    run --allow-root --vhome "$home" --agent
    expect_rc 2
}

# Everything from the command line: the exact file, no platform started.
case_unattended() {
    local port
    port=$(free_port)
    run --allow-root --vhome "$home" --yes --vip-port "$port" --instance-name bldg1 </dev/null
    expect_rc 0
    printf '[volttron]\nmessage-bus = zmq\nvip-address = tcp://127.0.0.1:%s\ninstance-name = "bldg1"\n\n' \
        "$port" >"$tmp/want"
    same "$tmp/want" "$home/config" "config file"
    mode_is "$home/config" 644
    contains "$tmp/out" "What is the port for the vip address? [22916]: $port"
    contains "$tmp/out" "Finished configuration!"
    contains "$tmp/out" "the config file is at $home/config"
    lacks "$tmp/out" "Your VOLTTRON_HOME"
    [ -e "$home/VOLTTRON_PID" ] && bad "a platform is running"
    [ -e "$home/volttron.cfg.log" ] && bad "a platform was started"
    ls "$home" >"$tmp/files"
    printf 'config\n' >"$tmp/want"
    same "$tmp/want" "$tmp/files" "nothing but the config file in the home"

    # Again over the file just written: the same answers give the same file.
    cp "$home/config" "$tmp/first"
    run --allow-root --non-interactive --vip-port "$port"
    expect_rc 0
    same "$tmp/first" "$home/config" "rerun with the defaults from the file"
}

case_unattended_web_vc() {
    local port
    port=$(free_port)
    run --allow-root --vhome "$home" --yes --message-bus zmq --vip-address tcp://127.0.0.1/ \
        --vip-port "$port" --instance-name "north wing" --web-protocol http --web-port 9080 \
        --vc-address https://vc.example.com:9443 --no-install-historian --no-install-driver \
        --no-install-listener </dev/null
    expect_rc 0
    printf '[volttron]\nmessage-bus = zmq\nvip-address = tcp://127.0.0.1:%s\ninstance-name = "north wing"\nbind-web-address = http://%s:9080\nvolttron-central-address = https://vc.example.com:9443\n\n' \
        "$port" "$(uname -n)" >"$tmp/want"
    same "$tmp/want" "$home/config" "config file with web and volttron central"
    contains "$tmp/out" "Web address set to: http://$(uname -n)"
    contains "$tmp/out" "no web server yet"
}

# Typed answers, wrong ones included: the whole transcript.
case_interactive() {
    local port host
    port=$(free_port)
    host=$(uname -n)
    mkdir -p "$home"
    printf 'maybe\ny\nrmq\nfoo\n\ntcp//x\n\n0\n70000\n%s\nbldg\nx\ny\nftp\nhttp\n\ny\nhttps://vc.example.com/\n9443\nn\nN\n\n' \
        "$port" >"$tmp/in"
    run --allow-root <"$tmp/in"
    expect_rc 0
    cat >"$tmp/want" <<EOF

Your VOLTTRON_HOME currently set to: $home

Is this the volttron you are attempting to setup? [Y]: Invalid response. Proper responses are:
('Y', 'y', 'N', 'n')

Is this the volttron you are attempting to setup? [Y]: What type of message bus (rmq/zmq)? [zmq]: RabbitMQ is not available in this build.
What type of message bus (rmq/zmq)? [zmq]: Message type is not valid. Valid entries are zmq or rmq.
What type of message bus (rmq/zmq)? [zmq]: What is the vip address? [tcp://127.0.0.1]: Address is not valid.
What is the vip address? [tcp://127.0.0.1]: What is the port for the vip address? [22916]: Port is not valid.
What is the port for the vip address? [22916]: Port is not valid.
What is the port for the vip address? [22916]: What is the name of this instance? [volttron1]: Is this instance web enabled? [N]: Invalid response. Proper responses are:
('Y', 'y', 'N', 'n')
Is this instance web enabled? [N]: What is the protocol for this instance? [https]: Protocol is not valid. Valid entries are https or http.
What is the protocol for this instance? [https]: Web address set to: http://$host
What is the port for this instance? [8080]: This build's platform has no web server yet: bind-web-address is recorded for when it has one, and no web certificate is set up.
Will this instance be controlled by volttron central? [N]: What is the hostname for volttron central? [http://$host]: What is the port for volttron central? [8080]: The VolttronCentralPlatform agent is not part of this build: only volttron-central-address is recorded.
Would you like to install a platform historian? [N]: Would you like to install a platform driver? [N]: Would you like to install a listener agent? [N]: Finished configuration!

You can now start the volttron instance.

If you need to change the instance configuration you can edit
the config file is at $home/config

EOF
    same "$tmp/want" "$tmp/out" "transcript"
    printf '[volttron]\nmessage-bus = zmq\nvip-address = tcp://127.0.0.1:%s\ninstance-name = "bldg"\nbind-web-address = http://%s:8080\nvolttron-central-address = https://vc.example.com:9443\n\n' \
        "$port" "$host" >"$tmp/want"
    same "$tmp/want" "$home/config" "config file"
    mode_is "$home/config" 644
    [ -s "$tmp/err" ] && bad "stderr: $(cat "$tmp/err")"

    # Declining the home: advice, exit 1, nothing written.
    rm -rf "$home"
    printf 'n\n' >"$tmp/in"
    run --allow-root <"$tmp/in"
    expect_rc 1
    contains "$tmp/out" "Is this the volttron you are attempting to setup? [Y]: "
    contains "$tmp/out" "--vhome"
    [ -e "$home" ] && bad "the home was created"

    # The end of the input: an error, nothing written.
    printf 'y\n\n' >"$tmp/in"
    run --allow-root <"$tmp/in"
    expect_rc 1
    contains "$tmp/err" 'end of input while waiting for an answer to "What is the vip address?"'
    [ -e "$home/config" ] && bad "a config file was written"
}

# The address is in use: asked again (address, then port); with fixed
# answers an error.
case_port_in_use() {
    local port
    hold_port
    port=$(free_port)
    printf '\n\n%s\n\n%s\n\n\n\n\n\n\n' "$held_port" "$port" >"$tmp/in"
    run --allow-root --vhome "$home" <"$tmp/in"
    expect_rc 0
    cat >"$tmp/want" <<EOF
What type of message bus (rmq/zmq)? [zmq]: What is the vip address? [tcp://127.0.0.1]: What is the port for the vip address? [22916]: 
ERROR: That address has already been bound to.
What is the vip address? [tcp://127.0.0.1]: What is the port for the vip address? [$held_port]: What is the name of this instance? [volttron1]: Is this instance web enabled? [N]: Will this instance be controlled by volttron central? [N]: Would you like to install a platform historian? [N]: Would you like to install a platform driver? [N]: Would you like to install a listener agent? [N]: Finished configuration!
EOF
    head -n 3 "$tmp/out" >"$tmp/got"
    same "$tmp/want" "$tmp/got" "re-asked after the bind failure"
    contains "$home/config" "vip-address = tcp://127.0.0.1:$port"

    rm -rf "$home"
    run --allow-root --vhome "$home" --yes --vip-port "$held_port" </dev/null
    expect_rc 1
    contains "$tmp/out" "ERROR: That address has already been bound to."
    contains "$tmp/err" "tcp://127.0.0.1:$held_port is in use"
    [ -e "$home/config" ] && bad "a config file was written"
}

# Invalid answers given as options are errors, not questions.
case_bad_options() {
    run --allow-root --vhome "$home" --yes --message-bus rmq </dev/null
    expect_rc 1
    contains "$tmp/err" "RabbitMQ is not available in this build."
    run --allow-root --vhome "$home" --yes --vip-address 127.0.0.1 </dev/null
    expect_rc 1
    contains "$tmp/err" "Address is not valid."
    run --allow-root --vhome "$home" --yes --vip-address tcp://127.0.0.1:22916 </dev/null
    expect_rc 1
    contains "$tmp/err" "Address is not valid."
    run --allow-root --vhome "$home" --yes --vip-port 65535 </dev/null
    expect_rc 1
    contains "$tmp/err" "Port is not valid."
    run --allow-root --vhome "$home" --yes --vip-port "$(free_port)" --web-protocol gopher </dev/null
    expect_rc 1
    contains "$tmp/err" "Protocol is not valid."
    run --allow-root --vhome "$home" --yes --vip-port "$(free_port)" --vc-address vc.example.com \
        </dev/null
    expect_rc 1
    contains "$tmp/err" "Address is not valid."
    run --allow-root --vhome "$home" --yes --vip-port "$(free_port)" --instance-name 'a"b' </dev/null
    expect_rc 1
    contains "$tmp/err" "Instance name is not valid"
    [ -e "$home/config" ] && bad "a config file was written"
}

# An existing file: its keys keep their order and values, other sections
# and its mode stay; keys before any header move into [volttron].
case_preserve() {
    local port
    port=$(free_port)
    mkdir -p "$home"
    cat >"$home/config" <<EOF
[volttron]
# a comment (ConfigParser drops it too)
vip-address = tcp://127.0.0.1:1111
bind-web-address = https://old.example.com:8443
my-custom-key = keep me
instance-name = oldname

[global]
timeout = 30
EOF
    chmod 600 "$home/config"
    run --allow-root --vhome "$home" --yes --vip-port "$port" </dev/null
    expect_rc 0
    contains "$tmp/out" "What is the name of this instance? [oldname]: oldname"
    printf '[volttron]\nvip-address = tcp://127.0.0.1:%s\nbind-web-address = https://old.example.com:8443\nmy-custom-key = keep me\ninstance-name = "oldname"\nmessage-bus = zmq\n\n[global]\ntimeout = 30\n\n' \
        "$port" >"$tmp/want"
    same "$tmp/want" "$home/config" "existing keys kept in order"
    mode_is "$home/config" 600

    # Web enabled again: defaults from the stored address.
    run --allow-root --vhome "$home" --yes --vip-port "$port" --web </dev/null
    expect_rc 0
    contains "$tmp/out" "What is the protocol for this instance? [https]: https"
    contains "$tmp/out" "Web address set to: https://old.example.com"
    contains "$tmp/out" "What is the port for this instance? [8443]: 8443"
    contains "$home/config" "bind-web-address = https://old.example.com:8443"

    # Keys before the header.
    printf 'instance-name = early\nverboseness = 20\n[volttron]\nmessage-bus = zmq\n' >"$home/config"
    run --allow-root --vhome "$home" --yes --vip-port "$port" </dev/null
    expect_rc 0
    printf '[volttron]\ninstance-name = "early"\nverboseness = 20\nmessage-bus = zmq\nvip-address = tcp://127.0.0.1:%s\n\n' \
        "$port" >"$tmp/want"
    same "$tmp/want" "$home/config" "keys before the header adopted"
}

# A file that cannot be parsed: an error naming it, the file untouched.
case_broken() {
    mkdir -p "$home"
    printf '[volttron\nmessage-bus = zmq\n' >"$home/config"
    chmod 640 "$home/config"
    cp -p "$home/config" "$tmp/orig"
    run --allow-root --vhome "$home" --yes --vip-port "$(free_port)" </dev/null
    expect_rc 1
    contains "$tmp/err" "vcfg: error: $home/config:1:"
    same "$tmp/orig" "$home/config" "broken file untouched"
    mode_is "$home/config" 640
    lacks "$tmp/out" "What type of message bus"
}

# Agents chosen but no vctl: the file is written, the failure reported.
case_no_vctl() {
    local port
    port=$(free_port)
    mkdir -p "$tmp/bin"   # an empty PATH: no vctl, no volttron
    PATH=$tmp/bin run --allow-root --vhome "$home" --yes --vip-port "$port" --install-listener \
        --autostart </dev/null
    expect_rc 1
    contains "$tmp/out" "Would you like to install a listener agent? [N]: Y"
    contains "$tmp/out" "Configuring listeneragent."
    contains "$tmp/out" "Should the agent autostart? [N]: Y"
    contains "$tmp/err" "cannot find the vctl program"
    contains "$tmp/out" "Finished configuration!"
    contains "$home/config" "vip-address = tcp://127.0.0.1:$port"

    # --agent: only that agent's questions, the config file still written.
    rm -rf "$home"
    printf 'y\nn\n' >"$tmp/in"
    PATH=$tmp/bin run --allow-root --vhome "$home" --agent platform_driver --instance-name solo \
        <"$tmp/in"
    expect_rc 1
    printf 'Configuring platformdriver.\nWould you like to install a fake device on the platform driver? [N]: Should the agent autostart? [N]: ' \
        >"$tmp/want"
    same "$tmp/want" "$tmp/out" "--agent questions"
    printf '[volttron]\ninstance-name = "solo"\n\n' >"$tmp/want"
    same "$tmp/want" "$home/config" "--agent config file"
}

# Installing through vctl into a platform vcfg starts and stops. The
# historian package does not exist (yet): its install fails, vcfg says so,
# goes on, and stops the platform. The platform driver (with vcfg's fake
# device in its config store) and the listener — the built packages, found by
# the platform through VOLTTRON_AGENT_PATH — are installed and enabled.
case_install() {
    local port
    port=$(free_port)
    export VOLTTRON_AGENT_PATH
    VOLTTRON_AGENT_PATH=$(dirname "$(dirname "$VT_LISTENER")")
    PATH="$(dirname "$VT_VCTL"):$(dirname "$VT_VOLTTRON"):$PATH" \
        run --allow-root --vhome "$home" --yes --vip-port "$port" --install-historian \
        --install-driver --fake-device --install-listener --autostart </dev/null
    expect_rc 1
    contains "$tmp/out" "Starting the platform (log: $home/volttron.cfg.log)."
    contains "$tmp/out" "Installing sqlitehistorian as platform_historian."
    contains "$tmp/out" "platform_historian not installed correctly!"
    contains "$tmp/out" "Installing platformdriver as platform_driver."
    lacks "$tmp/out" "platform_driver not installed correctly!"
    contains "$tmp/out" "Installing listeneragent as listener."
    lacks "$tmp/out" "listener not installed correctly!"
    lacks "$tmp/out" "not enabled for autostart"
    contains "$tmp/out" "Stopping the platform."
    contains "$tmp/out" "Finished configuration!"
    contains "$tmp/err" 'no agent package called "sqlitehistorian"'
    lacks "$tmp/err" 'no agent package called "platformdriver"'
    lacks "$tmp/err" "warning"
    # the driver and its fake device: installed, enabled, configured
    [ -e "$home/agents/platform.driver/AUTOSTART" ] && ok "platform driver enabled" ||
        bad "platform driver not enabled"
    contains "$home/configuration_store/platform.driver.store" "fake.csv"
    contains "$home/configuration_store/platform.driver.store" \
        "devices/fake-campus/fake-building/fake-device"
    [ -e "$home/VOLTTRON_PID" ] && bad "the platform is still running"
    [ -s "$home/volttron.cfg.log" ] || bad "no platform log"
    if pgrep -f -- "-l $home/volttron.cfg.log" >/dev/null; then
        bad "a platform process is left"
    fi
    contains "$home/config" "vip-address = tcp://127.0.0.1:$port"
    # The daemon read the quoted name without its quotes, and left the file.
    contains "$home/volttron.cfg.log" "platform volttron1 started"
    contains "$home/config" 'instance-name = "volttron1"'

    # The listener instance: tagged, enabled, with vcfg's configuration.
    local tagfile dir
    tagfile=$(grep -lx listener "$home"/agents/*/TAG 2>/dev/null | head -n 1)
    if [ -z "$tagfile" ]; then
        bad "no agent tagged listener in $home/agents"
        ls -R "$home/agents"
        return
    fi
    dir=$(dirname "$tagfile")
    ok "listener installed as $(basename "$dir")"
    [ -e "$dir/AUTOSTART" ] && ok "listener enabled" || bad "listener not enabled"
    contains "$dir/config" '"agentid"'
    contains "$dir/config" '"listener1"'
}

# A platform already running: --agent asks before installing into it and
# leaves it running; the wizard accepts the vip address the platform holds.
case_install_running() {
    local port pid
    port=$(free_port)
    export VOLTTRON_AGENT_PATH
    VOLTTRON_AGENT_PATH=$(dirname "$(dirname "$VT_LISTENER")")
    run --allow-root --vhome "$home" --yes --vip-port "$port" </dev/null
    expect_rc 0
    "$VT_VOLTTRON" --allow-root -l "$tmp/platform.log" >/dev/null 2>&1 &
    platform=$!
    for _ in $(seq 100); do
        [ -s "$home/VOLTTRON_PID" ] && break
        sleep 0.1
    done
    [ -s "$home/VOLTTRON_PID" ] || { bad "the platform did not start"; cat "$tmp/platform.log"; }

    printf 'n\n' >"$tmp/in"
    PATH="$(dirname "$VT_VCTL"):$PATH" run --allow-root --vhome "$home" --agent listener <"$tmp/in"
    expect_rc 1
    contains "$tmp/out" "The VOLTTRON Instance is currently running. Installing agents to an active instance may overwrite currently installed and active agents on the platform, causing undesirable behavior. Would you like to continue? [Y]: "
    contains "$tmp/out" "vctl shutdown --platform"
    lacks "$tmp/out" "Configuring"

    printf '\nn\n' >"$tmp/in"
    PATH="$(dirname "$VT_VCTL"):$PATH" run --allow-root --vhome "$home" --agent listener <"$tmp/in"
    expect_rc 0
    contains "$tmp/out" "Installing listeneragent as listener."
    lacks "$tmp/out" "Starting the platform"
    lacks "$tmp/out" "Stopping the platform"
    grep -qx listener "$home"/agents/*/TAG && ok "listener installed" || bad "no listener"
    kill -0 "$platform" 2>/dev/null && ok "platform still running" || bad "platform stopped"

    run --allow-root --vhome "$home" --yes </dev/null
    expect_rc 0
    lacks "$tmp/out" "ERROR"
    contains "$home/config" "vip-address = tcp://127.0.0.1:$port"

    "$VT_VCTL" --allow-root shutdown --platform >/dev/null 2>&1
    for _ in $(seq 100); do
        kill -0 "$platform" 2>/dev/null || break
        sleep 0.1
    done
    kill "$platform" 2>/dev/null && bad "the platform needed a SIGTERM"
    wait "$platform" 2>/dev/null
    platform=
}

case "$case_name" in
help) case_help ;;
version) case_version ;;
root) case_root ;;
list-agents) case_list_agents ;;
unknown-agent) case_unknown_agent ;;
unattended) case_unattended ;;
unattended-web-vc) case_unattended_web_vc ;;
interactive) case_interactive ;;
port-in-use) case_port_in_use ;;
bad-options) case_bad_options ;;
preserve) case_preserve ;;
broken) case_broken ;;
no-vctl) case_no_vctl ;;
install) case_install ;;
install-running) case_install_running ;;
*) echo "unknown case $case_name"; exit 2 ;;
esac
exit $fail
