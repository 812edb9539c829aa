#!/usr/bin/python3
"""Write the fuzz targets' seed corpora: tests/fuzz/corpus/<target>/gen-*.

Sources, so the fuzzers start from inputs that mean something:
  - the VIP frames captured from VOLTTRON 9.0.4 (tests/data/*.jsonl): what
    agents send to the router (router), what agents receive (agent), and
    every JSON payload in them (json, json_scan);
  - the inputs the unit tests already use: string literals passed to the
    parsers in tests/utils/test_{json,config,ini,csv}.c and the Modbus
    registry rows of agents/platform-driver/tests/test_modbus_iface.c;
  - archives made here with Python's tarfile (tar);
  - a few hand-written sessions for what neither covers (below).

Run it with /usr/bin/python3 from anywhere; it replaces the gen-* files and
leaves any other file in corpus/<target>/ (an input worth keeping that a
long run found can be committed there under another name). Deterministic:
the same sources give the same files.
"""
import hashlib
import io
import json
import os
import re
import sys
import tarfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
VECTORS = os.path.join(ROOT, "tests", "data", "vip-volttron-9.0.4.jsonl")

# frames.h: 0x1E ends a message, 0x1F a frame; 0x1D first: sent by fuzz.b.
RS, US, GS = b"\x1e", b"\x1f", b"\x1d"


def b(x):
    return x if isinstance(x, bytes) else x.encode("utf-8")


def msg(*frames):
    return US.join(b(f) for f in frames)


def session(*messages):
    return RS.join(messages)


def rpc_call(method, params, id_="c1"):
    return json.dumps({"jsonrpc": "2.0", "method": method, "params": params, "id": id_})


def rpc_result(id_, result):
    return json.dumps({"jsonrpc": "2.0", "id": id_, "result": result})


def rpc_error(id_, code, message, exc_type=None):
    err = {"code": code, "message": message}
    if exc_type:
        err["data"] = {"detail": message, "exception.py": {"exc_type": exc_type, "exc_args": []}}
    return json.dumps({"jsonrpc": "2.0", "id": id_, "error": err})


class Corpora:
    def __init__(self):
        self.seeds = {}

    def add(self, target, name, data):
        data = b(data)
        seeds = self.seeds.setdefault(target, {})
        if data in seeds.values():
            return
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)[:60]
        if name in seeds:
            name += "-" + hashlib.sha1(data).hexdigest()[:8]
        seeds[name] = data

    def write(self):
        total = 0
        for target, seeds in sorted(self.seeds.items()):
            d = os.path.join(HERE, "corpus", target)
            os.makedirs(d, exist_ok=True)
            for f in os.listdir(d):
                if f.startswith("gen-"):
                    os.remove(os.path.join(d, f))
            for name, data in sorted(seeds.items()):
                with open(os.path.join(d, "gen-" + name), "wb") as f:
                    f.write(data)
                total += len(data)
            print("%-10s %4d seeds" % (target, len(seeds)))
        print("total %d bytes" % total)


# ---- C string literals of the unit tests -----------------------------------

LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"')


def c_unescape(s):
    out = bytearray()
    i = 0
    simple = {"n": 10, "t": 9, "r": 13, "0": 0, "a": 7, "b": 8, "f": 12, "v": 11,
              "\\": 92, '"': 34, "'": 39, "?": 63}
    while i < len(s):
        c = s[i]
        if c != "\\":
            out += c.encode("utf-8")
            i += 1
            continue
        e = s[i + 1]
        if e == "x":
            j = i + 2
            while j < len(s) and s[j] in "0123456789abcdefABCDEF":
                j += 1
            out.append(int(s[i + 2:j], 16) & 0xFF)
            i = j
        elif e in "01234567":
            j = i + 1
            while j < len(s) and j < i + 4 and s[j] in "01234567":
                j += 1
            out.append(int(s[i + 1:j], 8) & 0xFF)
            i = j
        elif e == "u":
            out += chr(int(s[i + 2:i + 6], 16)).encode("utf-8")
            i += 6
        else:
            out.append(simple.get(e, ord(e)))
            i += 2
    return bytes(out)


