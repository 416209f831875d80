#!/usr/bin/env python3
"""Helpers of bench/webhook.sh (not meant to be run by hand).

  webhook_tool.py startup URL OUT.json -- COMMAND...
      starts COMMAND, polls URL (GET, every 5 ms) until it answers 200, waits
      1 s more, measures the idle process tree's memory, stops it with
      SIGTERM and writes {"ready_s", "rss_main_kb", "rss_tree_kb",
      "pss_tree_kb", "processes"} to OUT.json. The command's output goes to
      OUT.json's name with .log instead of .json.
  webhook_tool.py mem PID
      prints the memory of PID and its descendants as JSON (the same keys).
  webhook_tool.py check KIND URL BODY_FILE
      POSTs BODY_FILE once and checks the answer: KIND is "echo" (the body
      back), "code" (the bench Code node's transform) or "orders" (the
      order processor's Summary over the posted orders).
  webhook_tool.py table RAW_DIR STARTUP_DIR
      prints the results table from wrk's RESULT lines (RAW_DIR/SCENARIO.N.txt)
      and the start-up measurements.
"""
import glob
import http.client
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time
import urllib.parse


def proc_tree(pid):
    """pid and its descendants, from /proc/*/stat parent links."""
    parents = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                stat = f.read()
        except OSError:
            continue
        parents.setdefault(int(stat[stat.rindex(")") + 2:].split()[1]), []).append(int(d))
    tree, todo = [], [pid]
    while todo:
        p = todo.pop()
        tree.append(p)
        todo.extend(parents.get(p, []))
    return tree


