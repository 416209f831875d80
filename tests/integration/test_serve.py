#!/usr/bin/env python3
"""Integration tests: the real `sluice serve` on loopback.

Usage: test_serve.py SLUICE_BINARY GROUP

Each group starts its own server (own data directory, own port) with the
workflows in tests/integration/workflows imported and activated through
`sluice import --activate`, talks to it over HTTP and checks what an
operator would see: answers, stored executions, metrics, and how the
server behaves when it is full, stopped, or loses a worker or itself.
Expected values come from n8n's documented webhook behaviour and from
sluice's own contract (docs/serve.md); none is read back from the output
under test.
"""
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

from checks import check, finish, free_port

HERE = os.path.dirname(os.path.abspath(__file__))
WORKFLOWS = os.path.join(HERE, "workflows")
EXAMPLES = os.path.join(HERE, "..", "..", "examples")
with open(os.path.join(EXAMPLES, "orders.json")) as _f:
    ORDERS = json.load(_f)



class Server:
    """A `sluice serve` process with its own data directory."""

    def __init__(self, sluice, env=None, data_dir=None, workflows=None, examples=None):
        self.sluice = sluice
        self.dir = data_dir or tempfile.mkdtemp(prefix="sluice-it-")
        self.port = free_port()
        self.env = dict(os.environ)
        self.env.update({"SLUICE_DATA_DIR": self.dir, "SLUICE_PORT": str(self.port),
                         "SLUICE_HOST": "127.0.0.1", "SLUICE_WORKERS": "2"})
        self.env.update(env or {})
        self.proc = None
        self.log = os.path.join(self.dir, "serve.log")
        if workflows:
            files = [os.path.join(WORKFLOWS, w + ".json") for w in workflows]
            files += [os.path.join(EXAMPLES, w + ".json") for w in examples or []]
            out = self.cli("import", *files, "--activate")
            check(out.returncode == 0, "import --activate %s (%s)" % (
                ", ".join(workflows), out.stderr.strip()))

    def cli(self, *args):
        return subprocess.run([self.sluice, *args], env=self.env, capture_output=True,
                              text=True, timeout=60)

    def start(self, wait=True):
        self.logf = open(self.log, "a")
        self.proc = subprocess.Popen([self.sluice, "serve"], env=self.env,
                                     stdout=self.logf, stderr=self.logf)
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout=20):
        end = time.time() + timeout
        while time.time() < end:
            if self.proc.poll() is not None:
                break
            try:
                code, _, _ = self.request("GET", "/healthz/readiness", timeout=1)
                if code == 200:
                    return True
            except OSError:
                pass
            time.sleep(0.05)
        check(False, "server ready within %d s (log: %s)" % (timeout, self.tail()))
        return False

    def tail(self):
        try:
            with open(self.log) as f:
                return f.read()[-2000:]
        except OSError:
            return ""

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def request(self, method, path, body=None, headers=None, timeout=30):
        data = body
        hdrs = dict(headers or {})
        if isinstance(body, (dict, list)):
            data = json.dumps(body).encode()
            hdrs.setdefault("content-type", "application/json")
        elif isinstance(body, str):
            data = body.encode()
        req = urllib.request.Request(self.url(path), data=data, method=method, headers=hdrs)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def json(self, method, path, body=None, headers=None, timeout=30):
        code, hdrs, raw = self.request(method, path, body, headers, timeout)
        try:
            return code, hdrs, json.loads(raw) if raw else None
        except ValueError:
            return code, hdrs, raw

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode if self.proc else None

    def executions(self, *args):
        out = self.cli("executions", "list", "--json", "--limit", "0", *args)
        if out.returncode != 0:
            check(False, "executions list: " + out.stderr.strip())
            return []
        return json.loads(out.stdout)

    def wait_settled(self, timeout=30):
        """Waits until no execution is new or running."""
        end = time.time() + timeout
        while time.time() < end:
            busy = [e for e in self.executions() if e["status"] in ("new", "running")]
            if not busy:
                return True
            time.sleep(0.2)
        return False

    def worker_pids(self):
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True)
        return [int(p) for p in out.stdout.split()]


