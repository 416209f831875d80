#!/usr/bin/env python3
"""Integration tests: the Redis node against a real redis-server.

Usage: test_redis.py SLUICE_BINARY

Starts its own redis-server processes on free loopback ports (one open,
one with requirepass), creates `redis` credentials with `sluice
credentials create` in a temporary SLUICE_DATA_DIR and runs the workflows
in tests/integration/redis with `sluice run --json`.

Expected node outputs (redis/*.expected.json) were recorded by running the
same workflows in n8n 1.123 (/work/shared/tools/n8n-reference) against a
fresh redis-server; the server-side effects (TTLs, stored values, published
messages, connections opened) are read back over a separate connection.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

from checks import check, finish, free_port

HERE = os.path.dirname(os.path.abspath(__file__))
WF = os.path.join(HERE, "redis")
PASSWORD = "s3cr3t-Pa55-redis-7f1c"
# the credential id n8n's workflows reference (the reference run's id)
CRED_ID = "redisRef0000001"



class Resp:
    """A minimal RESP client, enough to read back what the node did."""

    def __init__(self, port, password=None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""
        if password:
            self.cmd("AUTH", password)

    def send(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.sock.sendall(out)

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("redis closed the connection")
            self.buf += chunk
        ln, self.buf = self.buf.split(b"\r\n", 1)
        return ln

    def reply(self):
        ln = self.line()
        kind, rest = ln[:1], ln[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            return RuntimeError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            while len(self.buf) < n + 2:
                self.buf += self.sock.recv(65536)
            data, self.buf = self.buf[:n], self.buf[n + 2:]
            return data.decode()
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.reply() for _ in range(n)]
        raise ValueError("bad reply %r" % ln)

    def cmd(self, *args):
        self.send(*args)
        return self.reply()

    def close(self):
        self.sock.close()


class RedisServer:
    """A redis-server child on a free loopback port, nothing saved to disk."""

    def __init__(self, *extra):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="sluice-redis-")
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "no", "--dir", self.dir, *extra],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start on port %d" % self.port)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


class Sluice:
    def __init__(self, binary):
        self.bin = binary
        self.dir = tempfile.mkdtemp(prefix="sluice-redis-data-")
        self.env = dict(os.environ, SLUICE_DATA_DIR=self.dir)
        self.env.pop("SLUICE_ENCRYPTION_KEY", None)

    def cli(self, *args):
        return subprocess.run([self.bin, *args], env=self.env, capture_output=True, text=True,
                              timeout=120)

    def credential(self, name, data, cred_id=None):
        args = ["credentials", "create", "--type", "redis", "--name", name, "--data",
                json.dumps(data)]
        if cred_id:
            args += ["--id", cred_id]
        out = self.cli(*args)
        check(out.returncode == 0, "credentials create %s (%s)" % (name, out.stderr.strip()))
        return out.stdout.strip().splitlines()[-1] if out.stdout.strip() else None

    def run(self, workflow):
        """Runs the workflow; returns (exit code, {node: [json...] or error}, stderr)."""
        out = self.cli("run", "--json", workflow)
        nodes = {}
        try:
            doc = json.loads(out.stdout)
            for name, runs in doc.get("runData", {}).items():
                r = runs[0]
                if r.get("data"):
                    nodes[name] = [i.get("json") for i in r["data"]["main"][0]]
                else:
                    nodes[name] = {"error": (r.get("error") or {}).get("message")}
        except ValueError:
            pass
        return out.returncode, nodes, out.stderr


def node_workflow(out_dir, name, params, cred, on_error=None):
    """A one-node workflow: Manual Trigger then a Redis node."""
    node = {"name": "Redis", "type": "n8n-nodes-base.redis", "typeVersion": 1,
            "position": [200, 0], "parameters": params, "credentials": {"redis": cred}}
    if on_error:
        node["onError"] = on_error
    wf = {"name": name, "nodes": [
        {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1,
         "position": [0, 0], "parameters": {}}, node],
        "connections": {"Start": {"main": [[{"node": "Redis", "type": "main", "index": 0}]]}}}
    path = os.path.join(out_dir, name + ".json")
    with open(path, "w") as f:
        json.dump(wf, f)
    return path


def compare(label, got, expected_file):
    with open(os.path.join(WF, expected_file)) as f:
        expected = json.load(f)
    for node, items in expected.items():
        check(got.get(node) == items,
              "%s: node '%s' gives n8n's items %s (got %s)" % (
                  label, node, json.dumps(items)[:160], json.dumps(got.get(node))[:160]))


def test_operations(sl, srv, tmp):
    r = Resp(srv.port)
    r.cmd("FLUSHALL")
    conns_before = int(info_field(r, "total_connections_received"))
    rc, nodes, err = sl.run(os.path.join(WF, "operations.json"))
    check(rc == 0, "operations workflow runs (%s)" % err.strip())
    compare("operations", nodes, "operations.expected.json")
    # server side: what the nodes left behind
    ttl = r.cmd("TTL", "cnt")
    check(isinstance(ttl, int) and 90 <= ttl <= 100, "incr with expire sets the TTL (%r)" % ttl)
    check(r.cmd("GET", "cnt") == "2", "incr ran once per item")
    check(r.cmd("EXISTS", "t:a") == 0 and r.cmd("GET", "t:b") == '{"x":1}',
          "delete removed t:a, set wrote t:b")
    check(r.cmd("HGETALL", "h1") == ["f", "1", "g", "2"], "set hash wrote its fields")
    check(r.cmd("SMEMBERS", "s1") == ["m1"], "set sets added the member")
    # 18 Redis nodes in one run share one pooled connection
    conns = int(info_field(r, "total_connections_received")) - conns_before
    check(conns == 1, "one sluice run opens one connection for 18 Redis nodes (%d)" % conns)
    r.close()

    r = Resp(srv.port)
    r.cmd("FLUSHALL")
    rc, nodes, err = sl.run(os.path.join(WF, "set_errors.json"))
    check(rc == 0, "set and error workflow runs (%s)" % err.strip())
    compare("set/errors", nodes, "set_errors.expected.json")
    ttl = r.cmd("TTL", "e1")
    check(isinstance(ttl, int) and 40 <= ttl <= 50, "set with expire sets the TTL (%r)" % ttl)
    check(r.cmd("LRANGE", "lx", 0, -1) == ["A", "B"], "set list overwrote the list by index")
    r.close()


def info_field(r, name):
    for line in r.cmd("INFO").split("\r\n"):
        if line.startswith(name + ":"):
            return line.split(":", 1)[1]
    return None


def test_info_publish(sl, srv, tmp, cred):
    path = node_workflow(tmp, "info", {"operation": "info"}, cred)
    rc, nodes, err = sl.run(path)
    info = (nodes.get("Redis") or [{}])[0]
    check(rc == 0 and isinstance(info, dict), "info runs (%s)" % err.strip())
    version = subprocess.run(["redis-server", "--version"], capture_output=True,
                             text=True).stdout.split("v=")[1].split()[0]
    # n8n: digits and dots become parseFloat of the text ("7.0.15" -> 7)
    check(info.get("redis_version") == float(".".join(version.split(".")[:2])),
          "info: redis_version %s read as a number (%r)" % (version, info.get("redis_version")))
    check(info.get("tcp_port") == srv.port, "info: tcp_port is a number (%r)" % info.get("tcp_port"))
    check(info.get("redis_mode") == "standalone", "info: text values stay text")
    db0 = info.get("db0")
    check(isinstance(db0, dict) and isinstance(db0.get("keys"), int) and db0["keys"] > 0,
          "info: key=value lists become objects of numbers (%r)" % db0)

    # publish: a subscriber on the channel receives the message
    sub = Resp(srv.port)
    check(sub.cmd("SUBSCRIBE", "orders")[0] == "subscribe", "subscriber ready")
    path = node_workflow(tmp, "publish", {"operation": "publish", "channel": "orders",
                                          "messageData": "={{ 'order-' + 42 }}"}, cred)
    rc, nodes, err = sl.run(path)
    check(rc == 0 and nodes.get("Redis") == [{}], "publish passes its item through (%s)" % err)
    msg = sub.reply()
    check(msg == ["message", "orders", "order-42"], "the subscriber got the message (%r)" % msg)
    sub.close()


def test_errors(sl, srv, tmp, cred):
    # connection refused: the node fails before any item, also with continueOnFail
    port = free_port()
    sl.credential("refused", {"host": "127.0.0.1", "port": port})
    path = node_workflow(tmp, "refused", {"operation": "get", "key": "a"},
                         {"id": "none", "name": "refused"}, on_error="continueRegularOutput")
    rc, nodes, err = sl.run(path)
    check("connect ECONNREFUSED 127.0.0.1:%d" % port in err,
          "a closed port fails the node with node's ECONNREFUSED message (%s)" % err.strip())

    # a type n8n cannot pick automatically, per item under continueOnFail
    path = node_workflow(tmp, "settype", {"operation": "set", "key": "n", "value": "={{ 5 }}"},
                         cred, on_error="continueRegularOutput")
    rc, nodes, err = sl.run(path)
    check(nodes.get("Redis") == [
        {"error": "Could not identify the type to set. Please set it manually!"}],
        "set of a number with keyType automatic gives n8n's error item (%r)" % nodes.get("Redis"))
    # and without continueOnFail the run fails with that message
    path = node_workflow(tmp, "settype2", {"operation": "set", "key": "n", "value": "={{ 5 }}"},
                         cred)
    rc, nodes, err = sl.run(path)
    check(rc != 0 and "Could not identify the type to set" in err,
          "without continueOnFail the run fails (%s)" % err.strip())

    # a credential that is not there
    path = node_workflow(tmp, "nocred", {"operation": "info"}, {"id": "nope", "name": "nope"})
    rc, nodes, err = sl.run(path)
    check(rc != 0 and "credential 'nope' (redis) does not exist" in err,
          "a missing credential is named in the error (%s)" % err.strip())


def test_password(sl, tmp):
    srv = RedisServer("--requirepass", PASSWORD)
    try:
        cid = sl.credential("locked", {"host": "127.0.0.1", "port": srv.port,
                                       "password": PASSWORD, "user": "", "database": 3,
                                       "ssl": False})
        cred = {"id": cid, "name": "locked"}
        path = node_workflow(tmp, "pwset", {"operation": "set", "key": "secret-key",
                                            "value": "v1"}, cred)
        rc, nodes, err = sl.run(path)
        check(rc == 0, "set on a password-protected server (%s)" % err.strip())
        r = Resp(srv.port, PASSWORD)
        r.cmd("SELECT", 3)
        check(r.cmd("GET", "secret-key") == "v1", "the value is in database 3 (credential's)")
        r.close()
        path = node_workflow(tmp, "pwget", {"operation": "get", "key": "secret-key",
                                            "propertyName": "got"}, cred)
        rc, nodes, err = sl.run(path)
        check(nodes.get("Redis") == [{"got": "v1"}], "get with the password (%r)" % nodes)

        # n8n's messages: no password -> NOAUTH on the first command; a wrong one -> WRONGPASS
        sl.credential("nopass", {"host": "127.0.0.1", "port": srv.port})
        path = node_workflow(tmp, "nopass", {"operation": "get", "key": "a"},
                             {"id": "x", "name": "nopass"})
        rc, nodes, err = sl.run(path)
        check(rc != 0 and "NOAUTH Authentication required." in err,
              "no password: NOAUTH (%s)" % err.strip())
        sl.credential("badpass", {"host": "127.0.0.1", "port": srv.port,
                                  "password": "not-" + PASSWORD})
        path = node_workflow(tmp, "badpass", {"operation": "get", "key": "a"},
                             {"id": "x", "name": "badpass"})
        rc, nodes, err = sl.run(path)
        check(rc != 0 and "WRONGPASS" in err and PASSWORD not in err,
              "wrong password: WRONGPASS, the password not in the error (%s)" % err.strip())

        # the password is nowhere in the data directory in clear text
        found = []
        for root, _, files in os.walk(sl.dir):
            for f in files:
                with open(os.path.join(root, f), "rb") as fh:
                    if PASSWORD.encode() in fh.read():
                        found.append(f)
        out = subprocess.run(["grep", "-r", "-a", "-l", PASSWORD, sl.dir], capture_output=True)
        check(not found and out.returncode == 1,
              "grep finds no clear-text password in the data directory (%s)" % found)
        listing = sl.cli("credentials", "list", "--json")
        check(PASSWORD not in listing.stdout and "locked" in listing.stdout,
              "credentials list shows the credential but not its password")
    finally:
        srv.stop()


def main():
    sluice = os.path.abspath(sys.argv[1])
    if not shutil.which("redis-server"):
        print("FAIL redis-server is not installed (scripts/install-deps installs it)")
        return 1
    sl = Sluice(sluice)
    tmp = tempfile.mkdtemp(prefix="sluice-redis-wf-")
    srv = RedisServer()
    try:
        cred = {"id": CRED_ID, "name": "R1"}
        sl.credential("R1", {"host": "127.0.0.1", "port": srv.port, "password": "",
                             "user": "", "database": 0, "ssl": False}, CRED_ID)
        test_operations(sl, srv, tmp)
        test_info_publish(sl, srv, tmp, cred)
        test_errors(sl, srv, tmp, cred)
        test_password(sl, tmp)
    finally:
        srv.stop()
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(sl.dir, ignore_errors=True)
    finish()
    return 0


if __name__ == "__main__":
    sys.exit(main())