def field_kb(path, name):
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(name + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def mem(pid):
    tree = proc_tree(pid)
    return {
        "rss_main_kb": field_kb("/proc/%d/status" % pid, "VmRSS"),
        "rss_tree_kb": sum(field_kb("/proc/%d/status" % p, "VmRSS") for p in tree),
        "pss_tree_kb": sum(field_kb("/proc/%d/smaps_rollup" % p, "Pss") for p in tree),
        "processes": len(tree),
    }


def get_status(url, timeout=1.0):
    u = urllib.parse.urlsplit(url)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    try:
        c.request("GET", u.path or "/")
        r = c.getresponse()
        r.read()
        return r.status
    finally:
        c.close()


def startup(url, out, cmd):
    log = open(os.path.splitext(out)[0] + ".log", "wb")
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    ready = None
    try:
        while time.monotonic() - t0 < 60:
            if p.poll() is not None:
                sys.exit("webhook_tool: the server exited with status %d before it was ready (see %s)"
                         % (p.returncode, log.name))
            try:
                if get_status(url) == 200:
                    ready = time.monotonic() - t0
                    break
            except OSError:
                pass
            time.sleep(0.005)
        if ready is None:
            sys.exit("webhook_tool: %s not ready after 60 s" % url)
        time.sleep(1)
        result = dict(ready_s=ready, **mem(p.pid))
    finally:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
    with open(out, "w") as f:
        json.dump(result, f)


def post(url, body):
    u = urllib.parse.urlsplit(url)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    try:
        c.request("POST", u.path, body=body, headers={"Content-Type": "application/json"})
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


def check(kind, url, body_file):
    with open(body_file, "rb") as f:
        body = f.read()
    status, answer = post(url, body)
    if status != 200:
        sys.exit("webhook_tool: %s answered %d: %s" % (url, status, answer[:300]))
    try:
        got = json.loads(answer)
    except ValueError:
        sys.exit("webhook_tool: %s answered something that is not JSON: %r" % (url, answer[:300]))
    sent = json.loads(body)
    if kind == "echo":
        ok = got == sent
    elif kind == "code":
        ok = got.get("id") == sent["id"] and got.get("name") == sent["name"].strip().upper() \
            and got.get("amountCents") == round(sent["amount"] * 100) and got.get("received") is True
    elif kind == "orders":
        ok = got.get("orders") == len(sent) \
            and got.get("highValueOrders", 0) + got.get("standardOrders", 0) == len(sent)
    else:
        sys.exit("webhook_tool: unknown check '%s'" % kind)
    if not ok:
        sys.exit("webhook_tool: unexpected answer from %s: %s" % (url, answer[:300]))


RESULT = re.compile(r"^RESULT (.*)$", re.M)


def read_result(path):
    with open(path) as f:
        m = RESULT.search(f.read())
    if not m:
        return None
    return {k: float(v) for k, v in (kv.split("=") for kv in m.group(1).split())}


def table(raw_dir, startup_dir):
    # scenario, its echo ceiling and relay floor (or None); the order of the table
    scenarios = [("echo-small", None, None), ("relay-small", "echo-small", None),
                 ("webhook-respond", "echo-small", "relay-small"),
                 ("webhook-code-respond", "echo-small", "relay-small"),
                 ("echo-orders", None, None), ("relay-orders", "echo-orders", None),
                 ("order-processor", "echo-orders", "relay-orders")]
    med = {}
    rows = []
    def share(m, of):
        if of and of in med and med[of]["rps"] > 0:
            return "%.1f%%" % (100 * m["rps"] / med[of]["rps"])
        return "–"

    for name, ceiling, floor in scenarios:
        runs = [r for r in (read_result(p) for p in sorted(glob.glob(
            os.path.join(raw_dir, name + ".*.txt")))) if r]
        if not runs:
            continue
        # answered 2xx per second: a 503 from admission is not throughput
        rps = [(r["requests"] - r["non2xx"]) / r["seconds"] for r in runs]
        m = {
            "rps": statistics.median(rps),
            "p50": statistics.median(r["p50_ms"] for r in runs),
            "p99": statistics.median(r["p99_ms"] for r in runs),
            "bad": sum(r["non2xx"] + r["errors"] for r in runs),
            "n": len(runs),
            "all": rps,
        }
        med[name] = m
        rows.append("| %s | %.0f | %.2f | %.2f | %s | %s | %d | %s |" % (
            name, m["rps"], m["p50"], m["p99"], share(m, ceiling), share(m, floor), m["bad"],
            " / ".join("%.0f" % x for x in m["all"])))
    print("| scenario | req/s (median) | p50 ms | p99 ms | of echo ceiling | of relay floor"
          " | non-2xx + errors | req/s of each round |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for r in rows:
        print(r)
    starts = []
    for p in sorted(glob.glob(os.path.join(startup_dir, "start.*.json"))):
        with open(p) as f:
            starts.append(json.load(f))
    if starts:
        print()
        print("Start-up to readiness and idle memory, medians of %d starts:" % len(starts))
        print()
        print("| start to /healthz/readiness | RSS main process | RSS all processes | PSS all processes"
              " | processes |")
        print("| ---: | ---: | ---: | ---: | ---: |")
        print("| %.0f ms | %.1f MiB | %.1f MiB | %.1f MiB | %d |" % (
            1000 * statistics.median(s["ready_s"] for s in starts),
            statistics.median(s["rss_main_kb"] for s in starts) / 1024,
            statistics.median(s["rss_tree_kb"] for s in starts) / 1024,
            statistics.median(s["pss_tree_kb"] for s in starts) / 1024,
            statistics.median(s["processes"] for s in starts)))
        print("(each start, ms: %s)" % " / ".join("%.0f" % (1000 * s["ready_s"]) for s in starts))


def main():
    a = sys.argv[1:]
    if not a:
        sys.exit(__doc__)
    if a[0] == "startup" and len(a) >= 5 and a[3] == "--":
        startup(a[1], a[2], a[4:])
    elif a[0] == "mem" and len(a) == 2:
        print(json.dumps(mem(int(a[1]))))
    elif a[0] == "check" and len(a) == 4:
        check(a[1], a[2], a[3])
    elif a[0] == "table" and len(a) == 3:
        table(a[1], a[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