# A comment, or a string or character literal (kept as is, so that "//" or
# "/*" inside one is not taken for a comment).
TOKEN = re.compile(r'/\*.*?\*/|//[^\n]*|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'', re.S)


def strip_comments(src):
    """src without comments, and with character literals made harmless."""
    def keep(m):
        t = m.group(0)
        if t.startswith("/"):
            return " "
        return t if t.startswith('"') else "0"
    return TOKEN.sub(keep, src)


def call_args(src, func):
    """The argument texts of every call of func in src."""
    for m in re.finditer(r"\b%s\s*\(" % re.escape(func), src):
        i, depth, args, cur = m.end(), 1, [], []
        while i < len(src) and depth:
            c = src[i]
            if c == '"':
                lit = LITERAL.match(src, i)
                cur.append(lit.group(0))
                i = lit.end()
                continue
            if c in "([{":
                depth += 1
            elif c in ")]}":
                depth -= 1
                if not depth:
                    break
            elif c == "," and depth == 1:
                args.append("".join(cur))
                cur = []
                i += 1
                continue
            cur.append(c)
            i += 1
        args.append("".join(cur))
        yield args


def literal(arg):
    """The bytes of an argument made only of adjacent string literals."""
    arg = arg.strip()
    if not arg.startswith('"'):
        return None
    parts = LITERAL.findall(arg)
    if re.sub(LITERAL, "", arg).strip():
        return None
    return b"".join(c_unescape(p) for p in parts)


def test_literals(path, funcs, arg=0):
    with open(os.path.join(ROOT, path)) as f:
        src = strip_comments(f.read())
    for func in funcs:
        for args in call_args(src, func):
            if len(args) > arg:
                v = literal(args[arg])
                if v is not None:
                    yield v


def assigned_literals(path, names):
    """Literals assigned to variables named in names (`text = "..." "...";`)."""
    with open(os.path.join(ROOT, path)) as f:
        src = strip_comments(f.read())
    pat = r"\b(?:%s)\s*=\s*((?:\s*\"(?:[^\"\\\n]|\\.)*\")+)\s*;" % "|".join(names)
    for m in re.finditer(pat, src):
        yield literal(m.group(1))


# ---- the captured VOLTTRON 9.0.4 frames -------------------------------------

def vectors():
    with open(VECTORS) as f:
        for line in f:
            r = json.loads(line)
            if r["type"] == "frames":
                r["bytes"] = [bytes.fromhex(fr["hex"]) for fr in r["frames"]]
                yield r


def socket_identity(rec):
    # "DEALER identity=bench.proxied (stock agent, via proxy)" -> bench.proxied
    return rec["socket"].split("identity=")[1].split()[0]


def rename(frame, names):
    for old, new in names:
        frame = frame.replace(old, new)
    return frame


ROUTER_NAMES = [(b"rawclient2", b"fuzz.b"), (b"rawclient", b"fuzz.a"),
                (b"bench.peer", b"fuzz.b"), (b"bench.proxied", b"fuzz.b")]


def router_from_vectors(c):
    by_scenario = {}
    for r in vectors():
        if r["dir"] != "send":
            continue
        who = socket_identity(r)
        frames = [rename(f, ROUTER_NAMES) for f in r["bytes"]]
        m = msg(*frames)
        if who != "rawclient":
            m = GS + m
        by_scenario.setdefault(r["scenario"], []).append(m)
    for scenario, messages in by_scenario.items():
        c.add("router", "vec-" + scenario, session(*messages[:32]))


# The agent's own requests, in the order fuzz_agent.c makes them: a reply
# must carry the request's id.
AGENT_IDS = {"query": "vt.1", "initialize_configs": "vt.2", "rpc": "vt.3", "peerlist": "vt.4",
             "ping": "vt.6", "pubsub_list": "vt.7", "publish_ack": "vt.8", "set_config": "vt.9"}


def agent_reply_id(frames):
    sub = frames[4]
    arg0 = frames[5] if len(frames) > 5 else b""
    if sub == b"peerlist" and arg0 == b"listing":
        return AGENT_IDS["peerlist"]
    if sub == b"query":
        return AGENT_IDS["query"]
    if sub == b"ping" and arg0 == b"pong":
        return AGENT_IDS["ping"]
    if sub == b"pubsub" and arg0 == b"list_response":
        return AGENT_IDS["pubsub_list"]
    if sub == b"pubsub" and arg0 == b"request_response":
        return AGENT_IDS["publish_ack"]
    if sub == b"error":
        return AGENT_IDS["rpc"]
    if sub == b"RPC":
        try:
            body = json.loads(arg0)
        except ValueError:
            return None
        if isinstance(body, dict) and "method" not in body:
            return AGENT_IDS["rpc"]
    return None


def agent_from_vectors(c):
    by_scenario = {}
    for r in vectors():
        if r["dir"] != "recv":
            continue
        me = socket_identity(r).encode()
        names = [(me, b"fuzz.agent"), (b"bench.peer", b"fuzz.peer")]
        frames = [rename(f, names) for f in r["bytes"]]
        if len(frames) < 5 or frames[4] == b"hello":
            continue  # the harness does the welcome
        reply_id = agent_reply_id(frames)
        if reply_id:
            old = frames[3]  # the id the captured client had used
            frames[3] = reply_id.encode()
            if frames[4] == b"RPC" and old:
                frames[5] = re.sub(rb'"id": "[^"]*"', b'"id": "' + reply_id.encode() + b'"',
                                   frames[5], count=1)
        by_scenario.setdefault(r["scenario"], []).append(msg(*frames))
    for scenario, messages in by_scenario.items():
        c.add("agent", "vec-" + scenario, session(*messages[:32]))


def json_from_vectors(c):
    n = 0
    for r in vectors():
        for f in r["bytes"]:
            if f[:1] in (b"{", b"[") and len(f) < 4096:
                try:
                    json.loads(f)
                except ValueError:
                    continue
                if c.seeds.get("json") and f in c.seeds["json"].values():
                    continue
                c.add("json", "vec-%03d" % n, f)
                if f[:1] == b"{":
                    c.add("json_scan", "vec-%03d" % n, f)
                n += 1


# ---- hand-written VIP sessions ------------------------------------------------

def router_extras(c):
    def a(*f):
        return msg(*f)

    def fb(*f):
        return GS + msg(*f)

    sub = json.dumps({"prefix": "devices/", "bus": "", "all_platforms": False})
    pub = json.dumps({"bus": "", "headers": {"Date": "2024-01-01T00:00:00+00:00"},
                      "message": [{"t": 21.5}, {"t": {"units": "degC"}}]})
    c.add("router", "pubsub-deliver", session(
        fb("", "VIP1", "", "s1", "pubsub", "subscribe", sub),
        a("", "VIP1", "", "p1", "pubsub", "publish", "devices/campus/b1/all", pub),
        a("", "VIP1", "", "p2", "pubsub", "publish", "heartbeat/fuzz.a",
          json.dumps({"bus": "", "headers": {}, "message": "GOOD"})),
        fb("", "VIP1", "", "l1", "pubsub", "list",
           json.dumps({"prefix": "", "subscribed": True, "reverse": False, "bus": "",
                       "all_platforms": False})),
        fb("", "VIP1", "", "u1", "pubsub", "unsubscribe",
           json.dumps({"internal": {"prefix": ["devices/"], "bus": ""}})),
        fb("", "VIP1", "", "y1", "pubsub", "synchronize", "connected",
           json.dumps({"subscriptions": {"internal": {"": ["a/", "b"]}, "all": {"x": [""]}}}))))
    c.add("router", "pubsub-bus", session(
        fb("", "VIP1", "", "s1", "pubsub", "subscribe",
           json.dumps({"prefix": "", "bus": "other", "all_platforms": True})),
        a("", "VIP1", "", "p1", "pubsub", "publish", "x/y",
          json.dumps({"bus": "other", "headers": {}, "message": None, "sender": "spoof"}))))
    cs = "config.store"
    c.add("router", "config-store", session(
        a(cs, "VIP1", "", "c1", "RPC",
          rpc_call("set_config", ["fuzz.a", "config", '{"a": "config://reg.csv"}', "json"])),
        a(cs, "VIP1", "", "c2", "RPC",
          rpc_call("set_config", ["fuzz.a", "reg.csv", "Point,Units\nx,degF\n", "csv"])),
        a(cs, "VIP1", "", "c3", "RPC",
          rpc_call("set_config", {"identity": "fuzz.a", "config_name": "raw",
                                  "raw_contents": "text", "config_type": "raw"})),
        a(cs, "VIP1", "", "c4", "RPC", rpc_call("get_config", ["fuzz.a", "config", False])),
        a(cs, "VIP1", "", "c5", "RPC", rpc_call("get_metadata", ["fuzz.a", "reg.csv"])),
        a(cs, "VIP1", "", "c6", "RPC", rpc_call("list_configs", ["fuzz.a"])),
        a(cs, "VIP1", "", "c7", "RPC", rpc_call("list_stores", [])),
        a(cs, "VIP1", "", "c8", "RPC", rpc_call("initialize_configs", ["fuzz.a"])),
        a(cs, "VIP1", "", "c9", "RPC", rpc_call("delete_config", ["fuzz.a", "raw"])),
        a(cs, "VIP1", "", "c10", "RPC", rpc_call("delete_store", ["fuzz.a"]))))
    c.add("router", "health", session(
        a("platform.health", "VIP1", "", "h1", "RPC", rpc_call("get_platform_health", [])),
        a("platform.health", "VIP1", "", "h2", "RPC", rpc_call("inspect", []))))
    c.add("router", "router-subsystems", session(
        a("", "VIP1", "", "q1", "query", "volttron-home"),
        a("", "VIP1", "", "q2", "query", "agent-monitor-frequency"),
        a("", "VIP1", "", "q3", "query", "local_address"),
        a("", "VIP1", "", "x1", "routing_table", "get"),
        a("", "VIP1", "", "x2", "quit"),
        a("", "VIP1", "", "x3", "error", "1", "x"),
        fb("", "VIP1", "", "x4", "agentstop", "fuzz.a"),
        a("fuzz.b", "VIP1", "", "x5", "ping", "ping", "data"),
        a("control", "VIP1", "", "x6", "RPC", rpc_call("shutdown", []))))
    c.add("router", "malformed", session(
        a("", ""),
        a("fuzz.b"),
        a("", "VIP2", "", "x", "ping", "ping"),
        a("", "VIP1", "", "x", "", "ping"),
        a("", "VIP1", "", "x", "ping", *(["f"] * 66)),
        a("", "VIP1", "", "x", "ping", "ping", "z" * 2100),
        a("config.store", "VIP1", "", "x", "RPC", "{not json")))


def agent_extras(c):
    ag = "fuzz.agent"

    def call(method, params, caller="fuzz.caller", id_="c1", peer=None):
        return msg(peer or caller, "VIP1", caller, "m1", "RPC", rpc_call(method, params, id_))

    caps = {"config.store": {"sync_agent_config": None}, "fuzz.caller": {"admin": None}}
    c.add("agent", "rpc-serve", session(
        call("echo", [1, "two", {"3": [4.5, None, True]}]),
        call("echo", {"*args": [1], "**kwargs": {"b": 2}}),
        call("echo", {"a": 1, "b": 2}),
        call("fail", ["because"]),
        call("later", ["x"]),
        call("never", []),
        call("inspect", []),
        call("echo.inspect", []),
        call("no_such", []),
        msg("fuzz.caller", "VIP1", "fuzz.caller", "m2", "RPC",
            json.dumps([json.loads(rpc_call("echo", [1], "b1")),
                        json.loads(rpc_call("fail", [], "b2")),
                        {"jsonrpc": "2.0", "method": "echo", "params": [3]}])),
        msg("fuzz.caller", "VIP1", "fuzz.caller", "m3", "RPC",
            '{"jsonrpc": "1.0", "method": 5, "id": null}')))
    c.add("agent", "rpc-auth", session(
        call("guarded", ["fuzz.agent", 1]),
        msg("platform.auth", "VIP1", "platform.auth", "vt.10", "RPC", rpc_result("vt.10", caps)),
        call("auth.update", [caps], caller="platform.auth"),
        call("guarded", {"identity": "other", "value": 2}, caller="nobody"),
        call("auth.get_rpc_authorizations", ["guarded"], caller="platform.auth"),
        call("auth.set_rpc_authorizations", ["echo", ["edit"]], caller="platform.auth")))
    c.add("agent", "config", session(
        call("auth.update", [caps], caller="platform.auth"),
        call("config.initial_update",
             [{"config": {"interval": 10, "registry": "config://reg.csv"},
               "reg.csv": [{"Point": "x"}], "raw": "text"}], caller="config.store"),
        msg("config.store", "VIP1", "config.store", "vt.2", "RPC", rpc_result("vt.2", None)),
        call("config.update", {"*args": ["UPDATE", "reg.csv"],
                               "**kwargs": {"contents": [{"Point": "y"}],
                                            "trigger_callback": True}}, caller="config.store"),
        call("config.update", ["NEW", "devices/x", {"a": "config://config"}, True],
             caller="config.store"),
        call("config.update", ["DELETE", "raw"], caller="config.store"),
        msg("config.store", "VIP1", "config.store", "vt.9", "RPC",
            rpc_error("vt.9", -32000, "unhandled exception", "builtins.KeyError"))))
    c.add("agent", "replies", session(
        msg("fuzz.peer", "VIP1", "fuzz.peer", "vt.3", "RPC", rpc_result("vt.3", [1, {"a": None}])),
        msg("", "VIP1", ag, "vt.4", "peerlist", "listing", "fuzz.peer", "config.store"),
        msg("", "VIP1", "", "vt.1", "query", "", "fuzz-instance"),
        msg("fuzz.peer", "VIP1", "fuzz.peer", "vt.6", "ping", "pong"),
        msg("", "VIP1", ag, "vt.7", "pubsub", "list_response", '[["", "devices/", true]]'),
        msg("", "VIP1", ag, "vt.8", "pubsub", "request_response", b"\x02\x00\x00\x00"),
        msg("", "VIP1", "", "", "peerlist", "add", "fuzz.peer"),
        msg("", "VIP1", "", "", "peerlist", "drop", "fuzz.peer"),
        msg("fuzz.peer", "VIP1", "fuzz.peer", "", "channel", "fuzz-channel", "data", "more")))
    c.add("agent", "errors", session(
        msg("", "VIP1", ag, "vt.3", "error", "113", "No route to host", "fuzz.peer", "RPC"),
        msg("", "VIP1", ag, "vt.6", "error", b"q\x00\x00\x00", "No route to host", "fuzz.peer",
            "ping"),
        msg("", "VIP1", ag, "vt.4", "error", "93", "Protocol not supported", "", "peerlist"),
        msg("fuzz.peer", "VIP1", "fuzz.peer", "vt.3", "RPC",
            rpc_error("vt.3", -32601, "unimplemented method"))))
    body = {"sender": "fuzz.peer", "bus": "", "headers": {"Date": "2024-01-01T00:00:00Z"},
            "message": [{"t": 21.5}, {"t": {"type": "float"}}]}
    c.add("agent", "pubsub", session(
        msg("", "VIP1", "", "", "pubsub", "publish", "devices/campus/b1/all", json.dumps(body)),
        msg("", "VIP1", "", "", "pubsub", "publish", "any/topic",
            json.dumps(dict(body, bus="fuzz"))),
        msg("", "VIP1", "", "", "pubsub", "publish", "devices/x", "not json"),
        msg("fuzz.peer", "VIP1", "fuzz.peer", "h1", "hello", "hello"),
        msg("fuzz.peer", "VIP1", "fuzz.peer", "p1", "ping", "ping", "x"),
        msg("fuzz.peer", "VIP1", "fuzz.peer", "u1", "nosuchsubsystem", "x")))


def actuator_extras(c):
    dev = "campus/bldg/dev1"
    slot = [dev, "2020-01-01 00:00:00", "2099-01-01 00:00:00"]

    def call(method, params, caller="fuzz.caller", id_="r1"):
        return msg(caller, "VIP1", caller, "c1", "RPC", rpc_call(method, params, id_))

    def driver(id_, result=None, error=None):
        body = rpc_error(id_, -32000, *error) if error else rpc_result(id_, result)
        return msg("platform.driver", "VIP1", "platform.driver", id_, "RPC", body)

    # The actuator's first request of its own is vt.1 (the instance name);
    # its calls to the driver follow: vt.2, vt.3, ...
    c.add("actuator", "schedule-and-write", session(
        call("request_new_schedule", ["fuzz.caller", "task1", "HIGH", [slot]]),
        call("set_point", ["fuzz.caller", dev + "/point", 42]),
        driver("vt.2", 42),
        call("get_point", {"topic": dev, "point": "point"}),
        driver("vt.3", error=("no such point", "builtins.KeyError")),
        call("revert_point", ["fuzz.caller", dev + "/point"]),
        driver("vt.4", None),
        call("revert_device", ["fuzz.caller", dev]),
        call("request_cancel_schedule", ["fuzz.caller", "task1"])))
    c.add("actuator", "conflicts", session(
        call("request_new_schedule", ["a", "t1", "LOW_PREEMPT", slot], caller="a"),
        call("request_new_schedule", ["b", "t2", "HIGH", [slot, [dev + "2", "2030-01-01T00:00:00Z",
                                                                 "2030-01-01T01:00:00+02:00"]]],
             caller="b"),
        call("request_new_schedule", ["c", "t3", "LOW", [[dev, "2099-01-01 00:00:00",
                                                         "2098-01-01 00:00:00"]]], caller="c"),
        call("request_new_schedule", ["c", "t4", "NOPE", None], caller="c"),
        call("request_new_schedule", {"requester_id": "c", "task_id": 5, "priority": "HIGH",
                                      "requests": "x"}, caller="c"),
        call("request_cancel_schedule", ["a", "t9"], caller="a")))
    c.add("actuator", "multi", session(
        call("request_new_schedule", ["fuzz.caller", "task1", "HIGH", [slot]]),
        call("get_multiple_points", [[dev + "/a", [dev, "b"], 5]]),
        driver("vt.2", {"a": 1}),
        call("set_multiple_points", ["fuzz.caller", [[dev + "/a", 1], [dev + "/b", "x"]]]),
        driver("vt.3", {}),
        call("scrape_all", [dev]),
        driver("vt.4", {"a": 1, "b": 2}),
        call("set_point", ["fuzz.caller", "other/dev/p", 1], caller="fuzz.caller")))
    headers = {"type": "NEW_SCHEDULE", "requesterID": "fuzz.caller", "taskID": "ps1",
               "priority": "LOW"}

    def publish(topic, hdrs, message):
        return msg("", "VIP1", "", "", "pubsub", "publish", topic,
                   json.dumps({"sender": "fuzz.caller", "bus": "", "headers": hdrs,
                               "message": message}))

    c.add("actuator", "pubsub", session(
        publish("devices/actuators/schedule/request", headers, [slot]),
        publish("devices/actuators/schedule/request", dict(headers, type="CANCEL_SCHEDULE"),
                None),
        publish("devices/actuators/schedule/request", dict(headers, type="BAD"), None),
        publish("devices/actuators/set/" + dev + "/point", {"requesterID": "fuzz.caller"}, 5),
        publish("devices/actuators/get/" + dev + "/point", {}, None),
        driver("vt.2", 5),
        publish("devices/actuators/revert/point/" + dev + "/point", {}, None),
        publish("devices/actuators/revert/device/" + dev, {}, None)))


# ---- files ---------------------------------------------------------------------

def utils_from_tests(c):
    json_funcs = ["parse", "vt_json_parse", "vt_config_parse_json"]
    for i, v in enumerate(test_literals("tests/utils/test_json.c", json_funcs)):
        c.add("json", "test-%03d" % i, v)
        c.add("json_scan", "test-%03d" % i, v)
    for i, v in enumerate(test_literals("tests/utils/test_config.c",
                                        ["assert_yaml", "assert_yaml_error",
                                         "vt_config_parse_yaml"])):
        c.add("yaml", "test-%03d" % i, v)
        c.add("config", "test-yaml-%03d" % i, b"\x02" + v)
    # assert_load(name, text, ...): the extension picks the selector byte
    # fuzz_config.c reads: 0 none, 1 .json, 2 .yaml, 3 .yml.
    with open(os.path.join(ROOT, "tests/utils/test_config.c")) as f:
        src = strip_comments(f.read())
    n = 0
    for func in ("assert_load", "assert_load_error"):
        for args in call_args(src, func):
            if len(args) < 2:
                continue
            name, text = literal(args[0]), literal(args[1])
            if name is None or text is None:
                continue
            sel = 3 if name.endswith(b".yml") else 2 if name.endswith(b".yaml") else \
                1 if name.endswith(b".json") else 0
            c.add("config", "test-load-%03d" % n, bytes([sel]) + text)
            n += 1
    ini = list(test_literals("tests/utils/test_ini.c", ["parse", "assert_parse_error",
                                                         "vt_ini_parse"]))
    ini += list(assigned_literals("tests/utils/test_ini.c", ["text"]))
    for i, v in enumerate(ini):
        c.add("ini", "test-%03d" % i, v)
    for i, v in enumerate(test_literals("tests/utils/test_csv.c", ["parse_dump",
                                                                    "vt_csv_parse"])):
        c.add("csv", "test-%03d" % i, v)
    with open(os.path.join(ROOT, "agents/platform-driver/fake.csv"), "rb") as f:
        c.add("csv", "fake.csv", f.read())


def modbus_rows():
    """The registry rows test_modbus_iface.c configures its device with."""
    with open(os.path.join(ROOT, "agents/platform-driver/tests/test_modbus_iface.c")) as f:
        src = strip_comments(f.read())
    block = re.search(r"static const row type_rows\[\] = \{(.*?)\n\};", src, re.S).group(1)
    rows = []
    for m in re.finditer(r"\{([^{}]*)\}", block):
        cells = [x.strip() for x in m.group(1).split(",")]
        rows.append([None if x == "NULL" else c_unescape(x.strip('"')).decode() for x in cells])
    return rows


def csv_text(rows):
    cols = ["Volttron Point Name", "Units", "Modbus Register", "Writable", "Point Address",
            "Default Value", "Mixed Endian", "Notes"]
    out = io.StringIO()
    out.write(",".join(cols) + "\n")
    for r in rows:
        out.write(",".join('"%s"' % x.replace('"', '""') if x and ("," in x or '"' in x)
                           else (x or "") for x in r) + "\n")
    return out.getvalue()


def modbus(c):
    rows = modbus_rows()
    memory = bytes(range(256))
    registry = csv_text(rows)
    c.add("csv", "modbus-registry.csv", registry)

    def seed(name, registry, memory=memory, value=b"42", how=b"", raw=b"", config=b""):
        c.add("modbus", name, RS.join([b(registry), memory, b(value), how, raw, b(config)]))

    seed("types", registry)
    seed("types-float-write", registry, value=b"-3.5e2")
    seed("types-bool-write", csv_text([r for r in rows if r[2].upper() == "BOOL"]),
         value=b'"on"')
    seed("exceptions", registry, how=bytes([0, 5 | 2 << 3, 5 | 4 << 3, 0, 6]))
    seed("raw-reply", registry, how=bytes([7]),
         raw=bytes.fromhex("0001000000050104020000"))
    seed("slave", csv_text(rows[:4]), config=b'{"slave_id": 247}')
    seed("big-point", csv_text([["p", "", ">d", "TRUE", "65532", "1.5", "TRUE", ""]]),
         value=b'"inf"')


def tar_seeds(c):
    def archive(members, fmt=tarfile.USTAR_FORMAT):
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w", format=fmt) as t:
            for name, data in members:
                info = tarfile.TarInfo(name)
                info.mtime = 0
                if data is None:
                    info.type = tarfile.DIRTYPE
                    info.mode = 0o755
                    t.addfile(info)
                elif isinstance(data, tuple):  # (type, linkname)
                    info.type, info.linkname = data
                    t.addfile(info)
                else:
                    info.size = len(data)
                    info.mode = 0o755 if name.endswith("agent") else 0o644
                    t.addfile(info, io.BytesIO(data))
        data = buf.getvalue()
        # The reader stops at the first zero block: drop tarfile's padding
        # to a 10 KiB record after it, which only makes seeds bigger.
        end = 0
        while end + 512 <= len(data) and data[end:end + 512] != bytes(512):
            hdr = data[end:end + 512]
            size = int(hdr[124:136].rstrip(b"\0 ") or b"0", 8)
            end += 512 + (size + 511) // 512 * 512
        return data[:end + 512]

    manifest = b'{"name": "fuzzagent", "version": "1.0", "executable": "agent"}'
    c.add("tar", "package", archive([("agent.json", manifest), ("agent", b"\x7fELF")]))
    c.add("tar", "dirs", archive([("./", None), ("./pkg", None), ("./pkg/agent.json", manifest),
                                  ("./pkg/sub/deep/f", b"x" * 600)]))
    c.add("tar", "gnu", archive([("agent.json", manifest), ("d", None)], tarfile.GNU_FORMAT))
    c.add("tar", "long-name", archive([("p" * 120 + "/" + "n" * 90, b"long")]))
    c.add("tar", "dotdot", archive([("../escape", b"no")]))
    c.add("tar", "symlink", archive([("link", (tarfile.SYMTYPE, "/etc/passwd"))]))
    c.add("tar", "duplicate", archive([("a", b"1"), ("./a", b"2")]))
    c.add("tar", "file-parent", archive([("a", b"1"), ("a/b", b"2")]))
    c.add("tar", "empty", bytes(512))


def main():
    c = Corpora()
    router_from_vectors(c)
    router_extras(c)
    agent_from_vectors(c)
    agent_extras(c)
    actuator_extras(c)
    json_from_vectors(c)
    utils_from_tests(c)
    modbus(c)
    tar_seeds(c)
    c.write()
    return 0


if __name__ == "__main__":
    sys.exit(main())
