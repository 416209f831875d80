#!/usr/bin/env python3
"""The shipped example examples/order-ingest.json, end to end.

Usage: test_order_ingest.py SLUICE_BINARY SOURCE_DIR

Starts a throwaway PostgreSQL (scripts/pg-test-server) with the example's
schema (examples/order-ingest.sql), a local HTTP server that records the
notification (tests/integration/http_peer.py), and `sluice serve` with the
example imported and activated, its notification URL pointed at the local
server. Then it posts orders as the README says and checks what an
operator would: the webhook answers 200, every order is a row with the
right total, the notification reports the count and the sum, and posting
the same orders again updates the rows instead of adding new ones.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

from checks import check, finish, free_port




def main():
    sluice, src = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    import http_peer

    tmp = tempfile.mkdtemp(prefix="sl_ingest_")
    pg = os.path.join(tmp, "pg")
    server = os.path.join(src, "scripts", "pg-test-server")
    serve = None
    peer = http_peer.Peer()
    peer.start()
    try:
        subprocess.run([server, "start", pg], check=True, stdout=subprocess.DEVNULL)
        port = open(os.path.join(pg, "port")).read().strip()
        password = open(os.path.join(pg, "password")).read().strip()
        penv = dict(os.environ, PGPASSWORD=password)

        def psql(sql):
            r = subprocess.run(["psql", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "-d",
                                "postgres", "-qAtX", "-v", "ON_ERROR_STOP=1", "-c", sql],
                               env=penv, capture_output=True, text=True, check=True)
            return r.stdout.strip()

        subprocess.run(["psql", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "-d", "postgres",
                        "-qX", "-v", "ON_ERROR_STOP=1", "-f",
                        os.path.join(src, "examples", "order-ingest.sql")],
                       env=penv, check=True, capture_output=True)

        env = dict(os.environ, SLUICE_DATA_DIR=os.path.join(tmp, "data"),
                   SLUICE_PORT=str(free_port()), SLUICE_HOST="127.0.0.1")
        cred = {"host": "127.0.0.1", "port": int(port), "database": "postgres",
                "user": "postgres", "password": password}
        subprocess.run([sluice, "credentials", "create", "--type", "postgres", "--name",
                        "Orders DB", "--data", json.dumps(cred)], env=env, check=True,
                       capture_output=True)
        with open(os.path.join(src, "examples", "order-ingest.json")) as f:
            wf = f.read().replace("http://127.0.0.1:9099/orders-ingested",
                                  "%s/echo/orders-ingested" % peer.url)
        wf_path = os.path.join(tmp, "order-ingest.json")
        with open(wf_path, "w") as f:
            f.write(wf)
        subprocess.run([sluice, "import", "--activate", wf_path], env=env, check=True,
                       capture_output=True)
        serve = subprocess.Popen([sluice, "serve"], env=env, stdout=subprocess.DEVNULL,
                                 stderr=open(os.path.join(tmp, "serve.log"), "w"))
        base = "http://127.0.0.1:%s" % env["SLUICE_PORT"]
        for _ in range(300):
            try:
                if urllib.request.urlopen(base + "/healthz/readiness", timeout=1).status == 200:
                    break
            except OSError:
                time.sleep(0.1)

        orders_path = os.path.join(tmp, "orders.json")
        subprocess.run([sys.executable, os.path.join(src, "examples", "gen_orders.py"), "120",
                        orders_path], check=True, capture_output=True)
        orders = json.load(open(orders_path))
        want_total = round(sum(round(sum(l["quantity"] * l["unitPrice"] for l in o["lines"]), 2)
                               for o in orders), 2)

        def post_and_wait(round_no):
            body = open(orders_path, "rb").read()
            req = urllib.request.Request(base + "/webhook/orders-ingest", data=body,
                                         headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=30) as r:
                check(r.status == 200, "round %d: the webhook answers 200" % round_no)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                got = [q for q in peer.requests if q["path"] == "/echo/orders-ingested"]
                if len(got) >= round_no:
                    return json.loads(got[round_no - 1]["body"])
                time.sleep(0.1)
            return None

        note = post_and_wait(1)
        check(note == {"ingested": 120, "total": want_total},
              "the notification reports 120 orders and their sum %s: %s" % (want_total, note))
        check(psql("SELECT count(*) FROM orders") == "120", "120 rows in orders")
        o = orders[7]
        row = psql("SELECT status, currency, customer_id, line_count, total FROM orders "
                   "WHERE order_id = '%s'" % o["orderId"])
        want = "%s|%s|%s|%d|%.2f" % (o["status"], o["currency"], o["customer"]["id"],
                                     len(o["lines"]),
                                     sum(l["quantity"] * l["unitPrice"] for l in o["lines"]))
        check(row == want, "a row holds its order's fields and total: %s" % row)

        psql("UPDATE orders SET status = 'stale'")
        note = post_and_wait(2)
        check(note == {"ingested": 120, "total": want_total}, "round 2: notified again: %s" % note)
        check(psql("SELECT count(*) FROM orders") == "120", "round 2: still 120 rows (upserted)")
        check(psql("SELECT count(*) FROM orders WHERE status = 'stale'") == "0",
              "round 2: every row was updated")
    finally:
        if serve:
            serve.terminate()
            serve.wait(timeout=30)
        peer.stop()
        subprocess.run([server, "stop", pg], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(tmp, ignore_errors=True)
    finish()


if __name__ == "__main__":
    main()
