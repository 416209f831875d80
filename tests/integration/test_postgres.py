#!/usr/bin/env python3
"""The Postgres node against a real PostgreSQL (scripts/pg-test-server starts a
throwaway cluster with log_statement=all; it is stopped at the end).

Every operation and batching mode runs through `sluice run` with a credential
made by `sluice credentials create` in a temporary data directory. Expected
values come from n8n's Postgres v2 node (actions/database/*.ts, helpers/utils.ts):
RETURNING * rows paired with their items, {success: true} for statements
without rows, its error messages. Statement counts are read from the server's
log, so the 10,000-item insert shows one INSERT statement, not 10,000.

Usage: test_postgres.py SLUICE REPO_ROOT
"""
import json
import os
import re
import subprocess
import sys
import tempfile

SLUICE, ROOT = os.path.abspath(sys.argv[1]), sys.argv[2]
SERVER = os.path.join(ROOT, "scripts", "pg-test-server")
fails = 0


def check(name, ok, detail=""):
    global fails
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + str(detail)[:600]))
    if not ok:
        fails += 1


tmp = tempfile.mkdtemp(prefix="sluice-pg-")
pgdir = os.path.join(tmp, "pg")
port = subprocess.run([SERVER, "start", pgdir, "-c", "log_statement=all",
                       "-c", "log_connections=on"], check=True, capture_output=True,
                      text=True).stdout.strip()
password = open(os.path.join(pgdir, "password")).read().strip()
log_path = os.path.join(pgdir, "server.log")
env = dict(os.environ, SLUICE_DATA_DIR=os.path.join(tmp, "data"), TZ="UTC")
env.pop("PGPASSWORD", None)