def wait_gone(pid, timeout):
    """True once `pid` has exited (gone, or a zombie nobody reaped yet)."""
    end = time.time() + timeout
    while time.time() < end:
        try:
            with open("/proc/%d/stat" % pid) as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return True
        except OSError:
            return True
        time.sleep(0.05)
    return False


# ------------------------------------------------------------------ groups

def group_webhooks(sluice):
    s = Server(sluice, workflows=["received", "last", "respond", "fails", "params"]).start()
    try:
        code, _, body = s.json("POST", "/webhook/received", {"id": "r1"})
        check(code == 200 and body == {"message": "Workflow was started"},
              "onReceived answers 200 'Workflow was started' at once: %s %s" % (code, body))
        code, _, body = s.json("POST", "/webhook/last?tag=t1", {"n": 21})
        check(code == 200 and body == {"doubled": 42, "q": "t1"},
              "lastNode answers the last node's first item (body and query reach it): %s %s"
              % (code, body))
        code, hdrs, body = s.json("POST", "/webhook/respond", {"n": 7})
        check(code == 201 and body == {"got": 7},
              "responseNode answers with Respond to Webhook's code and body: %s %s" % (code, body))
        check(hdrs.get("x-sluice-test") == "yes" or hdrs.get("X-Sluice-Test") == "yes",
              "responseNode sends Respond to Webhook's headers: %s" % hdrs)
        code, _, body = s.json("POST", "/webhook/fails", {})
        check(code == 500, "lastNode answers 500 when the workflow fails: %s %s" % (code, body))
        # a dynamic path is registered under the node's webhookId, as in n8n
        code, _, body = s.json("GET", "/webhook/5f1c0e2a-orders/orders/A-17?x=1")
        check(code == 200 and body == {"id": "A-17", "q": {"x": "1"}},
              "path parameters reach the items (params.id): %s %s" % (code, body))
        code, _, body = s.json("GET", "/webhook/5f1c0e2a-orders/orders")
        check(code == 404, "a dynamic path without its parameter is not registered: %s" % code)
        code, _, body = s.json("POST", "/webhook/nope", {})
        check(code == 404 and "not registered" in json.dumps(body),
              "an unknown webhook is 404 'not registered': %s %s" % (code, body))
        code, _, _ = s.json("GET", "/webhook/last")
        check(code in (404, 405), "a webhook asked with the wrong method is refused: %s" % code)
        # the test URL runs any stored workflow once, in manual mode
        code, _, body = s.json("POST", "/webhook-test/last", {"n": 1})
        check(code == 200 and body.get("doubled") == 2,
              "/webhook-test/ runs the workflow: %s %s" % (code, body))
        check(s.wait_settled(), "every execution finished")
        rows = s.executions()
        by = {}
        for r in rows:
            by.setdefault((r["workflowId"], r["status"], r["mode"]), 0)
            by[(r["workflowId"], r["status"], r["mode"])] += 1
        check(by.get(("itReceived000001", "success", "webhook")) == 1,
              "the onReceived execution is stored as success: %s" % by)
        check(by.get(("itFailsLastNod01", "error", "webhook")) == 1,
              "the failed execution is stored as error: %s" % by)
        check(by.get(("itLastNode000001", "success", "manual")) == 1,
              "the test-URL execution is stored with mode manual: %s" % by)
        for r in rows:
            check(r["startedAt"] and r["stoppedAt"],
                  "execution %s has start and stop times" % r["id"])
        # /healthz and /metrics
        code, _, body = s.json("GET", "/healthz")
        check(code == 200 and body.get("status") == "ok", "/healthz is 200: %s" % body)
        code, _, body = s.json("GET", "/healthz/readiness")
        check(code == 200, "/healthz/readiness is 200 with workers up: %s" % body)
        code, hdrs, raw = s.request("GET", "/metrics")
        text = raw.decode()
        check(code == 200 and "text/plain" in hdrs.get("Content-Type", hdrs.get("content-type", "")),
              "/metrics answers Prometheus text")
        for name in ("sluice_workflow_executions_total", "sluice_execution_duration_seconds_bucket",
                     "sluice_node_duration_seconds_bucket", "sluice_queue_depth",
                     "sluice_queue_oldest_age_seconds", "sluice_workers",
                     "sluice_http_requests_total", "sluice_active_workflows",
                     "process_resident_memory_bytes", "process_cpu_seconds_total",
                     "process_open_fds"):
            check(name in text, "/metrics has %s" % name)
        check('sluice_workflow_executions_total{workflow_id="itLastNode000001",status="success",'
              'mode="webhook"} 1' in text, "/metrics counts the lastNode execution once")
        check("sluice_active_workflows 5" in text, "/metrics: 5 active workflows")
        check('sluice_workers{state="up"} 2' in text, "/metrics: 2 workers up")
        # request bodies over the limit
    finally:
        s.stop()
    s2 = Server(sluice, env={"SLUICE_PAYLOAD_SIZE_MAX": "1000"}, workflows=["last"]).start()
    try:
        code, _, body = s2.json("POST", "/webhook/last", {"n": 1, "pad": "x" * 2000})
        check(code == 413, "a body over SLUICE_PAYLOAD_SIZE_MAX is 413: %s %s" % (code, body))
        code, _, body = s2.json("POST", "/webhook/last", {"n": 2})
        check(code == 200 and body.get("doubled") == 4, "a body under the limit still runs")
    finally:
        s2.stop()


