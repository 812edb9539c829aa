#!/usr/bin/env python3
"""Byte-for-byte check of our platform against frames captured from a real
VOLTTRON 9.0.4 platform (../shared/vectors/vip-volttron-9.0.4.jsonl).

The test starts `volttron` (CURVE on, instance name "anchor", like the
capture) in a temporary VOLTTRON_HOME, runs our C test agent as "bench.peer"
(it exports echo, fail, publish_sample and call_back like the captured
stock agent), and connects plain pyzmq DEALER sockets as "rawclient",
"rawclient2" and "bench.proxied". It then replays, scenario by scenario, the
frames the captured raw clients SENT and compares what comes back with the
captured RECV frames.

Comparison rules
  * Exact byte equality of every frame, and of the frame count, by default.
  * Explicit per-field exceptions, each with its reason printed next to the
    result, for what legitimately differs between two platforms (random
    router id, keys, tcp port, services present, agent-generated ids, the
    agent's method list, Python tracebacks).
  * Deliberate deviations of our platform from the Python one (spec
    vip-wire.md §2.2 "C rules", §4.4, §5; no ack for a publish with an empty
    msg id, pubsub_service.c) are asserted, not skipped:
    the expected frames are replaced by what our platform must send, with the
    spec section in the comment and in the output.
  * Scenarios that need a service we do not have yet are reported as SKIPPED
    with the reason.

"No reply" is checked with a barrier: after the message that must not be
answered, the same socket pings the router; the router handles one
connection's messages in order, so the pong must be the very next message.

Environment: VT_VOLTTRON and VT_TEST_AGENT (set by meson), VT_VECTORS (the
capture file; default tests/data/, a copy of shared/vectors/),
VT_KEEP_HOME (keep the temporary VOLTTRON_HOME).
Exit status: 0 all passed, 1 a check failed, 77 (meson: skipped) when pyzmq
is missing.
"""

import base64
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import traceback

try:
    import zmq
    from zmq.utils import z85
except ImportError:
    print("SKIPPED: this python (%s) has no zmq module; install python3-zmq" % sys.executable)
    sys.exit(77)

HERE = os.path.dirname(os.path.abspath(__file__))
# A copy of shared/vectors/vip-volttron-9.0.4.jsonl lives in tests/data so
# the test does not depend on where the checkout sits.
DEFAULT_VECTORS = os.path.join(HERE, "..", "data", "vip-volttron-9.0.4.jsonl")
RECV_TIMEOUT = 5.0       # s, any single reply
STARTUP_TIMEOUT = 20.0   # s, platform up + first welcome; agent connected
QUIET_WINDOW = 0.3       # s, "nothing else arrives" on a socket we cannot barrier
STOP_TIMEOUT = 10.0      # s, SIGTERM to exit

# A message our router sends on its own after a connection closes, to find
# out which peer went away (router.c sweep(): a "pong" nobody asked for is
# refused at once by a ROUTER that has no pipe to the peer any more; stock
# VOLTTRON agents ignore it silently). The capture has no such message (the
# Python router has no disconnect detection, spec §4.4), so it can show up
# between any two captured messages: every receive skips exactly this shape.
ROUTER_PROBE = [b"", b"VIP1", b"", b"", b"ping", b"pong"]

# Platform service identities that may appear in a peer listing (spec §14).
SERVICE_IDENTITIES = {"control", "config.store", "platform.auth", "platform.health",
                      "keydiscovery", "platform_web", "zmq.proxy.router"}

# Our test agent's own exports and the dotted names our client library
# exports for every agent (volttron-client rpc_server.c, health.c). The stock
# agent of the capture also exports config.* and auth.* (spec §8.8).
AGENT_EXPORTS = ["echo", "fail", "publish_sample", "call_back"]
LIBRARY_EXPORTS = ["agent.version", "health.set_status", "health.get_status",
                   "health.get_status_json", "health.send_alert", "heartbeat.start",
                   "heartbeat.start_with_period", "heartbeat.stop", "heartbeat.restart",
                   "heartbeat.set_period"]

PROBES_SKIPPED = {}  # identity -> router probes skipped by Peer.recv

