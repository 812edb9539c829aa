#!/usr/bin/env bash
# vctl auth and vctl rpc against a real platform (spec vctl-vcfg.md Part A,
# "auth" and "rpc"): outputs compared exactly, auth.json checked after each
# change, every bad input refused with a non-zero exit and one line on
# stderr.
# Usage: test_vctl_auth.sh VOLTTRON VCTL TEST_AGENT PYTHON HELPER
# (PYTHON: a python3 with the zmq module; HELPER: vctl_helper.py)
set -euo pipefail
volttron=$1 vctl_bin=$2 agent_bin=$3 py=$4 helper=$5

tmp=$(mktemp -d /tmp/test-vctl-auth.XXXXXX)
home=$tmp/home
mkdir -p "$home"
export VOLTTRON_HOME=$home
unset VOLTTRON_VIP_ADDR SKIP_VOLTTRON_CONFIG || true
platform_pid=
agent_pid=
drain_pid=
failures=0

cleanup() {
    set +e
    if [ -n "$agent_pid" ]; then
        kill "$agent_pid" 2>/dev/null
        wait "$agent_pid" 2>/dev/null
    fi
    [ -n "$drain_pid" ] && wait "$drain_pid" 2>/dev/null
    if [ -n "$platform_pid" ] && kill "$platform_pid" 2>/dev/null; then
        # not our child (the helper started it): wait for it to go
        timeout 20 tail --pid="$platform_pid" -f /dev/null || kill -9 "$platform_pid" 2>/dev/null
    fi
    if [ "$failures" -ne 0 ] && [ -f "$home/volttron.log" ]; then
        echo "--- volttron.log (last 30 lines)"
        tail -n 30 "$home/volttron.log"
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

bad() {
    echo "FAIL: $*"
    echo "  exit $rc"
    echo "  --- stdout"; sed 's/^/  /' "$tmp/out"
    echo "  --- stderr"; sed 's/^/  /' "$tmp/err"
    failures=$((failures + 1))
}
ok() { echo "ok   $*"; }

# run CMD... (stdin from $input if set): $out, $err, $rc
run() {
    set +e
    if [ -n "${input+x}" ]; then
        printf '%s' "$input" | "$@" >"$tmp/out" 2>"$tmp/err"
    else
        "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
    fi
    rc=$?
    set -e
    out=$(cat "$tmp/out")
    err=$(cat "$tmp/err")
}
vctl() { "$vctl_bin" --allow-root "$@"; }

# expect NAME RC [STDOUT [STDERR]]: exact comparisons ("-" skips one)
expect() {
    local name=$1 want_rc=$2
    if [ "$rc" -ne "$want_rc" ]; then
        bad "$name: exit $rc, wanted $want_rc"
        return
    fi
    if [ $# -ge 3 ] && [ "$3" != "-" ] && [ "$out" != "$3" ]; then
        bad "$name: stdout differs; wanted:"$'\n'"$3"
        return
    fi
    if [ $# -ge 4 ] && [ "$4" != "-" ] && [ "$err" != "$4" ]; then
        bad "$name: stderr differs; wanted:"$'\n'"$4"
        return
    fi
    ok "$name"
}

# refused NAME RC: a non-zero exit with exactly one line on stderr
refused() {
    local name=$1 want_rc=$2
    if [ "$rc" -ne "$want_rc" ]; then
        bad "$name: exit $rc, wanted $want_rc"
    elif [ -z "$err" ] || [ "$(printf '%s\n' "$err" | wc -l)" -ne 1 ]; then
        bad "$name: wanted one line on stderr"
    else
        ok "$name ($err)"
    fi
}

# contains NAME TEXT: stdout has the line TEXT
contains() {
    if printf '%s\n' "$out" | grep -qxF -- "$2"; then ok "$1"; else bad "$1: no line \"$2\""; fi
}
lacks() {
    if printf '%s\n' "$out" | grep -qxF -- "$2"; then bad "$1: line \"$2\" present"; else ok "$1"; fi
}

# check NAME PYTHON-EXPR WANTED: the expression over auth.json (as d)
check() {
    local got
    got=$("$py" "$helper" json "$home/auth.json" "$2")
    if [ "$got" = "$3" ]; then
        ok "$1"
    else
        echo "FAIL: $1: auth.json has"
        echo "  $got"
        echo "  wanted"
        echo "  $3"
        failures=$((failures + 1))
    fi
}

key_of() { "$py" -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

not_running="VOLTTRON is not running. This command requires VOLTTRON platform to be running"

# ---------------------------------------------------------------- no platform

run vctl auth keypair
expect "keypair exits 0" 0
if printf '%s\n' "$out" | grep -Eq '^  "public": "[A-Za-z0-9_-]{43}",$' &&
   printf '%s\n' "$out" | grep -Eq '^  "secret": "[A-Za-z0-9_-]{43}"$' &&
   [ "$(printf '%s\n' "$out" | head -1)" = "{" ] && [ "$(printf '%s\n' "$out" | tail -1)" = "}" ] &&
   [ "$(printf '%s\n' "$out" | wc -l)" -eq 4 ]; then
    ok "keypair: json.dumps({public, secret}, indent=2)"
else
    bad "keypair: not the expected JSON shape"
fi
pub1=$(printf '%s' "$out" | key_of public)
sec1=$(printf '%s' "$out" | key_of secret)
run vctl auth keypair
pub2=$(printf '%s' "$out" | key_of public)
[ "$pub1" != "$pub2" ] && ok "keypair: a new pair each time" || bad "keypair: same pair twice"

run vctl auth list
expect "auth list without a platform" 10 "" "$not_running"
run vctl auth serverkey
expect "auth serverkey without a platform: exit 1" 1 "" "$not_running"
run vctl auth remote list
expect "auth remote list without a platform" 10 "" "$not_running"
run vctl rpc list
expect "rpc list without a platform" 10 "" "$not_running"
run vctl auth list-known-hosts
expect "list-known-hosts, no file" 0 "No entries in $home/known_hosts"
run vctl auth publickey
expect "publickey, no agents" 0 "" "No installed Agents found"
run vctl --json auth publickey
expect "publickey --json, no agents" 0 "{}"

run vctl auth
refused "auth without a subcommand" 2
run vctl auth frobnicate
refused "auth unknown subcommand" 2
run vctl auth keypair extra
refused "keypair with an argument" 2
run vctl auth add --bogus
refused "auth add unknown option" 2
run vctl auth remote
refused "auth remote without a subcommand" 2
run vctl auth rpc frob
refused "auth rpc unknown subcommand" 2

# ------------------------------------------------------------------ platform

port=$("$py" "$helper" free-port)
address=tcp://127.0.0.1:$port
platform_pid=$("$py" "$helper" start-platform "$volttron" "$address" "$home/volttron.log")
[ -f "$home/VOLTTRON_PID" ] && ok "platform ready (pid $platform_pid)" || bad "no VOLTTRON_PID"
serverkey=$(key_of public <"$home/keystore")

# ---- serverkey, known hosts

run vctl auth serverkey
expect "serverkey is the key store's public key" 0 "$serverkey"

run vctl auth list-known-hosts
expect "list-known-hosts" 0 "HOST             CURVE KEY
----             ---------
127.0.0.1:$port  $serverkey
@                $serverkey"

run vctl auth add-known-host --host tcp://10.0.0.9:22916 --serverkey "$pub1"
expect "add-known-host" 0 "server key written to $home/known_hosts"
run vctl auth add-known-host --serverkey "$pub1" --host 192.168.1.20:22916
expect "add-known-host without a scheme" 0 "server key written to $home/known_hosts"
if "$py" - "$home/known_hosts" "$pub1" <<'EOF'
import json, sys
text = open(sys.argv[1]).read()
d = json.loads(text)
assert d["10.0.0.9:22916"] == sys.argv[2] and d["192.168.1.20:22916"] == sys.argv[2], d
assert text == json.dumps(d, indent=4), "not 4-space indented"
EOF
then ok "known_hosts: host -> key, 4-space indent"; else bad "known_hosts content"; fi
run vctl auth list-known-hosts
expect "list-known-hosts sorted by host" 0 "HOST                CURVE KEY
----                ---------
10.0.0.9:22916      $pub1
127.0.0.1:$port     $serverkey
192.168.1.20:22916  $pub1
@                   $serverkey"
run vctl auth remove-known-host 10.0.0.9:22916
expect "remove-known-host" 0 "host \"10.0.0.9:22916\" removed from $home/known_hosts"
run vctl auth remove-known-host tcp://192.168.1.20:22916
expect "remove-known-host by address" 0 \
    "host \"tcp://192.168.1.20:22916\" removed from $home/known_hosts"
run vctl auth remove-known-host 10.0.0.9:22916
refused "remove-known-host of an unknown host" 1
run vctl auth add-known-host --host 10.0.0.9:1
refused "add-known-host without --serverkey" 2
run vctl auth add-known-host --host 10.0.0.9:1 --serverkey nonsense
refused "add-known-host with a bad key" 2
run vctl auth remove-known-host
refused "remove-known-host without HOST" 2

# ---- entries: add, list

run vctl auth list
expect "auth list" 0
printf '%s\n' "$out" >"$tmp/list"
if "$py" "$helper" auth-list "$tmp/list" >"$tmp/entries"; then
    ok "auth list: INDEX blocks of json.dumps(indent=2)"
else
    bad "auth list format"
fi
n0=$("$py" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$tmp/entries")

run vctl auth add --user_id agent-a --credentials "$pub1" --capabilities can_x,can_y \
    --roles r1 --comments hello
expect "auth add (flags)" 0 "added entry {'credentials': '$pub1', 'user_id': 'agent-a', \
'identity': 'agent-a', 'roles': ['r1'], 'capabilities': ['can_x', 'can_y'], \
'comments': 'hello', 'enabled': True}"
run vctl auth list
printf '%s\n' "$out" >"$tmp/list"
"$py" "$helper" auth-list "$tmp/list" >"$tmp/entries" || bad "auth list format after add"
if [ "$(printf '%s\n' "$out" | grep -c '^INDEX: ')" -eq $((n0 + 1)) ] &&
   printf '%s\n' "$out" | grep -qx "INDEX: $n0"; then
    ok "auth list shows the new entry as INDEX: $n0"
else
    bad "auth list: no INDEX: $n0"
fi
check "entry a in auth.json" \
    "[(e['identity'], e['roles'], e['capabilities'], e['comments'], e['enabled']) \
for e in d['allow'] if e['user_id'] == 'agent-a']" \
    "[('agent-a', ['r1'], {'can_x': None, 'can_y': None}, 'hello', True)]"

# our choice: identity from --identity when given (VOLTTRON takes --user_id)
run vctl auth add --user_id user-b --identity agent-b --credentials "$pub2" --disabled \
    --capabilities "{'edit_config_store': {'identity': 'agent-b'}}"
expect "auth add --identity --disabled" 0 "added entry {'credentials': '$pub2', \
'user_id': 'user-b', 'identity': 'agent-b', \
'capabilities': {'edit_config_store': {'identity': 'agent-b'}}, 'enabled': False}"
check "entry b: identity, JSON capabilities, disabled" \
    "[(e['identity'], e['capabilities'], e['enabled']) for e in d['allow'] if e['user_id'] == 'user-b']" \
    "[('agent-b', {'edit_config_store': {'identity': 'agent-b'}}, False)]"
ib=$((n0 + 1))

run vctl auth add --user_id agent-a --credentials "$pub1"
refused "auth add of an existing user_id" 20
run vctl auth add --user_id shorty --credentials abc
refused "auth add with a short CURVE key" 20
run vctl auth add --user_id x --credentials "$pub1" stray
refused "auth add with an operand" 2
run vctl auth add --add-known-host --user_id kh --credentials "$pub1"
refused "auth add --add-known-host without --address" 2

# ---- update with the wizard

# domain, address, user_id, identity kept; capabilities cleared; roles given;
# groups kept; a bad mechanism, then CURVE; credentials kept; comments given;
# a bad enabled, then false
input=$'\n\n\n\nclear\ny\nra, rb\n\nBOGUS\nCURVE\n\nchanged\nmaybe\nfalse\n' \
    run vctl auth update "$ib"
caps_default="{'edit_config_store': {'identity': 'agent-b'}}"
expect "auth update (wizard)" 0 "(For any field type \"clear\" to clear the value.)
domain []: address []: user_id [user-b]: identity [agent-b]: \
capabilities (delimit multiple entries with comma) [$caps_default]: \
Do you want to clear this field? [Y/n] \
roles (delimit multiple entries with comma) []: \
groups (delimit multiple entries with comma) []: \
mechanism [CURVE]: mechanism [CURVE]: credentials [$pub2]: comments []: \
enabled [False]: enabled [False]: updated entry at index $ib" \
    "mechanism must be either \"NULL\", \"PLAIN\" or \"CURVE\"
Please enter True or False"
check "updated entry in auth.json" \
    "[(e['user_id'], e['identity'], e['capabilities'], e['roles'], e['groups'], e['comments'], \
e['enabled'], e['credentials'] == '$pub2') for e in d['allow'] if e['user_id'] == 'user-b']" \
    "[('user-b', 'agent-b', {}, ['ra', 'rb'], [], 'changed', False, True)]"

input=$'\n\n\n\n\n\n\n\nshort\n' run vctl auth update "$ib"
if [ "$rc" -eq 1 ] &&
   printf '%s\n' "$out" | grep -qF "credentials [$pub2]: credentials [$pub2]: " &&
   [ "$(printf '%s\n' "$err" | head -1)" = "Invalid CURVE public key (expected 43 characters)" ] &&
   [ "$(printf '%s\n' "$err" | sed -n 2p)" = "auth: error: update: entry not changed (end of input)" ]
then
    ok "auth update: a bad key asked again; end of input changes nothing"
else
    bad "auth update: bad credentials, then end of input"
fi
run vctl auth update 999
expect "auth update of a bad index" 1 "" "ERROR: invalid index 999"
run vctl auth update -1
expect "auth update of a negative index" 1 "" "ERROR: invalid index -1"
run vctl auth update one
refused "auth update of a non-integer" 2
run vctl auth update
refused "auth update without INDEX" 2

# ---- add with the wizard

kp3=$(vctl auth keypair)
pub3=$(printf '%s' "$kp3" | key_of public)
input=$'\n\nagent-c\n\ncan_z\n\ng1\nCURVE\n'"$pub3"$'\nby wizard\n\n' run vctl auth add
expect "auth add (wizard)" 0 "domain []: address []: user_id []: identity []: \
capabilities (delimit multiple entries with comma) []: \
roles (delimit multiple entries with comma) []: \
groups (delimit multiple entries with comma) []: \
mechanism [CURVE]: credentials []: comments []: enabled [True]: \
added entry {'domain': None, 'address': None, 'user_id': 'agent-c', 'identity': None, \
'capabilities': ['can_z'], 'roles': [], 'groups': ['g1'], 'mechanism': 'CURVE', \
'credentials': '$pub3', 'comments': 'by wizard', 'enabled': True}"
check "wizard entry in auth.json" \
    "[(e['capabilities'], e['groups'], e['comments']) for e in d['allow'] if e['user_id'] == 'agent-c']" \
    "[({'can_z': None}, ['g1'], 'by wizard')]"

# ---- remove

count() { "$py" "$helper" json "$home/auth.json" "len(d['allow'])"; }
before=$(count)
input=$'n\n' run vctl auth remove "$ib"
if [ "$rc" -eq 0 ] && [ "$(count)" -eq "$before" ] &&
   [ "$(printf '%s\n' "$out" | head -1)" = 'This action will delete the following:' ] &&
   [ "$(printf '%s\n' "$out" | sed -n 3p)" = "INDEX: $ib" ] &&
   [ "$(printf '%s\n' "$out" | tail -1)" = "Do you wish to delete? [Y/n] " ]; then
    ok "auth remove: shows the entry, declined, nothing removed"
else
    bad "auth remove declined"
fi
input=$'perhaps\ny\n' run vctl auth remove "$ib"
if [ "$rc" -eq 0 ] && [ "$(count)" -eq $((before - 1)) ] &&
   [ "$(printf '%s\n' "$out" | tail -1)" = \
     "Do you wish to delete? [Y/n] Do you wish to delete? [Y/n] removed entry at index [$ib]" ] &&
   [ "$err" = "Please respond with 'yes' or 'no'" ]; then
    ok "auth remove: asked again, confirmed, removed"
else
    bad "auth remove confirmed"
fi
check "removed entry gone" "[e for e in d['allow'] if e['user_id'] == 'user-b']" "[]"

kp4=$(vctl auth keypair); pub4=$(printf '%s' "$kp4" | key_of public)
run vctl auth add --user_id agent-d --credentials "$pub4"
expect "auth add d" 0
n=$(count)
run vctl auth remove -y $((n - 1)) $((n - 2))
if [ "$rc" -eq 0 ] && [ "$(printf '%s\n' "$out" | tail -1)" = \
     "removed entries at indices [$((n - 1)), $((n - 2))]" ] && [ "$(count)" -eq $((n - 2)) ]; then
    ok "auth remove -y: two entries, no question"
else
    bad "auth remove -y"
fi
check "c and d gone" "[e for e in d['allow'] if e['user_id'] in ('agent-c', 'agent-d')]" "[]"
input=$'y\n' run vctl auth remove 0 999
expect "auth remove of a bad index" 1 "" "ERROR: invalid index 999"
run vctl auth remove
refused "auth remove without INDEX" 2
run vctl auth remove x
refused "auth remove of a non-integer" 2
run vctl auth remove 0
refused "auth remove: end of input at the question" 1

# ---- roles and groups

run vctl auth add-role admin can_b can_a can_b
expect "add-role" 0 'added role "admin"'
run vctl auth add-role admin x
expect "add-role of an existing role" 1 "" 'role "admin" already exists'
run vctl auth add-role operator
expect "add-role without capabilities" 0 'added role "operator"'
run vctl auth list-roles
expect "list-roles" 0 "ROLE      CAPABILITIES
----      ------------
admin     ['can_a', 'can_b']
operator  []"
run vctl auth update-role admin can_c
expect "update-role" 0 'updated role "admin"'
run vctl auth update-role --remove admin can_a
expect "update-role --remove" 0 'updated role "admin"'
check "roles in auth.json" "d['roles']" "{'admin': ['can_b', 'can_c'], 'operator': []}"
run vctl auth update-role nope can_a
expect "update-role of an unknown role" 1 "" 'role "nope" does not exist'
run vctl auth remove-role operator
expect "remove-role" 0 'removed role "operator"'
run vctl auth remove-role operator
expect "remove-role of an unknown role" 1 "" 'role "operator" does not exist'
run vctl auth add-role
refused "add-role without ROLE" 2
run vctl auth remove-role a b
refused "remove-role with two names" 2
run vctl auth add-role --remove x
refused "add-role --remove" 2

run vctl auth add-group staff admin operator
expect "add-group" 0 'added group "staff"'
run vctl auth add-group ops
expect "add-group without roles" 0 'added group "ops"'
run vctl auth list-groups
expect "list-groups" 0 "GROUPS  ROLES
------  -----
ops     []
staff   ['admin', 'operator']"
run vctl auth update-group staff --remove operator
expect "update-group --remove" 0 'updated group "staff"'
run vctl auth update-group ops admin
expect "update-group" 0 'updated group "ops"'
check "groups in auth.json" "d['groups']" "{'staff': ['admin'], 'ops': ['admin']}"
run vctl auth add-group staff
expect "add-group of an existing group" 1 "" 'group "staff" already exists'
run vctl auth remove-group staff
expect "remove-group" 0 'removed group "staff"'
run vctl auth remove-group ops
run vctl auth list-groups
expect "list-groups, none" 0 "GROUPS  ROLES
------  -----"
run vctl auth update-group
refused "update-group without GROUP" 2

# ---- remote: a key the platform refused

run vctl auth remote list
expect "remote list, nothing" 0 "No remote certificates or credentials"
refused_key=$("$py" "$helper" refuse "$address" "$serverkey")
run vctl auth remote list
user=$(printf '%s\n' "$out" | awk 'NR == 1 {print $1}')
w=${#user}
expect "remote list: the refused key is pending" 0 \
    "$(printf '%-*s %-9s %-7s' "$w" "$user" 127.0.0.1 PENDING)" \
    "$(printf '%-*s %-9s %-7s' "$w" USER_ID ADDRESS STATUS)"
run vctl auth remote list --status approved
expect "remote list --status approved, none" 0 "No approved remote certificates or credentials"
run vctl auth remote approve "$user"
expect "remote approve" 0 ""
run vctl auth remote list --status approved
expect "remote list: approved" 0 "$(printf '%-*s %-9s %-8s' "$w" "$user" 127.0.0.1 APPROVED)"
check "approved key in the allow list" \
    "[(e['user_id'], e['address']) for e in d['allow'] if e['credentials'] == '$refused_key']" \
    "[('$user', '127.0.0.1')]"
refused_key2=$("$py" "$helper" refuse "$address" "$serverkey")
run vctl auth remote list --status pending
user2=$(printf '%s\n' "$out" | awk 'NR == 1 {print $1}')
run vctl auth remote deny "$user2"
expect "remote deny" 0 ""
run vctl auth remote list
contains "remote list: approved row" "$(printf '%-*s %-9s %-8s' "$w" "$user" 127.0.0.1 APPROVED)"
contains "remote list: denied row" "$(printf '%-*s %-9s %-8s' "$w" "$user2" 127.0.0.1 DENIED)"
check "denied key in the deny list" \
    "[e['user_id'] for e in d['deny'] if e['credentials'] == '$refused_key2']" "['$user2']"
run vctl auth remote approve no-such-user
refused "remote approve of an unknown user" 20
run vctl auth remote delete no-such-user
refused "remote delete of an unknown user" 20
run vctl auth remote list --status maybe
refused "remote list with a bad --status" 2
run vctl auth remote approve
refused "remote approve without USER_ID" 2

# ---- rpc authorisations, an agent running

kp5=$(vctl auth keypair)
pub5=$(printf '%s' "$kp5" | key_of public)
sec5=$(printf '%s' "$kp5" | key_of secret)
run vctl auth add --user_id rpcagent --credentials "$pub5"
expect "auth add rpcagent" 0
run vctl auth rpc add rpcagent.echo can_echo can_more
expect "auth rpc add" 0 ""
check "rpc add in auth.json" \
    "[e['rpc_method_authorizations'] for e in d['allow'] if e['identity'] == 'rpcagent']" \
    "[{'echo': ['can_echo', 'can_more']}]"
run vctl auth rpc add rpcagent.env can_env
expect "auth rpc add, a second method" 0 ""
run vctl auth rpc remove rpcagent.echo can_more
expect "auth rpc remove" 0 ""
check "rpc remove in auth.json" \
    "[e['rpc_method_authorizations'] for e in d['allow'] if e['identity'] == 'rpcagent']" \
    "[{'echo': ['can_echo'], 'env': ['can_env']}]"
run vctl auth rpc add nobody.echo can_echo
refused "auth rpc add for an identity without an entry" 20
run vctl auth rpc add echo can_echo
refused "auth rpc add without <identity>.<method>" 2
run vctl auth rpc add rpcagent.echo
refused "auth rpc add without capabilities" 2

# The agent, as the platform would start it; its log line "connected to the
# platform" is the event to wait for.
mkfifo "$tmp/agent.fifo"
AGENT_VIP_IDENTITY=rpcagent VOLTTRON_VIP_ADDR=$address VOLTTRON_SERVERKEY=$serverkey \
    AGENT_PUBLICKEY=$pub5 AGENT_SECRETKEY=$sec5 "$agent_bin" 2>"$tmp/agent.fifo" >/dev/null &
agent_pid=$!
exec 3<"$tmp/agent.fifo"
connected=
while IFS= read -r -t 20 line <&3; do
    echo "$line" >>"$tmp/agent.log"
    case $line in *"connected to the platform"*) connected=1; break ;; esac
done
cat <&3 >>"$tmp/agent.log" &
drain_pid=$!
exec 3<&-
[ -n "$connected" ] && ok "agent connected" || { bad "agent did not connect"; cat "$tmp/agent.log"; }

# (what the agent was told at its start is shown by rpc list below; a change
# made now reaches it later, pushed by platform.auth)
run vctl auth rpc add rpcagent.fail can_fail
expect "auth rpc add, agent running" 0 ""
run vctl auth rpc remove rpcagent.fail can_fail
expect "auth rpc remove, agent running" 0 ""
check "rpc add and remove with the agent running" \
    "[e['rpc_method_authorizations'] for e in d['allow'] if e['identity'] == 'rpcagent']" \
    "[{'echo': ['can_echo'], 'env': ['can_env'], 'fail': ['']}]"

# ---- rpc list / rpc code

run vctl rpc list
expect "rpc list" 0
contains "rpc list: control" "control"
contains "rpc list: control.peerlist" $'\tpeerlist'
contains "rpc list: the agent" "rpcagent"
contains "rpc list: the agent's echo" $'\techo'
lacks "rpc list: no dotted methods" $'\tauth.get_rpc_authorizations'
run vctl rpc list -v rpcagent
expect "rpc list -v PEER" 0
contains "rpc list -v: dotted methods" $'\tauth.get_rpc_authorizations'
lacks "rpc list PEER: only that peer" "control"
run vctl rpc list -i control rpcagent
contains "rpc list -i: control" "control"
contains "rpc list -i: rpcagent" "rpcagent"
lacks "rpc list -i: not platform.auth" "platform.auth"
run vctl rpc list rpcagent echo
expect "rpc list PEER METHOD" 0 "rpcagent
	echo
	Parameters:
		x:
			{'kind': 'POSITIONAL_OR_KEYWORD', 'default': None}
		args:
			{'kind': 'VAR_POSITIONAL'}
		kwargs:
			{'kind': 'VAR_KEYWORD'}
		authorized_capabilities:
			Authorized capabilities: ['can_echo']"
run vctl rpc list -v rpcagent env
expect "rpc list -v PEER METHOD" 0 "rpcagent
	env
	Documentation:
		No documentation for this method.

	Parameters:
		name:
			{'kind': 'POSITIONAL_OR_KEYWORD'}
		authorized_capabilities:
			Authorized capabilities: ['can_env']"
run vctl rpc list control peerlist
expect "rpc list of a method without parameters" 0 "control
	peerlist
	Parameters:
		authorized_capabilities:
			Authorized capabilities: []"
run vctl rpc list rpcagent nosuch
expect "rpc list of an unknown method" 1 \
    "rpcagent: method 'nosuch.inspect' is not implemented
rpcagent"
run vctl rpc list nosuchpeer echo
expect "rpc list of an unreachable peer's method" 1 "nosuchpeer is unreachable
nosuchpeer"
run vctl rpc list nosuchpeer
expect "rpc list of an unreachable peer" 1 "nosuchpeer is unreachable"
run vctl rpc code rpcagent echo env
expect "rpc code PEER METHOD..." 0 "self.vip.rpc.call(rpcagent, echo, ['x', 'args', 'kwargs']).get()
self.vip.rpc.call(rpcagent, env, ['name']).get()"
run vctl rpc code
expect "rpc code" 0
contains "rpc code: control.peerlist" "self.vip.rpc.call(control, peerlist).get()"
contains "rpc code: control.agent_status" "self.vip.rpc.call(control, agent_status, ['uuid']).get()"
lacks "rpc code: no dotted methods" "self.vip.rpc.call(rpcagent, health.get_status).get()"
run vctl rpc code -v rpcagent
contains "rpc code -v: dotted methods" "self.vip.rpc.call(rpcagent, health.get_status).get()"
run vctl rpc
refused "rpc without a subcommand" 2
run vctl rpc frob
refused "rpc unknown subcommand" 2
run vctl rpc list --bogus
refused "rpc list unknown option" 2
run vctl rpc code -i
refused "rpc code -i" 2

# ---- publickey: agent instances on disk

mkdir -p "$home/agents/listener1" "$home/agents/listener2"
echo 8c1f0000-aaaa-bbbb-cccc-000000000001 >"$home/agents/listener1/UUID"
echo listeneragent-1.0 >"$home/agents/listener1/PACKAGE"
echo lis >"$home/agents/listener1/TAG"
printf '{\n    "public": "%s",\n    "secret": "%s"\n}' "$pub1" "$sec1" \
    >"$home/agents/listener1/keystore.json"
echo 8c2e0000-aaaa-bbbb-cccc-000000000002 >"$home/agents/listener2/UUID"
echo listeneragent-1.0 >"$home/agents/listener2/PACKAGE"
printf '{\n    "public": "%s",\n    "secret": "%s"\n}' "$pub5" "$sec5" \
    >"$home/agents/listener2/keystore.json"
run vctl auth publickey
expect "publickey" 0 "8c1 listeneragent-1.0 listener1 lis $pub1
8c2 listeneragent-1.0 listener2     $pub5" \
    "    AGENT             IDENTITY  TAG PUBLICKEY"
run vctl auth publickey listener2 nothing
expect "publickey PATTERN" 0 "8 listeneragent-1.0 listener2     $pub5" \
    "auth: error: agent not found: nothing
  AGENT             IDENTITY  TAG PUBLICKEY"
run vctl --json auth publickey --tag lis
expect "publickey --json" 0 "{
  \"listener1\": {
    \"agent_uuid\": \"8c1f0000-aaaa-bbbb-cccc-000000000001\",
    \"name\": \"listeneragent-1.0\",
    \"identity\": \"listener1\",
    \"agent_tag\": \"lis\",
    \"PUBLICKEY\": \"$pub1\"
  }
}"
run vctl auth publickey -n x
refused "publickey -n x" 2

echo
if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all checks passed"