def group_admission(sluice):
    """Past the concurrency limit and the queue: 503 with Retry-After."""
    s = Server(sluice, env={"SLUICE_WORKERS": "1", "SLUICE_WORKER_CONCURRENCY": "1",
                            "SLUICE_CONCURRENCY_LIMIT": "1", "SLUICE_QUEUE_MAX": "1"},
               workflows=["slow"]).start()
    try:
        results = []

        def call(ms):
            results.append(s.json("POST", "/webhook/slow", {"ms": ms}))

        threads = [threading.Thread(target=call, args=(1500,)) for _ in range(2)]
        for t in threads:
            t.start()
            time.sleep(0.3)  # the first runs, the second waits in the queue
        code, hdrs, body = s.json("POST", "/webhook/slow", {"ms": 0})
        check(code == 503, "a third request finds the slot and the queue full: 503 (%s)" % code)
        check(hdrs.get("Retry-After") == "1" or hdrs.get("retry-after") == "1",
              "503 carries Retry-After: %s" % hdrs)
        for t in threads:
            t.join()
        codes = sorted(r[0] for r in results)
        check(codes == [200, 200], "the running and the queued request both finish: %s" % codes)
    finally:
        s.stop()


def group_drain(sluice):
    """SIGTERM: in-flight executions finish, new work is refused, exit 0."""
    s = Server(sluice, env={"SLUICE_GRACEFUL_SHUTDOWN_TIMEOUT": "20"},
               workflows=["slow", "last"]).start()
    result = {}

    def call():
        result["slow"] = s.json("POST", "/webhook/slow", {"ms": 1500})

    t = threading.Thread(target=call)
    t.start()
    end = time.time() + 10  # SIGTERM once the slow execution runs
    while time.time() < end and not any(r["status"] == "running" for r in s.executions()):
        time.sleep(0.05)
    s.proc.send_signal(signal.SIGTERM)
    time.sleep(0.2)
    try:
        code, _, _ = s.json("POST", "/webhook/last", {"n": 1}, timeout=5)
        check(code == 503, "while draining, a new webhook is 503: %s" % code)
    except OSError as e:
        check(False, "while draining, the server still answers (503): %s" % e)
    t.join()
    code, _, body = result.get("slow", (None, None, None))
    check(code == 200 and body == {"slept": 1500},
          "the in-flight execution finished and answered: %s %s" % (code, body))
    try:
        rc = s.proc.wait(20)
    except subprocess.TimeoutExpired:
        rc = None
        s.proc.kill()
    check(rc == 0, "the server exits 0 after draining: %s (log: %s)" % (rc, s.tail() if rc else ""))
    rows = s.executions()
    check(any(r["workflowId"] == "itSlowLastNode01" and r["status"] == "success" for r in rows),
          "the drained execution is stored as success")


