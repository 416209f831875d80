#!/usr/bin/env python3
"""Inserts ROWS rows (default 100,000) through the Postgres node into a real
PostgreSQL (a throwaway cluster from scripts/pg-test-server), with
queryBatching single and independently in the same run, ROUNDS times each
(alternating), and prints rows/s per round and the medians.

The time is the whole `sluice run` (process start, reading the items, the
node, writing the output) measured from outside, and the node's own
executionTime from the run data (--json); the table is truncated before
every round. Usage: bench/postgres.py [SLUICE] [ROWS] [ROUNDS]
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SLUICE = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "sluice"))
ROWS = int(sys.argv[2]) if len(sys.argv) > 2 else 100000
ROUNDS = int(sys.argv[3]) if len(sys.argv) > 3 else 3
SERVER = os.path.join(ROOT, "scripts", "pg-test-server")

tmp = tempfile.mkdtemp(prefix="sluice-pgbench-")
pgdir = os.path.join(tmp, "pg")
port = subprocess.run([SERVER, "start", pgdir], check=True, capture_output=True,
                      text=True).stdout.strip()
password = open(os.path.join(pgdir, "password")).read().strip()
env = dict(os.environ, SLUICE_DATA_DIR=os.path.join(tmp, "data"))


def psql(sql):
    return subprocess.run(["psql", "-X", "-q", "-At", "-h", "127.0.0.1", "-p", port, "-U",
                           "postgres", "-c", sql], env=dict(env, PGPASSWORD=password),
                          check=True, capture_output=True, text=True).stdout.strip()


try:
    subprocess.run([SLUICE, "credentials", "create", "--type", "postgres", "--name", "bench",
                    "--data", json.dumps({"host": "127.0.0.1", "port": int(port),
                                          "user": "postgres", "password": password})],
                   env=env, check=True, capture_output=True)
    psql("CREATE TABLE orders(id int PRIMARY KEY, customer text, amount numeric, status text)")
    items = os.path.join(tmp, "items.json")
    with open(items, "w") as f:
        json.dump([{"id": i, "customer": f"customer-{i % 977}", "amount": (i % 10000) / 100,
                    "status": "new"} for i in range(ROWS)], f)

    def workflow(mode):
        path = os.path.join(tmp, f"wf-{mode}.json")
        with open(path, "w") as f:
            json.dump({"name": f"bench {mode}", "connections": {
                "Start": {"main": [[{"node": "Insert", "type": "main", "index": 0}]]}},
                "nodes": [
                    {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1,
                     "position": [0, 0], "parameters": {}},
                    {"name": "Insert", "type": "n8n-nodes-base.postgres", "typeVersion": 2.6,
                     "position": [200, 0], "credentials": {"postgres": {"id": "", "name": "bench"}},
                     "parameters": {"operation": "insert",
                                    "schema": {"__rl": True, "mode": "list", "value": "public"},
                                    "table": {"__rl": True, "mode": "name", "value": "orders"},
                                    "columns": {"mappingMode": "autoMapInputData", "value": {}},
                                    "options": {"queryBatching": mode,
                                                "outputColumns": ["id"]}}}]}, f)
        return path

    results = {"single": [], "independently": []}
    node_rate = {"single": [], "independently": []}
    for rnd in range(ROUNDS):
        for mode in ("single", "independently"):
            psql("TRUNCATE orders")
            t0 = time.monotonic()
            r = subprocess.run([SLUICE, "run", workflow(mode), "--input", items, "--json"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            dt = time.monotonic() - t0
            node_s = json.loads(r.stdout)["runData"]["Insert"][0][
                "executionTime"] / 1000 if not r.returncode else 0
            n = int(psql("SELECT count(*) FROM orders"))
            if r.returncode or n != ROWS:
                sys.exit(f"{mode}: run failed ({n} rows): {r.stderr.strip()}")
            results[mode].append(ROWS / dt)
            node_rate[mode].append(ROWS / node_s)
            print(f"round {rnd + 1} {mode:13s} run {dt:7.2f} s {ROWS / dt:9.0f} rows/s   "
                  f"node {node_s:7.2f} s {ROWS / node_s:9.0f} rows/s", flush=True)
    med = {m: statistics.median(v) for m, v in results.items()}
    nmed = {m: statistics.median(v) for m, v in node_rate.items()}
    for m in ("single", "independently"):
        print(f"median {m:13s} run {med[m]:9.0f} rows/s   node {nmed[m]:9.0f} rows/s")
    print(f"ratio single/independently: run {med['single'] / med['independently']:.1f}x, "
          f"node {nmed['single'] / nmed['independently']:.1f}x")
finally:
    subprocess.run([SERVER, "stop", pgdir])
    subprocess.run(["rm", "-rf", tmp])