UUID4_RE = re.compile(rb"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
OUR_ID_RE = re.compile(rb"^vt\.[0-9a-f]+$")


# ---------------------------------------------------------------- output

class Report:
    def __init__(self):
        self.failures = []
        self.passes = 0
        self.skipped = []
        self.scenario = "setup"

    def begin(self, name, desc=""):
        self.scenario = name
        print("\n== %s%s" % (name, (": " + desc) if desc else ""))

    def ok(self, what, note=""):
        self.passes += 1
        print("  ok    %s%s" % (what, ("  [" + note + "]") if note else ""))

    def fail(self, what, detail=""):
        self.failures.append("[%s] %s" % (self.scenario, what))
        print("  FAIL  %s" % what)
        for line in detail.splitlines():
            print("        " + line)

    def info(self, text):
        print("  info  " + text)

    def skip(self, what, why):
        self.skipped.append("[%s] %s: %s" % (self.scenario, what, why))
        print("  SKIPPED  %s: %s" % (what, why))


R = Report()


def text_of(b):
    """Readable form of a frame: its text where printable, escapes otherwise."""
    s = b.decode("latin-1")
    out = []
    for ch in s:
        o = ord(ch)
        out.append(ch if 0x20 <= o < 0x7F else "\\x%02x" % o)
    return '"' + "".join(out) + '"'


def clip(s, limit=600):
    return s if len(s) <= limit else s[:limit] + "...(%d more chars)" % (len(s) - limit)


def frame_diff(i, got, want):
    """Lines describing how frame i differs: both sides as text and hex, and
    where the first difference is."""
    n = 0
    while n < min(len(got), len(want)) and got[n] == want[n]:
        n += 1
    lines = ["frame %d differs at byte %d (got %d bytes, want %d):" % (i, n, len(got), len(want))]
    if max(len(got), len(want)) > 120:
        lo = max(0, n - 40)
        lines.append("  got  text[%d:]: %s" % (lo, clip(text_of(got[lo:lo + 160]), 200)))
        lines.append("  want text[%d:]: %s" % (lo, clip(text_of(want[lo:lo + 160]), 200)))
        lines.append("  got  hex[%d:]:  %s" % (lo, got[lo:lo + 48].hex()))
        lines.append("  want hex[%d:]:  %s" % (lo, want[lo:lo + 48].hex()))
    else:
        lines.append("  got : %s  hex %s" % (text_of(got), got.hex() or "(empty)"))
        lines.append("  want: %s  hex %s" % (text_of(want), want.hex() or "(empty)"))
    return lines


def show_message(frames):
    return "[" + ", ".join(clip(text_of(f), 120) for f in frames) + "]"


# ---------------------------------------------------------------- vectors

class Vectors:
    def __init__(self, path):
        self.records = []
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    self.records.append(json.loads(line))
        self.by_seq = {r["seq"]: r for r in self.records}
        self.meta = self.records[0]
        assert self.meta["type"] == "meta", "first record is not the meta record"

    def frames(self, seq):
        return [bytes.fromhex(f["hex"]) for f in self.by_seq[seq]["frames"]]

    def rec(self, seq):
        return self.by_seq[seq]

    def scenario_desc(self, name):
        for r in self.records:
            if r["type"] == "scenario" and r["scenario"] == name:
                return r["desc"]
        return ""

    def scenario_seqs(self, name):
        return [r["seq"] for r in self.records if r["type"] == "frames" and r["scenario"] == name]

    @staticmethod
    def socket_of(rec):
        m = re.search(r"identity=(\S+)", rec["socket"])
        return m.group(1)


# ---------------------------------------------------------------- keys and files

def curve_keypair():
    """(z85 public, z85 secret, volttron public, volttron secret): VOLTTRON
    writes the 32-byte key as URL-safe base64 without padding (43 chars)."""
    pub, sec = zmq.curve_keypair()
    enc = lambda k: base64.urlsafe_b64encode(z85.decode(k)).rstrip(b"=").decode()
    return pub, sec, enc(pub), enc(sec)


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ---------------------------------------------------------------- sockets

class Peer:
    """A raw DEALER: no VOLTTRON code, like the capture's raw clients."""

    def __init__(self, ctx, identity, keys, server_z85, address):
        self.identity = identity
        self.sock = ctx.socket(zmq.DEALER)
        self.sock.setsockopt(zmq.IDENTITY, identity.encode())
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.curve_publickey = keys[0]
        self.sock.curve_secretkey = keys[1]
        self.sock.curve_serverkey = server_z85
        self.sock.connect(address)
        self.probes = 0
        self.barriers = 0
        self.held = []      # messages received early, handed out by recv next

    def send(self, frames):
        self.sock.send_multipart(frames, copy=True)

    def recv(self, timeout=RECV_TIMEOUT):
        """Next message other than a router probe, or None after timeout s."""
        if self.held:
            return self.held.pop(0)
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            if not self.sock.poll(max(1, int(left * 1000))):
                return None
            msg = self.sock.recv_multipart()
            if msg == ROUTER_PROBE:
                self.probes += 1
                continue
            return msg

    def close(self):
        if self.probes:
            PROBES_SKIPPED[self.identity] = PROBES_SKIPPED.get(self.identity, 0) + self.probes
            self.probes = 0
        self.sock.close(linger=0)


def check_frames(what, got, want, exceptions=None, tail=None, note=""):
    """Compare a received message with the expected frames.

    exceptions: {frame index: (reason, check(got_frame, want_frame) -> error or None)}
    tail: (start, reason, check(got[start:], want[start:]) -> error or None) for
          messages whose length legitimately varies from frame `start` on.
    Every other frame must be byte-identical, and the frame count must match.
    """
    exceptions = exceptions or {}
    if got is None:
        R.fail(what + ": nothing received within %.0f s" % RECV_TIMEOUT,
               "want: " + show_message(want))
        return False
    problems = []
    head = len(want) if tail is None else tail[0]
    if tail is None and len(got) != len(want):
        problems.append("got %d frames, want %d" % (len(got), len(want)))
    if tail is not None and len(got) < head:
        problems.append("got %d frames, want at least %d" % (len(got), head))
    for i in range(min(head, len(got), len(want))):
        if i in exceptions:
            reason, fn = exceptions[i]
            err = fn(got[i], want[i])
            if err:
                problems.append("frame %d (%s): %s" % (i, reason, err))
                problems.extend(frame_diff(i, got[i], want[i]))
        elif got[i] != want[i]:
            problems.extend(frame_diff(i, got[i], want[i]))
    if tail is not None and len(got) >= head:
        err = tail[2](got[head:], want[head:])
        if err:
            problems.append("frames %d.. (%s): %s" % (head, tail[1], err))
    notes = [r for r, _ in exceptions.values()] + ([tail[1]] if tail else [])
    if note:
        notes.insert(0, note)
    if problems:
        R.fail(what, "\n".join(problems + ["got : " + show_message(got),
                                            "want: " + show_message(want)]))
        return False
    R.ok(what, "exact" if not notes else "exact except: " + "; ".join(notes))
    return True


def not_json_scalar(b):
    """True if b is not a JSON scalar (spec §2.2 C rules: ids must not be)."""
    try:
        v = json.loads(b.decode("latin-1"))
    except ValueError:
        return True
    return isinstance(v, (list, dict))


# ---------------------------------------------------------------- the test

class VectorTest:
    def __init__(self):
        self.volttron = os.environ.get("VT_VOLTTRON")
        self.agent_bin = os.environ.get("VT_TEST_AGENT")
        self.vectors_path = os.environ.get("VT_VECTORS", DEFAULT_VECTORS)
        self.home = None
        self.platform = None
        self.agent = None
        self.ctx = None
        self.peers = {}
        self.router_uuid = None
        # identity -> set of subscribed prefixes (what we told the router),
        # to compute expected publish counts
        self.subs = {}

    # -------------------------------------------------- setup

    def setup(self):
        for var, val in (("VT_VOLTTRON", self.volttron), ("VT_TEST_AGENT", self.agent_bin)):
            if not val or not os.access(val, os.X_OK):
                raise SystemExit("%s is not set or not executable (run through meson test)" % var)
        if not os.path.exists(self.vectors_path):
            raise SystemExit("capture file not found: %s (set VT_VECTORS)" % self.vectors_path)
        self.v = Vectors(self.vectors_path)
        R.info("vectors: %s (%d records, VOLTTRON %s)" % (
            os.path.normpath(self.vectors_path), len(self.v.records), self.v.meta["volttron_version"]))

        self.home = tempfile.mkdtemp(prefix="vt-vectors-")
        self.port = free_port()
        self.address = "tcp://127.0.0.1:%d" % self.port

        # The platform key, written before the start: the platform loads an
        # existing key store, so we know its serverkey.
        self.server = curve_keypair()
        self.write_secret("keystore", json.dumps({"public": self.server[2], "secret": self.server[3]}))

        # One key per client; allow entries as in the capture's setup (README):
        # rawclient with user_id == identity, rawclient2 with user_id
        # "rawclient2-user" and no identity, the agents with their identity.
        self.keys = {name: curve_keypair()
                     for name in ("rawclient", "rawclient2", "bench.peer", "bench.proxied")}
        allow = []
        for name, user, ident in (("rawclient", "rawclient", "rawclient"),
                                  ("rawclient2", "rawclient2-user", None),
                                  ("bench.peer", "bench.peer", "bench.peer"),
                                  ("bench.proxied", "bench.proxied", "bench.proxied")):
            e = {"mechanism": "CURVE", "credentials": self.keys[name][2], "user_id": user,
                 "capabilities": {"edit_config_store": {"identity": name}},
                 "comment": "test_vectors.py"}
            if ident:
                e["identity"] = ident
            allow.append(e)
        self.write_secret("auth.json", json.dumps({"allow": allow}, indent=2))

        env = dict(os.environ, VOLTTRON_HOME=self.home)
        self.platform_out = open(os.path.join(self.home, "platform.out"), "wb")
        self.platform = subprocess.Popen(
            [self.volttron, "--allow-root", "-vv", "-l", os.path.join(self.home, "volttron.log"),
             "--vip-address", self.address, "--instance-name", "anchor"],
            env=env, stdin=subprocess.DEVNULL, stdout=self.platform_out, stderr=subprocess.STDOUT)
        R.info("platform pid %d, %s, home %s" % (self.platform.pid, self.address, self.home))
        self.ctx = zmq.Context()

    def write_secret(self, name, text):
        path = os.path.join(self.home, name)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(text)

    def peer(self, name):
        if name not in self.peers:
            self.peers[name] = Peer(self.ctx, name, self.keys[name], self.server[0], self.address)
        return self.peers[name]

    def start_agent(self):
        env = dict(os.environ,
                   VOLTTRON_HOME=self.home, VOLTTRON_VIP_ADDR=self.address, AUTH_ENABLED="True",
                   VOLTTRON_SERVERKEY=self.server[2],
                   AGENT_PUBLICKEY=self.keys["bench.peer"][2],
                   AGENT_SECRETKEY=self.keys["bench.peer"][3])
        self.agent_log = open(os.path.join(self.home, "bench.peer.log"), "wb")
        self.agent = subprocess.Popen([self.agent_bin, "--identity", "bench.peer"], env=env,
                                      stdin=subprocess.DEVNULL, stdout=self.agent_log,
                                      stderr=subprocess.STDOUT)
        R.info("bench.peer (vt-test-agent) pid %d" % self.agent.pid)

    def alive(self):
        return self.platform is not None and self.platform.poll() is None

    # -------------------------------------------------- helpers

    def send(self, seq, frames=None):
        rec = self.v.rec(seq)
        assert rec["dir"] == "send"
        self.peer(self.v.socket_of(rec)).send(frames if frames is not None else self.v.frames(seq))

    def expect(self, seq, want=None, exceptions=None, tail=None, note="", timeout=RECV_TIMEOUT,
               label=None):
        """Receive on the record's socket and compare with record seq (or
        with `want`, for deliberate deviations). Returns the received frames."""
        rec = self.v.rec(seq)
        assert rec["dir"] == "recv"
        name = self.v.socket_of(rec)
        got = self.peer(name).recv(timeout)
        want = want if want is not None else self.v.frames(seq)
        check_frames("%s %s <- %s" % (label or "seq %d" % seq, name, short_desc(want)), got, want,
                     exceptions, tail, note)
        return got

    def barrier(self, name, what="nothing else"):
        """Ping the router from name; the pong must be the next message (the
        router answers one connection's messages in order), which proves that
        nothing else was sent to name before it."""
        p = self.peer(name)
        p.barriers += 1
        mid = ("barrier.%d" % p.barriers).encode()
        p.send([b"", b"VIP1", b"", mid, b"ping", b"ping"])
        want = [b"", b"VIP1", name.encode(), mid, b"ping", b"pong"]
        extra = []
        deadline = time.monotonic() + RECV_TIMEOUT
        while True:
            got = p.recv(max(0.05, deadline - time.monotonic()))
            if got is None or got == want:
                break
            extra.append(got)
        if got is None:
            R.fail("%s: barrier ping got no pong" % name,
                   "\n".join("before it: " + show_message(m) for m in extra))
        elif extra:
            R.fail("%s: %s expected, but received" % (name, what),
                   "\n".join(show_message(m) for m in extra))
        else:
            R.ok("%s: %s (barrier ping answered next)" % (name, what))

    def quiet(self, name, what, window=QUIET_WINDOW):
        """For a socket that must not talk to the router any more: nothing
        arrives within window s."""
        got = self.peer(name).recv(window)
        if got is None:
            R.ok("%s: %s (nothing within %.1f s)" % (name, what, window))
        else:
            R.fail("%s: %s expected, but received" % (name, what), show_message(got))

    def publisher_user(self, user):
        """DEVIATION (spec §3.5): a delivered publish carries in its user-id
        frame the auth user the publisher's key proved; the Python router
        passes on what the publisher wrote there (normally "")."""
        def check(got, want):
            return None if got == user.encode() else "want the publisher's user %r" % user
        return {2: ("DEVIATION §3.5: user-id = the publisher's authenticated user", check)}

    def uuid_exception(self):
        """Welcome frame 7 is the router's routing id: a random UUID4 per
        platform start (spec §4.2), the same in every welcome."""
        def check(got, want):
            if not UUID4_RE.match(got):
                return "not a lower-case UUID4"
            if self.router_uuid is None:
                self.router_uuid = got
            elif got != self.router_uuid:
                return "differs from the first welcome's %r" % self.router_uuid
            return None
        return {7: ("router id: random UUID4, same in every welcome (§4.2)", check)}

    def expected_count(self, topic):
        return sum(1 for prefixes in self.subs.values()
                   if any(topic.startswith(p) for p in prefixes))

    # -------------------------------------------------- readiness

    def wait_platform(self):
        """Scenario hello doubles as readiness: the DEALER queues the hello
        until CURVE and ZAP let it through, and the welcome is the event."""
        R.begin("hello", self.v.scenario_desc("hello"))
        self.send(2)
        got = None
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while got is None and time.monotonic() < deadline and self.alive():
            got = self.peer("rawclient").recv(0.5)
        if not self.alive():
            raise Fatal("the platform exited with status %s during start-up" % self.platform.returncode)
        check_frames("seq 3 rawclient <- welcome", got, self.v.frames(3),
                     exceptions=self.uuid_exception())
        if got is None:
            raise Fatal("no welcome from the platform within %.0f s" % STARTUP_TIMEOUT)

    def wait_agent(self):
        """bench.peer is ready once the router lists it: poll peerlist list
        (each poll waits for its real reply). Any 'peerlist add bench.peer'
        pushed to rawclient arrives before a listing that contains it (same
        pipe, sent earlier), so it is consumed here and not left over."""
        self.start_agent()
        p = self.peer("rawclient")
        add = [b"", b"VIP1", b"", b"", b"peerlist", b"add", b"bench.peer"]
        deadline = time.monotonic() + STARTUP_TIMEOUT
        n = 0
        while time.monotonic() < deadline:
            if self.agent.poll() is not None:
                raise Fatal("bench.peer exited with status %s" % self.agent.returncode)
            n += 1
            mid = ("ready.%d" % n).encode()
            p.send([b"", b"VIP1", b"", mid, b"peerlist", b"list"])
            while True:
                m = p.recv(RECV_TIMEOUT)
                if m is None:
                    raise Fatal("no reply to peerlist list while waiting for bench.peer")
                if m[3] == mid:
                    break
                if m[4:6] != [b"peerlist", b"add"]:
                    raise Fatal("unexpected message while waiting for bench.peer: " + show_message(m))
            if b"bench.peer" in m[6:]:
                R.info("bench.peer listed by the router (after %d peerlist list)" % n)
                return
            # Not there yet: wait (up to 1 s) for the router's push of
            # "peerlist add bench.peer", then list again to confirm.
            m = p.recv(1.0)
            if m is not None and m != add and m[4:6] != [b"peerlist", b"add"]:
                raise Fatal("unexpected message while waiting for bench.peer: " + show_message(m))
        raise Fatal("bench.peer did not connect within %.0f s" % STARTUP_TIMEOUT)

    # -------------------------------------------------- scenarios

    def replay(self, name, overrides=None):
        """Replay a scenario generically: send what the capture's raw clients
        sent, expect what they received. overrides: {seq: dict(kwargs for
        expect)} for the fields that differ."""
        overrides = overrides or {}
        for seq in self.v.scenario_seqs(name):
            rec = self.v.rec(seq)
            if rec["dir"] == "send":
                self.send(seq)
            else:
                self.expect(seq, **overrides.get(seq, {}))

    def run_scenarios(self):
        self.wait_platform()
        self.wait_agent()
        self.barrier("rawclient")

        # ---- exact
        for name in ("ping_router", "ping_peer"):
            R.begin(name, self.v.scenario_desc(name))
            self.replay(name)
            self.barrier("rawclient")

        # ---- deliberate deviation, spec §2.2 "C rules": our router forwards
        # and echoes frames byte for byte. The Python router JSON-decodes and
        # re-encodes them (42 -> 2a000000, 3.5 -> 00006040, true -> 01,
        # "quoted" -> quoted); ours returns exactly what was sent. [1, 2] is
        # unchanged on both.
        R.begin("msg_id_json_coercion", "DEVIATION (spec §2.2 C rules): frames come back byte for byte")
        for sseq, rseq in ((13, 14), (15, 16), (17, 18), (19, 20), (21, 22)):
            sent = self.v.frames(sseq)
            captured = self.v.frames(rseq)
            want = [b"", b"VIP1", b"rawclient", sent[3], b"ping", b"pong", sent[6]]
            self.send(sseq)
            self.expect(rseq, want=want, note="DEVIATION §2.2: the Python router sent back %s as %s" % (
                text_of(sent[3]), "hex " + captured[3].hex() if captured[3] != sent[3] else "is"))
        self.barrier("rawclient")

        # ---- peer listing: compared as a set
        R.begin("peerlist_list", self.v.scenario_desc("peerlist_list"))
        captured_listing = self.v.frames(25)[6:]

        def listing(got, want):
            names = [g.decode("latin-1") for g in got]
            if len(set(names)) != len(names):
                return "duplicate identities: %s" % names
            missing = {"rawclient", "bench.peer"} - set(names)
            if missing:
                return "missing %s" % sorted(missing)
            odd = set(names) - {"rawclient", "bench.peer"} - SERVICE_IDENTITIES
            if odd:
                return "unexpected identities %s" % sorted(odd)
            return None
        self.send(24)
        got = self.expect(25, tail=(6, "peer identities compared as a set: must hold rawclient "
                                       "and bench.peer; platform services may differ (§4.4, §14)",
                                    listing))
        if got:
            ours = {g.decode("latin-1") for g in got[6:]}
            theirs = {g.decode("latin-1") for g in captured_listing}
            R.info("services listed by VOLTTRON 9.0.4 but not by us: %s" % sorted(theirs - ours))
        self.send(26)
        self.expect(27)
        self.barrier("rawclient")

        # ---- query
        R.begin("query", self.v.scenario_desc("query"))
        serverkey = self.server[2].encode()
        port_re = self.v.meta["vip_address"].rsplit(":", 1)[1].encode()
        for sseq, rseq in ((29, 30), (31, 32), (33, 34), (35, 36), (37, 38), (39, 40)):
            self.send(sseq)
            want = self.v.frames(rseq)
            note = ""
            if sseq == 29:
                # our platform's key instead of the captured platform's
                assert want[6] == self.v.meta["platform_serverkey_b64url"].encode()
                want = want[:6] + [serverkey]
                note = "serverkey is this platform's key (substituted)"
            elif sseq == 35:
                # the captured platform listened on port 22916, ours on a free port
                want = want[:6] + [want[6].replace(b":" + port_re, b":%d" % self.port)]
                note = "tcp port substituted in addresses"
            self.expect(rseq, want=want, note=note)
        self.barrier("rawclient")

        # ---- pubsub
        R.begin("pubsub_subscribe", self.v.scenario_desc("pubsub_subscribe"))
        self.send(42)
        self.subs.setdefault("rawclient", set()).add(
            json.loads(self.v.frames(42)[6])["prefix"])
        self.expect(43)
        self.barrier("rawclient")

        R.begin("pubsub_list", self.v.scenario_desc("pubsub_list"))
        self.replay("pubsub_list")
        self.barrier("rawclient")
        R.begin("pubsub_publish_raw", self.v.scenario_desc("pubsub_publish_raw"))
        self.replay("pubsub_publish_raw", {49: dict(exceptions=self.publisher_user("rawclient"))})
        self.barrier("rawclient")

        # bench.peer publishes on request. The publish's message id is
        # generated by the publishing agent: stock agents use "%f.%f", ours
        # "vt.<hex>" (spec §3.6; §2.2 C rules: not a JSON scalar). Everything
        # else, including the body the router builds, must be identical.
        R.begin("pubsub_publish_from_agent", self.v.scenario_desc("pubsub_publish_from_agent"))
        exceptions = self.publisher_user("bench.peer")
        exceptions[3] = ("publisher-generated msg id (ours vt.<hex>, §3.6)", self.check_our_id)
        self.replay("pubsub_publish_from_agent", {53: dict(exceptions=exceptions)})
        self.barrier("rawclient")

        for name in ("rpc_call", "rpc_call_kwargs"):
            R.begin(name, self.v.scenario_desc(name))
            self.replay(name)
            self.barrier("rawclient")

        R.begin("rpc_inspect", self.v.scenario_desc("rpc_inspect"))
        self.send(64)
        self.expect(65, exceptions={5: (
            "inspect result: our agent's method list differs from the stock agent's; checked "
            "shape, own exports and the library's dotted names (§8.6, §8.8)", self.check_inspect)})
        self.barrier("rawclient")

        R.begin("rpc_method_not_found", self.v.scenario_desc("rpc_method_not_found"))
        self.replay("rpc_method_not_found")
        self.barrier("rawclient")

        # Remote exception: a C agent has no Python traceback, so "exc_tb" is
        # absent (spec §8.5: present unless hidden). code, message, detail,
        # exc_type and exc_args, and the key order, must be identical.
        R.begin("rpc_remote_exception", self.v.scenario_desc("rpc_remote_exception"))
        self.send(70)
        self.expect(71, exceptions={5: ("exception.py without exc_tb (no Python traceback), the "
                                        "rest byte-exact (§8.5)", self.check_exception)})
        self.barrier("rawclient")

        # Inbound RPC: the callee (bench.peer) generates the VIP msg id and the
        # JSON-RPC id of its call to rawclient: ours are "vt.<hex>", stock ones
        # "%f.%f" and a mangled float32 msg id (§2.2, §3.6). The raw client
        # echoes both back, as it did in the capture.
        R.begin("rpc_inbound", self.v.scenario_desc("rpc_inbound"))
        self.send(73)
        inbound = {}
        got = self.expect(74, exceptions={
            3: ("agent-generated VIP msg id (ours vt.<hex>, stock: float32-mangled)", self.check_our_id),
            5: ("agent-generated JSON-RPC id; the rest byte-exact",
                lambda g, w: self.check_json_id(g, w, inbound))})
        if got and len(got) == 6 and "id" in inbound:
            reply = self.v.frames(75)
            captured_id = json.loads(self.v.frames(74)[5])["id"]
            reply[3] = got[3]
            reply[5] = reply[5].replace(json.dumps(captured_id).encode(),
                                        json.dumps(inbound["id"]).encode())
            self.send(75, reply)
            R.info("auto-reply sent with msg id %s and JSON id %s" % (
                text_of(got[3]), json.dumps(inbound["id"])))
            self.expect(76)
        else:
            R.fail("rpc_inbound: cannot answer the inbound call (see above); seq 76 not checked")
        self.barrier("rawclient")

        R.begin("config_store", self.v.scenario_desc("config_store"))
        self.config_store()

        R.begin("nonexistent_peer", self.v.scenario_desc("nonexistent_peer"))
        self.replay("nonexistent_peer")
        self.barrier("rawclient", "no peerlist drop for a never-connected identity (§4.4)")

        # Unknown subsystem. To the router: exact. To the agent: DEVIATION
        # (spec §5): an agent emits errno 93 as the ASCII text "93" with three
        # args; the capture's 4-byte 5d000000 is the Python router's
        # re-encoding of that text (§2.2), which our router does not do.
        R.begin("unknown_subsystem", self.v.scenario_desc("unknown_subsystem"))
        self.send(96)
        self.expect(97)
        self.send(98)
        want = self.v.frames(99)
        assert want[5] == b"\x5d\x00\x00\x00"
        want[5] = b"93"
        self.expect(99, want=want, note="DEVIATION §5: errno as ASCII 93, Python router "
                                        "re-encoded it to 5d000000")
        self.barrier("rawclient")

        self.peerlist_add_drop()

        R.begin("pubsub_unsubscribe", self.v.scenario_desc("pubsub_unsubscribe"))
        self.send(108)
        self.subs["rawclient"].discard("devices/campus")
        self.expect(109)
        self.barrier("rawclient")

        self.stock_agent_session()
        self.publish_empty_id()
        self.malformed()

    # -------------------------------------------------- frame checks

    def check_our_id(self, got, want):
        if not OUR_ID_RE.match(got):
            return "not vt.<hex>"
        if not not_json_scalar(got):
            return "a JSON scalar (spec §2.2 C rules forbid it)"
        return None

    def check_json_id(self, got, want, out):
        """got must equal want with the JSON-RPC "id" value replaced."""
        try:
            gdoc = json.loads(got)
        except ValueError as e:
            return "not JSON: %s" % e
        gid = gdoc.get("id") if isinstance(gdoc, dict) else None
        if not isinstance(gid, str) or not OUR_ID_RE.match(gid.encode()):
            return "JSON id %r is not vt.<hex>" % (gid,)
        wid = json.loads(want)["id"]
        expected = want.replace(json.dumps(wid).encode(), json.dumps(gid).encode())
        if got != expected:
            return "differs from the captured request beyond the id"
        out["id"] = gid
        return None

    def check_inspect(self, got, want):
        prefix = b'{"jsonrpc": "2.0", "id": "req-4", "result": {"methods": ['
        if not got.startswith(prefix) or not got.endswith(b"]}}"):
            return "envelope differs: want %s...]}}" % prefix.decode()
        try:
            doc = json.loads(got)
        except ValueError as e:
            return "not JSON: %s" % e
        methods = doc["result"]["methods"]
        if list(doc) != ["jsonrpc", "id", "result"] or list(doc["result"]) != ["methods"]:
            return "unexpected members"
        if not all(isinstance(m, str) for m in methods) or len(set(methods)) != len(methods):
            return "methods must be unique strings"
        missing = [m for m in AGENT_EXPORTS + LIBRARY_EXPORTS if m not in methods]
        if missing:
            return "missing %s" % missing
        listed = [m for m in methods if m == "inspect" or m.endswith(".inspect")]
        if listed:
            return "lists %s (VOLTTRON does not list inspect itself, §8.6)" % listed
        stock = json.loads(want)["result"]["methods"]
        R.info("inspect: stock-only names %s; ours only %s" % (
            [m for m in stock if m not in methods], [m for m in methods if m not in stock]))
        return None

    def check_exception(self, got, want):
        wdoc = json.loads(want)
        del wdoc["error"]["data"]["exception.py"]["exc_tb"]
        expected = json.dumps(wdoc).encode()   # Python's own formatting
        try:
            gdoc = json.loads(got)
        except ValueError as e:
            return "not JSON: %s" % e
        exc = gdoc.get("error", {}).get("data", {}).get("exception.py", {})
        if "exc_tb" in exc:
            # tolerated if a traceback text is ever sent: it must be a string
            if not isinstance(exc["exc_tb"], str):
                return "exc_tb is not a string"
            del exc["exc_tb"]
            got = json.dumps(gdoc).encode()
        if got != expected:
            return "want %s" % expected.decode()
        return None

    def check_caps_map(self, got, want):
        try:
            gdoc = json.loads(got)
        except ValueError as e:
            return "not JSON: %s" % e
        wdoc = json.loads(want)
        if set(gdoc) != {"jsonrpc", "id", "result"} or gdoc["id"] != wdoc["id"]:
            return "not a result for id %s" % wdoc["id"]
        caps = gdoc["result"]
        services = {u: c for u, c in wdoc["result"].items() if not u.startswith(("bench.", "raw"))}
        ours = {"rawclient": "rawclient", "rawclient2-user": "rawclient2",
                "bench.peer": "bench.peer", "bench.proxied": "bench.proxied"}
        expected = dict(services)
        # DEVIATION (platform-services.md §5.1, §7): control's state-changing
        # methods require a capability VOLTTRON 9 does not have; the
        # platform gives it to vctl's and control's own entries.
        for user in ("control", "control.connection"):
            expected[user] = dict(expected[user], allow_platform_control=None)
        for user, ident in ours.items():
            expected[user] = {"edit_config_store": {"identity": ident}}
        if caps != expected:
            return "want %s" % json.dumps(expected, sort_keys=True)
        return None

    # -------------------------------------------------- special scenarios

    def peerlist_add_drop(self):
        R.begin("peerlist_add_drop", self.v.scenario_desc("peerlist_add_drop"))
        # rawclient2 (auth user_id "rawclient2-user"): the welcome and the add
        # still name it by identity (spec §3.5).
        self.send(101)
        self.expect(102, exceptions=self.uuid_exception())
        self.expect(103)
        # DEVIATION (spec §4.4 vs. router.c peer-loss detection): the Python
        # router only notices a closed connection when a send to it fails
        # (seq 104-106). Ours notices the disconnect by itself: rawclient gets
        # "peerlist drop rawclient2" without sending anything first...
        self.peers.pop("rawclient2").close()
        self.expect(106, timeout=RECV_TIMEOUT,
                    note="DEVIATION §4.4: pushed after the disconnect, before any send to rawclient2")
        # ...and a later ping to rawclient2 gets error 113 (byte-exact as seq
        # 105) but no second drop.
        self.send(104)
        self.expect(105)
        self.barrier("rawclient", "no second peerlist drop after error 113 (DEVIATION §4.4)")

    def config_store(self):
        """Records 78-91 against our config.store and platform.auth."""
        # get_config of a missing entry: KeyError, VOLTTRON's text (§9.1);
        # no traceback from C (§8.5).
        self.send(78)
        self.expect(79, exceptions={5: ("KeyError without exc_tb, the rest byte-exact",
                                        self.check_exception)})
        # set_config: config.store pushes config.update NEW to rawclient and
        # waits for the answer before answering set_config (seq 80-83).
        self.send(80)
        pushed = {}
        got = self.expect(81, exceptions={
            3: ("config.store's VIP msg id (ours vt.<hex>)", self.check_our_id),
            5: ("config.store's JSON-RPC id; the rest byte-exact",
                lambda g, w: self.check_json_id(g, w, pushed))})
        if got and len(got) == 6 and "id" in pushed:
            reply = self.v.frames(82)
            captured_id = json.loads(self.v.frames(81)[5])["id"]
            reply[3] = got[3]
            reply[5] = reply[5].replace(json.dumps(captured_id).encode(),
                                        json.dumps(pushed["id"]).encode())
            self.send(82, reply)
            self.expect(83)
        else:
            R.fail("config_store: cannot answer config.update; seq 83 not checked")
        for seq in (84, 86, 88):   # get parsed, get raw, list
            self.send(seq)
            self.expect(seq + 1)
        # set_config for another identity: rawclient's edit_config_store is
        # restricted to identity=rawclient (§8.7). config.store fetches the
        # capability map from our platform.auth on this first restricted call.
        self.send(90)
        self.expect(91, exceptions={5: ("capability refusal without exc_tb, the rest "
                                        "byte-exact (§8.7)", self.check_exception)})
        self.barrier("rawclient")

    def stock_agent_session(self):
        R.begin("stock_agent_session", "a raw DEALER bench.proxied replays what the stock agent "
                                       "sent (seq 111-128)")
        self.send(111)
        self.expect(112, exceptions=self.uuid_exception())
        # synchronize, twice with the same msg id: no reply (§7.2); the next
        # message on bench.proxied must be the answer to seq 115.
        self.send(113)
        self.subs["bench.proxied"] = set()   # {"subscriptions": {}} clears
        self.send(114)
        # RPC initialize_configs to config.store, then the heartbeat publish,
        # sent back to back as the stock agent did.
        self.send(115)
        self.send(116)
        # The publish ack comes from the router, the push from config.store
        # (a peer of its own): when seq 116 reaches the router after
        # config.store has already answered seq 115, the push comes first.
        # Nothing in VIP orders messages from two senders, so take both and
        # check each against its own record.
        proxied = self.peer("bench.proxied")
        first, second = proxied.recv(), proxied.recv()
        if first is not None and second is not None and first[4:5] == [b"RPC"] \
                and second[4:5] == [b"pubsub"]:
            first, second = second, first
            R.info("config.store's push arrived before the publish ack (either order is valid)")
        proxied.held = [m for m in (first, second) if m is not None]
        # The heartbeat's count ack (seq 117): platform.health
        # subscribes to heartbeat, as in the capture; the test's own
        # subscriptions add to it.
        topic = self.v.frames(116)[6].decode()
        count = 1 + self.expected_count(topic)
        want = self.v.frames(117)
        want[6] = struct.pack("<I", count)
        self.expect(117, want=want, note="count %d: platform.health and our subscriptions" % count)
        # config.store pushes config.initial_update (seq 118): its VIP msg id
        # and JSON-RPC id are ours (vt.<hex>); the rest byte-exact.
        pushed = {}
        got = self.expect(118, exceptions={
            3: ("config.store's VIP msg id (ours vt.<hex>)", self.check_our_id),
            5: ("config.store's JSON-RPC id; the rest byte-exact",
                lambda g, w: self.check_json_id(g, w, pushed))})
        # The stock agent then asked platform.auth for capabilities (seq 119):
        # our platform.auth answers with the map of our auth.json.
        self.send(119)
        want = self.v.frames(120)
        want[3] = self.v.frames(119)[3]
        self.expect(120, want=want, exceptions={5: (
            "user ids of this run's auth.json: the platform's service entries (§5.1) "
            "equal to the capture's, our four clients' as written, no others",
            self.check_caps_map)},
            note="msg id as sent in seq 119, not float32-mangled")
        # ... and answered the push with null (seq 121), after which
        # config.store answers initialize_configs (seq 122).
        if got and len(got) == 6 and "id" in pushed:
            reply = self.v.frames(121)
            captured_id = json.loads(self.v.frames(118)[5])["id"]
            reply[3] = got[3]
            reply[5] = reply[5].replace(json.dumps(captured_id).encode(),
                                        json.dumps(pushed["id"]).encode())
            self.send(121, reply)
            # DEVIATION (§2.2 C rules): the msg id comes back as the agent sent
            # it (seq 115); the Python router had mangled it into float32 bytes.
            want = self.v.frames(122)
            want[3] = self.v.frames(115)[3]
            self.expect(122, want=want, note="msg id as sent in seq 115, not float32-mangled")
        else:
            R.fail("stock_agent_session: cannot answer config.initial_update; seq 122 not checked")
        # RPC from rawclient through bench.proxied; rawclient first gets the
        # "peerlist add bench.proxied" queued since seq 111.
        self.send(123)
        self.expect(124)
        self.expect(125)
        self.send(126)
        self.expect(127)
        # agentstop: rawclient gets the drop, bench.proxied no reply (§4.6).
        self.send(128)
        self.expect(129)
        self.quiet("bench.proxied", "no reply to agentstop")
        self.peers.pop("bench.proxied").close()
        self.barrier("rawclient")

    def publish_empty_id(self):
        # DEVIATION (pubsub_service.c ack_count): a publish with an empty
        # message id gets no request_response: no one could match an answer
        # to it. Captured publishes all carry ids, and get acks (seq 50, 117).
        R.begin("publish_empty_msg_id", "DEVIATION: a publish with an empty msg id gets no ack")
        p = self.peer("rawclient")
        topic = "vectors/empty-id"
        assert self.expected_count(topic) == 0   # no delivery expected either
        p.send([b"", b"VIP1", b"", b"", b"pubsub", b"publish", topic.encode(),
                b'{"bus": "", "headers": {}, "message": 1}'])
        self.barrier("rawclient", "no ack for a publish with an empty msg id")

    def malformed(self):
        R.begin("malformed", "malformed input on a raw socket: the expected reply or none, and the "
                             "platform keeps running")
        p = self.peer("rawclient")
        valid_body = b'{"bus": "", "headers": {}, "message": 1}'
        cases = [
            ("1 frame", [b"x"], None),
            ("4 frames", [b"", b"VIP1", b"", b"m4"], None),
            # 5 frames is the shortest valid VIP message from a DEALER (§3.1):
            # a ping without args gets ["pong"] (§4.3)
            ("5 frames (shortest valid: ping, no args)", [b"", b"VIP1", b"", b"m5", b"ping"],
             [b"", b"VIP1", b"rawclient", b"m5", b"ping", b"pong"]),
            ("signature VIP2", [b"", b"VIP2", b"", b"sig", b"ping", b"ping"], None),
            ("empty subsystem", [b"", b"VIP1", b"", b"ess", b""], None),
            ("pubsub without an operation", [b"", b"VIP1", b"", b"noop", b"pubsub"], None),
            # §7.1: the Python router dies on this one; ours acks false
            ("subscribe with plain-text JSON frame",
             [b"", b"VIP1", b"", b"bad.sub", b"pubsub", b"subscribe", b"devices/campus"],
             [b"", b"VIP1", b"rawclient", b"bad.sub", b"pubsub", b"request_response", b"\x00"]),
            ("publish with invalid JSON",
             [b"", b"VIP1", b"", b"bad.pub", b"pubsub", b"publish", b"devices/campus/x",
              b'{"bus": "", "headers": {'],
             [b"", b"VIP1", b"rawclient", b"bad.pub", b"pubsub", b"request_response",
              b"\x00\x00\x00\x00"]),
            ("publish with a non-UTF-8 topic",
             [b"", b"VIP1", b"", b"bad.topic", b"pubsub", b"publish", b"devices/\xff\xfe",
              valid_body],
             [b"", b"VIP1", b"rawclient", b"bad.topic", b"pubsub", b"request_response",
              b"\x00\x00\x00\x00"]),
            ("publish without a body", [b"", b"VIP1", b"", b"nobody", b"pubsub", b"publish",
                                        b"devices/campus/x"], None),
            ("unknown subsystem",
             [b"", b"VIP1", b"", b"bad.ss", b"nosuchsubsystem"],
             [b"", b"VIP1", b"", b"bad.ss", b"error", b"93", b"Protocol not supported", b"",
              b"nosuchsubsystem"]),
        ]
        for what, frames, want in cases:
            p.send(frames)
            if want is not None:
                got = p.recv()
                check_frames(what + " -> " + short_desc(want), got, want)
            self.barrier("rawclient", "no (further) reply to: " + what)
            if not self.alive():
                R.fail("platform died after: " + what)
                return
        if self.alive():
            R.ok("platform process alive after the malformed messages")
        if self.agent.poll() is None:
            R.ok("bench.peer process alive")
        else:
            R.fail("bench.peer exited with status %s during the test" % self.agent.returncode)

    # -------------------------------------------------- teardown

    def stop_platform(self):
        R.begin("shutdown", "SIGTERM: exit status 0 within %.0f s" % STOP_TIMEOUT)
        for name in list(self.peers):
            self.peers.pop(name).close()
        if not self.alive():
            R.fail("platform already exited with status %s" % self.platform.returncode)
            return
        start = time.monotonic()
        self.platform.send_signal(signal.SIGTERM)
        try:
            rc = self.platform.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            R.fail("platform still running %.0f s after SIGTERM" % STOP_TIMEOUT)
            return
        if rc == 0:
            R.ok("platform exited with status 0 after %.2f s" % (time.monotonic() - start))
        else:
            R.fail("platform exited with status %d" % rc)

    def cleanup(self):
        for name in list(self.peers):
            self.peers.pop(name).close()
        if self.ctx:
            self.ctx.term()
        for proc, name in ((self.agent, "bench.peer"), (self.platform, "volttron")):
            if proc is None or proc.poll() is not None:
                continue
            proc.send_signal(signal.SIGTERM if name == "bench.peer" else signal.SIGKILL)
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for fh in ("platform_out", "agent_log"):
            if hasattr(self, fh):
                getattr(self, fh).close()
        if self.home:
            if R.failures:
                for log in ("volttron.log", "platform.out", "bench.peer.log"):
                    path = os.path.join(self.home, log)
                    if os.path.exists(path):
                        with open(path, "rb") as fh:
                            lines = fh.read().decode("utf-8", "replace").splitlines()
                        print("\n---- last lines of %s" % path)
                        for line in lines[-25:]:
                            print("    " + line)
            if os.environ.get("VT_KEEP_HOME"):
                print("\nVT_KEEP_HOME set: kept %s" % self.home)
            else:
                shutil.rmtree(self.home, ignore_errors=True)


class Fatal(Exception):
    pass


def short_desc(frames):
    """The subsystem and first args of a message, for the result line."""
    parts = [f.decode("latin-1") if f and all(0x20 <= c < 0x7F for c in f) else
             ("0x" + f.hex() if f else "''") for f in frames[4:7]]
    return " ".join(clip(p, 40) for p in parts)


def main():
    t0 = time.monotonic()
    t = VectorTest()
    try:
        t.setup()
        try:
            t.run_scenarios()
        except Fatal as e:
            R.fail("cannot continue: %s" % e)
        t.stop_platform()
    except SystemExit as e:
        R.fail("setup: %s" % e)
    except Exception:
        R.fail("test error", traceback.format_exc())
    finally:
        t.cleanup()
    print("\n== summary (%.1f s)" % (time.monotonic() - t0))
    print("passed checks: %d" % R.passes)
    if PROBES_SKIPPED:
        print("router probes skipped: %s" % ", ".join(
            "%s %d" % kv for kv in sorted(PROBES_SKIPPED.items())))
    for s in R.skipped:
        print("SKIPPED " + s)
    for f in R.failures:
        print("FAILED  " + f)
    if R.failures:
        print("%d check(s) FAILED" % len(R.failures))
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