def group_worker_crash(sluice):
    """A worker killed mid-execution: crashed, retried, the client answered."""
    s = Server(sluice, env={"SLUICE_WORKERS": "1"}, workflows=["slow"]).start()
    try:
        result = {}

        def call():
            result["r"] = s.json("POST", "/webhook/slow", {"ms": 1500})

        t = threading.Thread(target=call)
        t.start()
        time.sleep(0.5)
        pids = s.worker_pids()
        check(len(pids) == 1, "one worker process: %s" % pids)
        for p in pids:
            os.kill(p, signal.SIGKILL)
        t.join(30)
        code, _, body = result.get("r", (None, None, None))
        check(code == 200 and body == {"slept": 1500},
              "the retry of the crashed execution answered the waiting client: %s %s"
              % (code, body))
        check(s.wait_settled(), "every execution finished")
        rows = s.executions()
        crashed = [r for r in rows if r["status"] == "crashed"]
        ok = [r for r in rows if r["status"] == "success"]
        check(len(crashed) == 1, "the killed execution is stored as crashed: %s" % rows)
        check(len(ok) == 1 and ok[0]["mode"] == "retry",
              "its retry ran with mode retry and succeeded: %s" % rows)
        out = s.cli("executions", "show", ok[0]["id"]) if ok else None
        check(out is not None and crashed and crashed[0]["id"] in out.stdout,
              "the retry names the crashed execution it retries")
        new_pids = s.worker_pids()
        check(len(new_pids) == 1 and new_pids != pids, "the worker was restarted: %s" % new_pids)
        code, _, _ = s.json("GET", "/healthz/readiness")
        check(code == 200, "ready again after the restart")
    finally:
        s.stop()


