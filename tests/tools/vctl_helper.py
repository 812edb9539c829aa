"""What test_vctl_auth.sh cannot do in the shell alone.

  free-port                      a TCP port on 127.0.0.1 nobody listens on
  start-platform VOLTTRON ADDR LOG
                                 start the platform (VOLTTRON_HOME from the
                                 environment) and return once it reports
                                 READY=1 on a notify socket of ours (systemd's
                                 protocol); prints its pid
  refuse ADDR SERVERKEY          connect over CURVE with a key pair the
                                 platform does not know; prints the public key
                                 once the platform has refused it
  auth-list FILE                 check that FILE (vctl auth list's output) is
                                 "\\nINDEX: <i>\\n" + json.dumps(entry, indent=2)
                                 + "\\n" for i = 0, 1, ...; prints the entries
                                 as one JSON list
  json FILE EXPR                 print EXPR (Python, the file's JSON as d)
"""
import base64
import json
import os
import re
import socket
import subprocess
import sys


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        print(s.getsockname()[1])


def start_platform(volttron, address, log):
    home = os.environ["VOLTTRON_HOME"]
    path = os.path.join(home, "notify.sock")
    if os.path.exists(path):
        os.unlink(path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    env = dict(os.environ, NOTIFY_SOCKET=path)
    proc = subprocess.Popen(
        [volttron, "--allow-root", "-l", log, "--vip-address", address],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=open(os.path.join(home, "volttron.stderr"), "ab"),
        start_new_session=True)
    sock.settimeout(20)
    try:
        while True:
            data = sock.recv(4096)
            if b"READY=1" in data.split(b"\n"):
                break
    except socket.timeout:
        proc.kill()
        sys.exit("volttron did not report READY=1 within 20 s (see %s)" % log)
    print(proc.pid)


def refuse(address, serverkey):
    import zmq
    import zmq.utils.monitor
    import zmq.utils.z85

    def z85(key):
        return zmq.utils.z85.encode(base64.urlsafe_b64decode(key + "="))

    public, secret = zmq.curve_keypair()
    ctx = zmq.Context()
    s = ctx.socket(zmq.DEALER)
    s.setsockopt(zmq.LINGER, 0)
    s.curve_serverkey = z85(serverkey)
    s.curve_publickey = public
    s.curve_secretkey = secret
    mon = s.get_monitor_socket(zmq.EVENT_HANDSHAKE_FAILED_AUTH
                               | zmq.EVENT_HANDSHAKE_SUCCEEDED)
    s.connect(address)
    event = None
    # the platform delays a refusal by up to a few seconds
    if mon.poll(20000):
        event = zmq.utils.monitor.recv_monitor_message(mon)["event"]
    mon.close()
    s.close()
    ctx.term()
    if event != zmq.EVENT_HANDSHAKE_FAILED_AUTH:
        sys.exit("the platform did not refuse the key (event %r)" % event)
    text = base64.urlsafe_b64encode(zmq.utils.z85.decode(public)).decode()
    print(text.rstrip("="))


def auth_list(path):
    text = open(path).read()
    blocks = re.split(r"(?m)^INDEX: (\d+)\n", text)
    if blocks[0] != "\n":
        sys.exit("auth list: expected an empty line first, got %r" % blocks[0])
    entries = []
    for k in range(1, len(blocks), 2):
        index, body = int(blocks[k]), blocks[k + 1]
        if index != len(entries):
            sys.exit("auth list: INDEX %d where %d was expected" % (index, len(entries)))
        # every block but the last ends with the blank line of the next one
        if k + 2 < len(blocks):
            if not body.endswith("\n\n"):
                sys.exit("auth list: block %d does not end with a blank line" % index)
            body = body[:-1]
        entry = json.loads(body)
        if body != json.dumps(entry, indent=2) + "\n":
            sys.exit("auth list: block %d is not json.dumps(entry, indent=2):\n%s"
                     % (index, body))
        entries.append(entry)
    print(json.dumps(entries))


def json_expr(path, expr):
    d = json.load(open(path))
    print(eval(expr, {"d": d}))


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "free-port":
        free_port()
    elif cmd == "start-platform":
        start_platform(*args)
    elif cmd == "refuse":
        refuse(*args)
    elif cmd == "auth-list":
        auth_list(*args)
    elif cmd == "json":
        json_expr(*args)
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