def psql(sql):
    r = subprocess.run(["psql", "-X", "-q", "-At", "-h", "127.0.0.1", "-p", port, "-U", "postgres",
                        "-v", "ON_ERROR_STOP=1", "-c", sql],
                       env=dict(env, PGPASSWORD=password), capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError(r.stderr)
    return r.stdout.strip()


def log_size():
    return os.path.getsize(log_path)


def log_since(pos):
    with open(log_path, "rb") as f:
        f.seek(pos)
        return f.read().decode("utf-8", "replace")


def sluice(*args, stdin=None):
    return subprocess.run([SLUICE, *args], env=env, capture_output=True, text=True, input=stdin,
                          timeout=300)


def node(params, version=2.6, cred="PG", **extra):
    n = {"name": "Postgres", "type": "n8n-nodes-base.postgres", "typeVersion": version,
         "position": [200, 0], "parameters": params,
         "credentials": {"postgres": {"id": "unknown-id", "name": cred}}}
    n.update(extra)
    return n


def run(pg_nodes, items=None, expect_fail=False):
    """Runs Manual Trigger -> nodes...; returns (output items, error text)."""
    if isinstance(pg_nodes, dict):
        pg_nodes = [pg_nodes]
    nodes = [{"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1,
              "position": [0, 0], "parameters": {}}]
    conns = {}
    prev = "Start"
    for i, n in enumerate(pg_nodes):
        n = dict(n, name=n["name"] if i == 0 else f"{n['name']}{i}")
        nodes.append(n)
        conns[prev] = {"main": [[{"node": n["name"], "type": "main", "index": 0}]]}
        prev = n["name"]
    wf = os.path.join(tmp, "wf.json")
    with open(wf, "w") as f:
        json.dump({"name": "pg test", "nodes": nodes, "connections": conns}, f)
    args = ["run", wf]
    if items is not None:
        inp = os.path.join(tmp, "in.json")
        with open(inp, "w") as f:
            json.dump(items, f)
        args += ["--input", inp]
    r = sluice(*args)
    if expect_fail:
        return None, r.stderr.strip()
    if r.returncode:
        return None, r.stderr.strip()
    return json.loads(r.stdout), None


def rl(v, mode="list"):
    return {"__rl": True, "mode": mode, "value": v}


def table_params(op, table, **kw):
    p = {"operation": op, "schema": rl("public"), "table": rl(table, "name")}
    p.update(kw)
    return p


try:
    # ------------------------------------------------------------ credential
    r = sluice("credentials", "create", "--type", "postgres", "--name", "PG", "--data",
               json.dumps({"host": "127.0.0.1", "port": int(port), "database": "postgres",
                           "user": "postgres", "password": password, "ssl": "disable"}))
    check("credentials create exits 0", r.returncode == 0, r.stderr)
    found = subprocess.run(["grep", "-r", "-l", "-a", "-F", password, env["SLUICE_DATA_DIR"]],
                           capture_output=True, text=True)
    check("the password is nowhere in the data directory in clear text",
          found.returncode == 1 and found.stdout == "", found.stdout)

    psql("CREATE TABLE items(id serial PRIMARY KEY, name text NOT NULL, qty int, "
         "price numeric, tags text[], meta jsonb, seen timestamptz, big bigint)")

    # ------------------------------------------------------------ executeQuery
    out, err = run(node({"operation": "executeQuery",
                         "query": "SELECT $1::int + 1 AS n, $2 AS s",
                         "options": {"queryReplacement": "41, hello"}}), items=[{}])
    check("executeQuery $1, $2 from a comma list in queryReplacement",
          out == [{"json": {"n": 42, "s": "hello"}, "pairedItem": {"item": 0}}], out or err)
    out, err = run(node({"operation": "executeQuery",
                         "query": "SELECT $1::int + 1 AS n, $2 AS s, $3::jsonb AS j",
                         "options": {"queryReplacement":
                                     "={{ 41 }} {{ 'hello' }} {{ $json.obj }}"}}),
                   items=[{"obj": {"a": [1, 2]}}])
    check("executeQuery $1..$3 from expressions (2.5+: each a text value, JSON kept whole)",
          out == [{"json": {"n": 42, "s": "hello", "j": {"a": [1, 2]}}, "pairedItem": {"item": 0}}],
          out or err)

    out, err = run(node({"operation": "executeQuery",
                         "query": "SELECT $1 AS v, pg_typeof($1)::text AS t",
                         "options": {"queryReplacement": "={{ $json.x }}"}}, version=2.4),
                   items=[{"x": 7}, {"x": 1.5}])
    check("executeQuery before 2.5: expression values keep their type (integer, numeric)",
          out == [{"json": {"v": 7, "t": "integer"}, "pairedItem": {"item": 0}},
                  {"json": {"v": "1.5", "t": "numeric"}, "pairedItem": {"item": 1}}], out or err)

    evil = "x'); DROP TABLE items; --"
    pos = log_size()
    out, err = run(node({"operation": "executeQuery",
                         "query": "INSERT INTO items(name) VALUES ($1) RETURNING name",
                         "options": {"queryReplacement": "={{ $json.name }}"}}),
                   items=[{"name": evil}])
    check("a value is stored as it is, never read as SQL",
          out == [{"json": {"name": evil}, "pairedItem": {"item": 0}}] and
          psql("SELECT count(*) FROM items WHERE name = 'x''); DROP TABLE items; --'") == "1",
          out or err)
    check("the value travelled as a bind parameter (not in the statement text)",
          "DROP TABLE" not in re.findall(r"execute <unnamed>: (.*)", log_since(pos))[0],
          log_since(pos)[-500:])

    out, err = run(node({"operation": "executeQuery",
                         "query": "UPDATE items SET qty = 1 WHERE false"}), items=[{}, {}])
    check("statements without rows give {success: true} paired with every item (single)",
          out == [{"json": {"success": True}, "pairedItem": [{"item": 0}, {"item": 1}]}],
          out or err)
    out, err = run(node({"operation": "executeQuery", "query": "SELECT 1 WHERE false"}),
                   items=[{}])
    check("a select without rows gives no item (2.3+)", out == [], out or err)

    out, err = run(node({"operation": "executeQuery",
                         "query": "SELECT $1::int AS a; SELECT $2::text AS b, $1::int AS c",
                         "options": {"queryReplacement": "5, five"}}), items=[{}])
    check("a query of two statements: both results, parameters shared",
          out == [{"json": {"a": 5}, "pairedItem": {"item": 0}},
                  {"json": {"b": "five", "c": 5}, "pairedItem": {"item": 0}}], out or err)

    out, err = run(node({"operation": "executeQuery", "query": "SELEC 1"}), items=[{}],
                   expect_fail=True)
    check("a syntax error names the line, as n8n words it",
          'Syntax error at line 1 near "SELEC"' in err, err)

    # --------------------------------------------------- insert, single mode
    psql("TRUNCATE items RESTART IDENTITY")
    items = [{"name": "apple", "qty": 3, "price": 1.25, "tags": ["red", 'say "hi"'],
              "meta": {"origin": "NZ"}, "seen": "2024-05-01T12:00:00.000Z", "big": 1},
             {"name": "pear", "qty": None, "price": None, "tags": [], "meta": [1, 2],
              "seen": None, "big": None}]
    pos = log_size()
    out, err = run(node(table_params("insert", "items",
                                     columns={"mappingMode": "autoMapInputData", "value": {}},
                                     options={})), items=items)
    inserts = re.findall(r"execute <unnamed>: INSERT", log_since(pos))
    check("insert (auto-map) returns the inserted rows with RETURNING *, typed as n8n's driver",
          out == [{"json": {"id": 1, "name": "apple", "qty": 3, "price": "1.25",
                            "tags": ["red", 'say "hi"'], "meta": {"origin": "NZ"},
                            "seen": "2024-05-01T12:00:00.000Z", "big": "1"},
                   "pairedItem": {"item": 0}},
                  {"json": {"id": 2, "name": "pear", "qty": None, "price": None, "tags": [],
                            "meta": [1, 2], "seen": None, "big": None},
                   "pairedItem": {"item": 1}}], out or err)
    check("two items, one multi-row INSERT statement", len(inserts) == 1, inserts)

    out, err = run(node(table_params("insert", "items",
                                     columns={"mappingMode": "defineBelow",
                                              "value": {"name": "={{ $json.n }}", "qty": 9}},
                                     options={"outputColumns": ["id", "name"]})),
                   items=[{"n": "kiwi"}])
    check("insert (define below) with outputColumns",
          out == [{"json": {"id": 3, "name": "kiwi"}, "pairedItem": {"item": 0}}], out or err)

    out, err = run(node(table_params("insert", "items",
                                     columns={"mappingMode": "autoMapInputData", "value": {}},
                                     options={})), items=[{"name": "x", "colour": "red"}],
                   expect_fail=True)
    check("a column the table lacks fails as n8n words it",
          "Column 'colour' does not exist in selected table" in err, err)

    # 10,000 items, single: one statement
    psql("CREATE TABLE bulk(id int PRIMARY KEY, label text, amount numeric)")
    many = [{"id": i, "label": f"row {i}", "amount": i / 4} for i in range(10000)]
    pos = log_size()
    out, err = run(node(table_params("insert", "bulk",
                                     columns={"mappingMode": "autoMapInputData", "value": {}},
                                     options={"queryBatching": "single",
                                              "outputColumns": ["id"]})), items=many)
    text = log_since(pos)
    n_ins = len(re.findall(r"execute <unnamed>: INSERT", text))
    n_all = len(re.findall(r"LOG:  (?:execute <unnamed>|statement):", text))
    check("10,000 items with queryBatching single: every row inserted",
          psql("SELECT count(*), sum(amount) FROM bulk") == "10000|12498750.00", psql(
              "SELECT count(*), sum(amount) FROM bulk"))
    check("10,000 items with queryBatching single: one INSERT statement (%d statements in all)"
          % n_all, n_ins == 1 and n_all <= 2, (n_ins, n_all))
    check("10,000 items: the output pairs row k with item k",
          out is not None and len(out) == 10000 and out[9999] == {
              "json": {"id": 9999}, "pairedItem": {"item": 9999}}, (out or [None])[-1:] or err)

    # ---------------------------------------------------- independently
    psql("TRUNCATE bulk")
    pos = log_size()
    out, err = run(node(table_params("insert", "bulk",
                                     columns={"mappingMode": "autoMapInputData", "value": {}},
                                     options={"queryBatching": "independently"}),
                        onError="continueRegularOutput"),
                   items=[{"id": 1, "label": "a"}, {"id": 1, "label": "dup"},
                          {"id": 2, "label": "b"}])
    n_ins = len(re.findall(r"execute <unnamed>: INSERT", log_since(pos)))
    check("independently: one INSERT per item", n_ins == 3, n_ins)
    check("independently + continue on fail: the failed item gives n8n's error item, the others "
          "are inserted",
          out is not None and len(out) == 3 and out[1]["pairedItem"] == {"item": 1}
          and out[1]["json"]["message"].startswith("duplicate key value violates unique constraint")
          and out[1]["json"]["item"] == {"id": 1, "label": "dup"}
          and out[2]["json"] == {"id": 2, "label": "b", "amount": None}
          and psql("SELECT string_agg(label, ',' ORDER BY id) FROM bulk") == "a,b", out or err)

    # ---------------------------------------------------- transaction
    psql("TRUNCATE bulk")
    out, err = run(node(table_params("insert", "bulk",
                                     columns={"mappingMode": "autoMapInputData", "value": {}},
                                     options={"queryBatching": "transaction"})),
                   items=[{"id": 1, "label": "a"}, {"id": 1, "label": "dup"}], expect_fail=True)
    check("transaction: an error rolls back every item and fails the node with PostgreSQL's "
          "message",
          "duplicate key value violates unique constraint" in err and
          psql("SELECT count(*) FROM bulk") == "0", err)
    out, err = run(node(table_params("insert", "bulk",
                                     columns={"mappingMode": "autoMapInputData", "value": {}},
                                     options={"queryBatching": "transaction"})),
                   items=[{"id": 1, "label": "a"}, {"id": 2, "label": "b"}])
    check("transaction: all items committed", out is not None and len(out) == 2 and
          psql("SELECT count(*) FROM bulk") == "2", out or err)

    psql("TRUNCATE bulk")
    out, err = run(node(table_params("insert", "bulk",
                                     columns={"mappingMode": "autoMapInputData", "value": {}},
                                     options={"queryBatching": "single"})),
                   items=[{"id": 1, "label": "a"}, {"id": 1, "label": "dup"}], expect_fail=True)
    check("single: an error leaves nothing inserted",
          "duplicate key" in (err or "") and psql("SELECT count(*) FROM bulk") == "0", err)

    # ---------------------------------------------------- update
    psql("INSERT INTO bulk VALUES (1, 'one', 1), (2, 'two', 2), (3, 'three', 3)")
    pos = log_size()
    out, err = run(node(table_params("update", "bulk",
                                     columns={"mappingMode": "autoMapInputData", "value": {},
                                              "matchingColumns": ["id"]}, options={})),
                   items=[{"id": 3, "label": "THREE"}, {"id": 1, "label": "ONE"}])
    ups = re.findall(r"execute <unnamed>: UPDATE", log_since(pos))
    check("update (single): rows updated and returned, each paired with its item",
          out == [{"json": {"id": 3, "label": "THREE", "amount": "3"}, "pairedItem": {"item": 0}},
                  {"json": {"id": 1, "label": "ONE", "amount": "1"}, "pairedItem": {"item": 1}}]
          or sorted(json.dumps(o, sort_keys=True) for o in (out or [])) == sorted(
              json.dumps(o, sort_keys=True) for o in [
                  {"json": {"id": 3, "label": "THREE", "amount": "3"}, "pairedItem": {"item": 0}},
                  {"json": {"id": 1, "label": "ONE", "amount": "1"}, "pairedItem": {"item": 1}}]),
          out or err)
    check("update (single): one UPDATE statement for both items", len(ups) == 1, ups)

    out, err = run(node(table_params("update", "bulk",
                                     columns={"mappingMode": "defineBelow",
                                              "value": {"id": 2, "amount": "={{ $json.a }}"},
                                              "matchingColumns": ["id"]},
                                     options={"queryBatching": "independently"})),
                   items=[{"a": 20}])
    check("update (define below, independently)",
          out == [{"json": {"id": 2, "label": "two", "amount": "20"}, "pairedItem": {"item": 0}}],
          out or err)

    out, err = run(node(table_params("update", "bulk",
                                     columns={"mappingMode": "autoMapInputData", "value": {},
                                              "matchingColumns": ["id"]}, options={})),
                   items=[{"id": 1, "label": "x"}, {"id": 99, "label": "y"}], expect_fail=True)
    check("update of a missing row fails with n8n's message, and nothing is updated",
          "The row you are trying to update doesn't exist" in err and
          psql("SELECT label FROM bulk WHERE id = 1") == "ONE", err)

    # ---------------------------------------------------- upsert
    pos = log_size()
    out, err = run(node(table_params("upsert", "bulk",
                                     columns={"mappingMode": "autoMapInputData", "value": {},
                                              "matchingColumns": ["id"]}, options={})),
                   items=[{"id": 1, "label": "uno"}, {"id": 4, "label": "four"},
                          {"id": 4, "label": "FOUR"}])
    text = log_since(pos)
    check("upsert: updates existing rows, inserts new ones, a repeated key in the same run wins "
          "last", psql("SELECT string_agg(id || '=' || label, ',' ORDER BY id) FROM bulk") ==
          "1=uno,2=two,3=THREE,4=FOUR", psql("SELECT * FROM bulk"))
    check("upsert: a repeated key starts a second statement (2 INSERT ... ON CONFLICT)",
          len(re.findall(r"execute <unnamed>: INSERT .* ON CONFLICT", text)) == 2, text[-800:])
    check("upsert output: one row per item",
          out is not None and [o["pairedItem"] for o in out] == [{"item": 0}, {"item": 1},
                                                                 {"item": 2}], out or err)

    # ---------------------------------------------------- select
    out, err = run(node(table_params("select", "bulk", limit=2,
                                     where={"values": [{"column": "id", "condition": ">",
                                                        "value": "1"}]},
                                     sort={"values": [{"column": "id", "direction": "DESC"}]},
                                     options={"outputColumns": ["id", "label"]})), items=[{}])
    check("select with where, sort and limit",
          out == [{"json": {"id": 4, "label": "FOUR"}, "pairedItem": {"item": 0}},
                  {"json": {"id": 3, "label": "THREE"}, "pairedItem": {"item": 0}}], out or err)
    out, err = run(node(table_params("select", "bulk", returnAll=True,
                                     where={"values": [{"column": "label", "condition": "LIKE",
                                                        "value": "%o%"}]},
                                     combineConditions="OR", options={})), items=[{}])
    check("select returnAll with LIKE", out is not None and sorted(
        o["json"]["id"] for o in out) == [1, 2], out or err)
    out, err = run(node(table_params("select", "bulk",
                                     where={"values": [{"column": "id", "condition": ">",
                                                        "value": "abc"}]})), items=[{}],
                   expect_fail=True)
    check("select: a comparison with a non-number fails as n8n words it",
          "Operator in entry 1 of 'Select Rows' works with numbers, but value abc is not a number"
          in err, err)

    # ---------------------------------------------------- deleteTable
    out, err = run(node(table_params("deleteTable", "bulk", deleteCommand="delete",
                                     where={"values": [{"column": "id", "condition": "equal",
                                                        "value": "={{ $json.id }}"}]})),
                   items=[{"id": 1}, {"id": 2}])
    check("delete with where (one per item), {success: true} output",
          out == [{"json": {"success": True}, "pairedItem": [{"item": 0}, {"item": 1}]}] and
          psql("SELECT string_agg(id::text, ',' ORDER BY id) FROM bulk") == "3,4", out or err)
    out, err = run(node(table_params("deleteTable", "bulk", deleteCommand="truncate",
                                     options={"queryBatching": "independently"})), items=[{}])
    check("truncate", out == [{"json": {"success": True}, "pairedItem": {"item": 0}}] and
          psql("SELECT count(*) FROM bulk") == "0", out or err)
    out, err = run(node(table_params("deleteTable", "bulk", deleteCommand="drop")), items=[{}])
    check("drop", out is not None and
          psql("SELECT count(*) FROM pg_tables WHERE tablename = 'bulk'") == "0", out or err)

    # ---------------------------------------------------- errors, pool
    out, err = run(node(table_params("select", "nope", options={}),
                        onError="continueRegularOutput"), items=[{}])
    check("continue on fail (single): one error item with PostgreSQL's message",
          out is not None and len(out) == 1 and
          out[0]["json"]["message"] == 'relation "public.nope" does not exist', out or err)

    r = sluice("credentials", "create", "--type", "postgres", "--name", "Closed", "--data",
               json.dumps({"host": "127.0.0.1", "port": 1, "password": "x"}))
    out, err = run(node({"operation": "executeQuery", "query": "SELECT 1"}, cred="Closed"),
                   items=[{}], expect_fail=True)
    check("a refused connection fails with n8n's 'Connection refused'",
          "Connection refused" in err, err)
    r = sluice("credentials", "create", "--type", "postgres", "--name", "BadPw", "--data",
               json.dumps({"host": "127.0.0.1", "port": int(port), "password": "wrong"}))
    out, err = run(node({"operation": "executeQuery", "query": "SELECT 1"}, cred="BadPw"),
                   items=[{}], expect_fail=True)
    check("a wrong password fails with the server's message",
          'password authentication failed for user "postgres"' in err, err)

    pos = log_size()
    q = {"operation": "executeQuery", "query": "SELECT 1 AS one"}
    out, err = run([node(q), node(q), node(q)], items=[{}])
    conns = len(re.findall(r"connection authorized: user=postgres database=postgres "
                           r"application_name=sluice", log_since(pos)))
    check("three Postgres nodes in one execution share one pooled connection",
          out == [{"json": {"one": 1}, "pairedItem": {"item": 0}}] and conns == 1, (conns, out, err))
finally:
    subprocess.run([SERVER, "stop", pgdir])
    subprocess.run(["rm", "-rf", tmp])

print(f"{'FAILED' if fails else 'passed'}: {fails} failure(s)")
sys.exit(1 if fails else 0)