def group_kill9(sluice):
    """kill -9 of the whole server under load, then a restart: every
    execution whose webhook got a 2xx is stored and finished."""
    s = Server(sluice, workflows=["received"]).start()
    acked, lock, stop = [], threading.Lock(), threading.Event()

    def load(k):
        i = 0
        while not stop.is_set():
            rid = "c%d-%d" % (k, i)
            i += 1
            try:
                code, _, _ = s.request("POST", "/webhook/received", {"id": rid}, timeout=5)
            except OSError:
                return
            if 200 <= code < 300:
                with lock:
                    acked.append(rid)

    threads = [threading.Thread(target=load, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    time.sleep(3)
    pgid_children = s.worker_pids()
    os.kill(s.proc.pid, signal.SIGKILL)
    stop.set()
    for t in threads:
        t.join()
    s.proc.wait()
    for p in pgid_children:
        check(wait_gone(p, 5), "worker %d exited with the server" % p)
    check(len(acked) > 20, "load ran before the kill (%d acknowledged)" % len(acked))
    s2 = Server(sluice, data_dir=s.dir)
    s2.env = dict(s.env)
    s2.port = free_port()
    s2.env["SLUICE_PORT"] = str(s2.port)
    s2.start()
    try:
        check(s2.wait_settled(60), "after the restart every execution finished")
        done = set()
        cursor = None
        key = s2.cli("apikey", "create", "--label", "kill9").stdout.strip().splitlines()[-1]
        while True:
            q = "/api/v1/executions?workflowId=itReceived000001&status=success&includeData=true" \
                "&limit=250" + ("&cursor=" + cursor if cursor else "")
            code, _, page = s2.json("GET", q, headers={"X-API-KEY": key})
            if not check(code == 200, "API lists executions with data: %s" % code):
                break
            for e in page["data"]:
                rd = e["data"]["resultData"]["runData"]
                for item in rd["Keep"][0]["data"]["main"][0]:
                    done.add(item["json"]["id"])
            cursor = page.get("nextCursor")
            if not cursor:
                break
        missing = [a for a in acked if a not in done]
        check(not missing, "every acknowledged webhook (%d) has a finished execution; missing: %s"
              " (data: %s)" % (len(acked), missing[:10], s.dir))
    finally:
        s2.stop()


def group_api(sluice):
    s = Server(sluice, workflows=["last"]).start()
    try:
        code, _, body = s.json("GET", "/api/v1/workflows")
        check(code == 401, "the API without a key is 401: %s %s" % (code, body))
        code, _, body = s.json("GET", "/api/v1/workflows", headers={"X-API-KEY": "sl_wrong"})
        check(code == 401, "the API with a wrong key is 401: %s" % code)
        out = s.cli("apikey", "create", "--label", "it")
        key = out.stdout.strip().splitlines()[-1] if out.returncode == 0 else ""
        check(key.startswith("sl_"), "apikey create prints a key")
        h = {"X-API-KEY": key}
        code, _, body = s.json("GET", "/api/v1/workflows", headers=h)
        check(code == 200 and [w["id"] for w in body["data"]] == ["itLastNode000001"],
              "GET /workflows lists the imported workflow: %s" % code)
        code, _, body = s.json("GET", "/api/v1/workflows", headers={"X-N8N-API-KEY": key})
        check(code == 200, "X-N8N-API-KEY is accepted too")
        with open(os.path.join(WORKFLOWS, "respond.json")) as f:
            doc = json.load(f)
        doc.pop("id")
        doc["settings"] = {}
        code, _, body = s.json("POST", "/api/v1/workflows", doc, headers=h)
        check(code == 200 and body.get("id"), "POST /workflows creates: %s %s" % (code, body))
        wid = body.get("id") if isinstance(body, dict) else None
        code, _, _ = s.json("POST", "/webhook/respond", {"n": 1})
        check(code == 404, "an inactive workflow's webhook is not registered: %s" % code)
        code, _, body = s.json("POST", "/api/v1/workflows/%s/activate" % wid, headers=h)
        check(code == 200 and body.get("active") is True, "activate: %s" % code)
        time.sleep(0.5)  # the server reloads on the store change
        code, _, body = s.json("POST", "/webhook/respond", {"n": 5})
        check(code == 201 and body == {"got": 5}, "the activated webhook answers: %s %s"
              % (code, body))
        code, _, body = s.json("POST", "/api/v1/workflows/%s/deactivate" % wid, headers=h)
        check(code == 200 and body.get("active") is False, "deactivate: %s" % code)
        time.sleep(0.5)
        code, _, _ = s.json("POST", "/webhook/respond", {"n": 1})
        check(code == 404, "the deactivated webhook is gone: %s" % code)
        code, _, _ = s.json("POST", "/webhook/last", {"n": 1})
        check(code == 200, "a second execution to page through")
        code, _, body = s.json("GET", "/api/v1/executions?limit=1", headers=h)
        check(code == 200 and len(body["data"]) == 1 and body.get("nextCursor"),
              "GET /executions pages with limit and nextCursor: %s" % body)
        first = body["data"][0]["id"] if code == 200 else None
        code, _, body = s.json("GET", "/api/v1/executions?limit=1&cursor=%s" % body["nextCursor"],
                               headers=h)
        check(code == 200 and body["data"] and body["data"][0]["id"] != first,
              "the cursor gives the next page")
        code, _, body = s.json("DELETE", "/api/v1/workflows/%s" % wid, headers=h)
        check(code == 200, "DELETE /workflows/{id}: %s" % code)
        code, _, body = s.json("GET", "/api/v1/workflows/%s" % wid, headers=h)
        check(code == 404, "the deleted workflow is 404: %s" % code)
        api_credentials(s, h)
    finally:
        s.stop()


def api_credentials(s, h):
    """The credential routes (n8n's public API shapes); the secret sent is
    never in an answer, an error, the server's log or the data directory."""
    secret = "api-Secret-%d-Xw" % os.getpid()
    code, _, raw = s.request("POST", "/api/v1/credentials", {
        "name": "Hook header", "type": "httpHeaderAuth",
        "data": {"name": "X-Token", "value": secret}}, headers=h)
    body = json.loads(raw) if code == 200 else {}
    check(code == 200 and sorted(body) == ["createdAt", "id", "name", "type", "updatedAt"]
          and body["type"] == "httpHeaderAuth" and secret.encode() not in raw,
          "POST /credentials answers {id, name, type, createdAt, updatedAt}: %s %s" % (code, raw))
    cid = body.get("id")
    out = s.cli("credentials", "list")
    check(cid and cid in out.stdout and secret not in out.stdout,
          "the API's credential is in the store")
    code, _, raw = s.request("POST", "/api/v1/credentials", {
        "name": "x", "type": "noSuchType", "data": {"value": secret}}, headers=h)
    check(code == 400 and b"req.body.type is not a known type" in raw and secret.encode() not in raw,
          "an unknown type is 400: %s %s" % (code, raw))
    code, _, raw = s.request("POST", "/api/v1/credentials", {
        "name": "x", "type": "redis", "data": {"host": "h", "port": secret, "bogus": secret}},
        headers=h)
    check(code == 400 and b'request.body.data is not allowed to have the additional property '
          b'\\"bogus\\"' in raw and b"is not of a type(s) number" in raw
          and secret.encode() not in raw, "bad data is 400 naming fields, not values: %s" % raw)
    code, _, raw = s.request("POST", "/api/v1/credentials",
                             '{"name": "x", "type": "redis", "data": {"password": "%s" oops}}'
                             % secret, headers=dict(h, **{"content-type": "application/json"}))
    check(code == 400 and secret.encode() not in raw,
          "malformed JSON is 400 without quoting it: %s %s" % (code, raw))
    code, _, body = s.json("GET", "/api/v1/credentials/schema/redis", headers=h)
    check(code == 200 and body.get("additionalProperties") is False
          and body["properties"].get("port") == {"type": "number"}
          and body["properties"].get("host") == {"type": "string"},
          "GET /credentials/schema/redis lists its fields: %s" % body)
    code, _, body = s.json("GET", "/api/v1/credentials/schema/noSuchType", headers=h)
    check(code == 404 and body == {"message": "Not Found"}, "an unknown schema is 404")
    code, _, body = s.json("DELETE", "/api/v1/credentials/%s" % cid, headers=h)
    check(code == 200 and body.get("id") == cid and "data" not in body,
          "DELETE /credentials/{id} answers the credential without data: %s" % body)
    code, _, body = s.json("DELETE", "/api/v1/credentials/%s" % cid, headers=h)
    check(code == 404, "deleting it again is 404: %s" % code)
    leaks = []
    for root, _, files in os.walk(s.dir):
        for f in files:
            with open(os.path.join(root, f), "rb") as fh:
                if secret.encode() in fh.read():
                    leaks.append(f)
    check(not leaks, "the secret is in no file of the data directory, the log included: %s"
          % leaks)


def group_schedule(sluice):
    """Time triggers of active workflows fire on their own, in mode trigger."""
    s = Server(sluice, workflows=["schedule", "interval"]).start()
    try:
        time.sleep(3.6)
        rows = s.executions()
        sched = [r for r in rows if r["workflowId"] == "itSchedule000001"]
        inter = [r for r in rows if r["workflowId"] == "itInterval000001"]
        check(3 <= len(sched) <= 5, "Schedule Trigger every second fired 3-5 times in 3.6 s: %d"
              % len(sched))
        check(3 <= len(inter) <= 5, "Interval of 1 s fired 3-5 times in 3.6 s: %d" % len(inter))
        check(all(r["mode"] == "trigger" for r in sched + inter), "they run in mode trigger")
        check(s.wait_settled(), "every execution finished")
        rows = s.executions("--workflow", "itSchedule000001", "--status", "success")
        check(len(rows) >= 3, "the scheduled executions succeeded: %d" % len(rows))
        out = s.cli("executions", "show", rows[0]["id"], "--data") if rows else None
        check(out is not None and "Stamp" in out.stdout and "fired" in out.stdout,
              "the trigger's item reached the next node (saved data)")
        out = s.cli("deactivate", "itSchedule000001")
        check(out.returncode == 0, "deactivate from the CLI while the server runs")
        time.sleep(1.0)  # the server notices the store change
        before = len(s.executions("--workflow", "itSchedule000001"))
        time.sleep(2.2)
        after = len(s.executions("--workflow", "itSchedule000001"))
        check(after == before, "a deactivated schedule stops firing: %d then %d" % (before, after))
    finally:
        s.stop()


def group_wait(sluice):
    """A Wait node parks an execution (status waiting, its state stored);
    the server resumes it when the time comes, it finishes, and its parked
    state is dropped."""
    import sqlite3

    s = Server(sluice, workflows=["wait"]).start()
    try:
        code, _, _ = s.json("POST", "/webhook/wait", {"n": 7})
        check(code == 200, "the webhook is answered at once: %s" % code)
        time.sleep(1.0)
        rows = s.executions("--workflow", "itWait0000000001")
        check(len(rows) == 1 and rows[0]["status"] == "waiting",
              "the execution waits: %s" % [r["status"] for r in rows])
        db = sqlite3.connect(os.path.join(s.dir, "sluice.db"))
        parked = db.execute("SELECT count(*) FROM execution_state").fetchone()[0]
        check(parked == 1, "its state is stored while it waits: %d" % parked)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            rows = s.executions("--workflow", "itWait0000000001")
            if rows and rows[0]["status"] not in ("new", "running", "waiting"):
                break
            time.sleep(0.2)
        check(len(rows) == 1 and rows[0]["status"] == "success",
              "one execution, ended success: %s" % [r["status"] for r in rows])
        out = s.cli("executions", "show", rows[0]["id"], "--data") if rows else None
        check(out is not None and re.search(r'"n":\s*7,\s*"resumed":\s*true', out.stdout),
              "the node after the Wait ran with the webhook's item")
        left = db.execute("SELECT count(*) FROM execution_state").fetchone()[0]
        check(left == 0, "the parked state is dropped when the resumed execution ends: %d" % left)
        db.close()
    finally:
        s.stop()


def group_burst(sluice):
    """The first requests after a start arrive together: each runs once and
    right. (A worker gets a workflow's document with its first job only;
    later jobs must not run before it is parsed. And a row must not be
    taken for a queued one while its end is not yet stored.)"""
    for round in range(3):
        s = Server(sluice, env={"SLUICE_WORKERS": "1", "SLUICE_WORKER_CONCURRENCY": "8"},
                   workflows=["last"], examples=["order-processor-webhook"]).start()
        try:
            results = []

            def call(n):
                results.append((n, s.json("POST", "/webhook/last", {"n": n})))

            def orders(n):
                results.append((-1 - n, s.json("POST", "/webhook/orders", ORDERS[:2])))

            # the order processor's document is large: parsing it takes long
            # enough for the jobs behind the first to catch up
            threads = [threading.Thread(target=orders, args=(n,)) for n in range(8)]
            threads += [threading.Thread(target=call, args=(n,)) for n in range(16)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            bad = [(n, r[0], r[2]) for n, r in results
                   if r[0] != 200 or (n >= 0 and r[2] != {"doubled": 2 * n, "q": None})
                   or (n < 0 and r[2].get("orders") != 2)]
            check(not bad, "round %d: 24 simultaneous first requests all answered right: %s"
                  % (round, bad[:3]))
            check(s.wait_settled(), "every execution finished")
            rows = s.executions()
            check(len(rows) == 24 and all(r["status"] == "success" for r in rows),
                  "round %d: 24 executions, all success, none run twice: %s"
                  % (round, [(r["id"], r["status"]) for r in rows if r["status"] != "success"]))
        finally:
            s.stop()


def group_auth(sluice):
    """Webhook authentication through stored credentials (basic, header)."""
    s = Server(sluice)
    secret, hsecret = "pw-%d-Zq" % os.getpid(), "tok-%d-Qz" % os.getpid()
    out = s.cli("credentials", "create", "--type", "httpBasicAuth", "--name", "Hook user",
                "--data", json.dumps({"user": "ada", "password": secret}))
    check(out.returncode == 0 and out.stdout.strip(), "credentials create (basic): %s"
          % out.stderr.strip())
    out = s.cli("credentials", "create", "--type", "httpHeaderAuth", "--name", "Hook header",
                "--id", "itHeaderCred0001", "--data", json.dumps({"name": "X-Hook-Token",
                                                                  "value": hsecret}))
    check(out.returncode == 0 and out.stdout.strip().splitlines()[-1] == "itHeaderCred0001",
          "credentials create (header, given id) prints the id: %s" % out.stdout)
    out = s.cli("credentials", "list")
    check("Hook user" in out.stdout and secret not in out.stdout and hsecret not in out.stdout,
          "credentials list shows names, never secrets")
    for w in ("auth-basic", "auth-header", "auth-missing"):
        out = s.cli("import", "--activate", os.path.join(WORKFLOWS, w + ".json"))
        check(out.returncode == 0, "import --activate %s: %s" % (w, out.stderr.strip()))
    s.start()
    try:
        import base64
        good = "Basic " + base64.b64encode(("ada:" + secret).encode()).decode()
        bad = "Basic " + base64.b64encode(b"ada:wrong").decode()
        code, hdrs, _ = s.json("POST", "/webhook/basic", {})
        check(code == 401 and "Basic" in (hdrs.get("WWW-Authenticate") or
                                          hdrs.get("www-authenticate") or ""),
              "basic auth without credentials: 401 with WWW-Authenticate (%s)" % code)
        code, _, _ = s.json("POST", "/webhook/basic", {}, headers={"Authorization": bad})
        check(code == 403, "basic auth with a wrong password: 403 (%s)" % code)
        code, _, body = s.json("POST", "/webhook/basic", {}, headers={"Authorization": good})
        check(code == 200 and body == {"ok": True},
              "basic auth with the credential found by name runs the workflow: %s %s"
              % (code, body))
        code, _, _ = s.json("POST", "/webhook/header", {}, headers={"X-Hook-Token": "nope"})
        check(code == 403, "header auth with a wrong value: 403 (%s)" % code)
        code, _, body = s.json("POST", "/webhook/header", {}, headers={"X-Hook-Token": hsecret})
        check(code == 200 and body == {"ok": True},
              "header auth with the credential found by id runs: %s %s" % (code, body))
        code, _, _ = s.json("POST", "/webhook/missing", {}, headers={"Authorization": good})
        check(code == 500, "a webhook whose credential does not exist answers 500 (%s)" % code)
        rows = s.executions()
        check(len(rows) == 2, "only the two authenticated requests ran: %d" % len(rows))
    finally:
        s.stop()
    found = subprocess.run(["grep", "-rl", "-e", secret, "-e", hsecret, s.dir],
                           capture_output=True, text=True).stdout.split()
    check(not found, "no file in the data directory holds a secret in clear text: %s" % found)


def group_disconnect(sluice):
    """Clients that give up while their execution runs: the server answers
    nobody twice and keeps serving. (A request whose client went away ended
    without leaving the list of waiting requests: the list then pointed into
    freed memory, and the server later stalled or crashed.)"""
    s = Server(sluice, workflows=["slow", "last"]).start()
    try:
        gave_up = 0
        for k in range(3):
            def impatient():
                try:
                    s.request("POST", "/webhook/slow", {"ms": 400}, timeout=0.1)
                except OSError:
                    pass
            threads = [threading.Thread(target=impatient) for _ in range(12)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            gave_up += len(threads)
            time.sleep(0.6)  # their executions end and answer closed sockets
            codes = []

            def call(n):
                codes.append(s.json("POST", "/webhook/last", {"n": n})[0])

            threads = [threading.Thread(target=call, args=(n,)) for n in range(12)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            check(codes == [200] * 12, "round %d: after %d clients gave up, requests still "
                  "answer: %s" % (k, gave_up, codes))
        check(s.proc.poll() is None, "the server is still running")
        check(s.wait_settled(), "every execution finished")
    finally:
        rc = s.stop()
    check(rc == 0, "the server stops cleanly: %s (log: %s)" % (rc, s.tail() if rc else ""))


GROUPS = {
    "disconnect": group_disconnect,
    "auth": group_auth,
    "burst": group_burst,
    "schedule": group_schedule,
    "webhooks": group_webhooks,
    "admission": group_admission,
    "drain": group_drain,
    "worker_crash": group_worker_crash,
    "kill9": group_kill9,
    "api": group_api,
    "wait": group_wait,
}

if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[2] not in GROUPS:
        sys.exit("usage: test_serve.py SLUICE GROUP (%s)" % ", ".join(GROUPS))
    GROUPS[sys.argv[2]](os.path.abspath(sys.argv[1]))
    finish()
