#!/bin/sh
# CLI behaviour of the store commands: import, export, workflows list,
# activate/deactivate, executions list/show/retry and apikey create, with
# their exit codes and one-line errors, in a data directory of their own.
# Executions are written straight into the SQLite file (the server is what
# makes them), with python3's sqlite3 module.
# Usage: test_store_cli.sh SLUICE REPO_ROOT
set -u
sluice=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
check() { # name, condition result (0 = ok), detail
    if [ "$2" -eq 0 ]; then echo "ok   $1"; else echo "FAIL $1: $3"; fails=$((fails + 1)); fi
}
run() { # args...: runs sluice, stdout to $tmp/out, stderr to $tmp/err, exit code to $rc
    "$sluice" "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?
}
one_line() { # the error is exactly one line
    [ "$(wc -l < "$tmp/err")" -eq 1 ]
}
py() { python3 -S -E -c "$@"; }

export SLUICE_DATA_DIR="$tmp/data/sub"
unset SLUICE_DB

hook='{"id":"hook1","name":"Orders in","nodes":[{"name":"Webhook","type":"n8n-nodes-base.webhook",
 "typeVersion":2,"parameters":{"path":"orders","httpMethod":"POST"}},
 {"name":"Keep","type":"n8n-nodes-base.noOp","typeVersion":1,"parameters":{}}],
 "connections":{"Webhook":{"main":[[{"node":"Keep","type":"main","index":0}]]}}}'
echo "$hook" > "$tmp/hook.json"

# ------------------------------------------------------------- import
run import "$tmp/hook.json"
check "import one workflow exits 0" $([ $rc -eq 0 ]; echo $?) "exit $rc: $(cat "$tmp/err")"
check "import prints the document's id" $([ "$(cat "$tmp/out")" = hook1 ]; echo $?) "$(cat "$tmp/out")"
check "data directory created with mode 0700" \
    $([ "$(stat -c %a "$SLUICE_DATA_DIR")" = 700 ]; echo $?) "$(stat -c %a "$SLUICE_DATA_DIR")"

cat > "$tmp/two.json" <<'JSON'
[{"name":"No id","nodes":[{"name":"Start","type":"n8n-nodes-base.manualTrigger","typeVersion":1}],
  "connections":{},"active":true},
 {"id":"second","name":"Second","nodes":[],"connections":{}}]
JSON
run import "$tmp/two.json"
check "import an array exits 0" $([ $rc -eq 0 ]; echo $?) "exit $rc: $(cat "$tmp/err")"
check "import an array prints one id per workflow" \
    $([ "$(wc -l < "$tmp/out")" -eq 2 ] && sed -n 1p "$tmp/out" | grep -Eq '^[A-Za-z0-9]{16}$' &&
      [ "$(sed -n 2p "$tmp/out")" = second ]; echo $?) "$(cat "$tmp/out")"
newid=$(sed -n 1p "$tmp/out")

run workflows list --json
check "imported workflows are inactive (as n8n imports them)" \
    $(py 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if len(d)==3 and not any(w["active"] for w in d) else 1)' "$tmp/out"; echo $?) \
    "$(cat "$tmp/out")"

# a file that is not a workflow export: one line, exit 2, nothing imported
printf '{"nodes": [\n  {"name": }\n]}' > "$tmp/bad.json"
run import "$tmp/bad.json"
check "import malformed JSON exits 2" $([ $rc -eq 2 ]; echo $?) "exit $rc"
check "import malformed JSON: one line naming the file, line and column" \
    $(one_line && grep -q "bad.json.*line 2, column" "$tmp/err"; echo $?) "$(cat "$tmp/err")"
echo '"just a string"' > "$tmp/str.json"
run import "$tmp/str.json"
check "import a JSON string: exit 2, one line naming the file" \
    $([ $rc -eq 2 ] && one_line && grep -q "str.json: not a workflow" "$tmp/err"; echo $?) \
    "exit $rc: $(cat "$tmp/err")"
cat > "$tmp/half.json" <<'JSON'
[{"id":"half1","name":"Good","nodes":[],"connections":{}},
 {"id":"half2","name":"No connections","nodes":[]}]
JSON
run import "$tmp/half.json"
check "import with one bad workflow exits 2" $([ $rc -eq 2 ]; echo $?) "exit $rc"
check "import with one bad workflow: one line naming file, workflow and cause" \
    $(one_line && grep -q 'half.json: workflow 2: .*"connections"' "$tmp/err"; echo $?) \
    "$(cat "$tmp/err")"
check "import with one bad workflow prints no id" $([ ! -s "$tmp/out" ]; echo $?) "$(cat "$tmp/out")"
run export --id half1
check "nothing half-imported from that file" \
    $([ $rc -eq 2 ] && grep -q "half1" "$tmp/err"; echo $?) "exit $rc: $(cat "$tmp/out")"
echo '[]' > "$tmp/empty.json"
run import "$tmp/empty.json"
check "import an empty array exits 2" $([ $rc -eq 2 ] && one_line; echo $?) "exit $rc: $(cat "$tmp/err")"
run import "$tmp/missing.json"
check "import a missing file: exit 2, one line naming it" \
    $([ $rc -eq 2 ] && one_line && grep -q missing.json "$tmp/err"; echo $?) "exit $rc: $(cat "$tmp/err")"
run import
check "import without a file exits 2" $([ $rc -eq 2 ]; echo $?) "exit $rc"
run import --bogus "$tmp/hook.json"
check "import with an unknown option exits 2" $([ $rc -eq 2 ] && one_line; echo $?) "exit $rc"

# ------------------------------------------------------------- export
run export --id hook1
check "export --id prints the workflow object" \
    $(py 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["id"]=="hook1" and d["name"]=="Orders in" and d["nodes"][0]["type"]=="n8n-nodes-base.webhook" and d["versionCounter"]==1 else 1)' "$tmp/out"; echo $?) \
    "$(cat "$tmp/out")"
cp "$tmp/out" "$tmp/exported.json"
run export --all
check "export --all prints an array of all" \
    $(py 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if sorted(w["id"] for w in d)==sorted(["hook1","second",sys.argv[2]]) else 1)' "$tmp/out" "$newid"; echo $?) \
    "$(head -c 300 "$tmp/out")"
run export --id nope
check "export of an unknown id: exit 2, one line naming it" \
    $([ $rc -eq 2 ] && one_line && grep -q "'nope'" "$tmp/err"; echo $?) "exit $rc: $(cat "$tmp/err")"
run export
check "export without --id or --all exits 2" $([ $rc -eq 2 ] && one_line; echo $?) "exit $rc"
run export --id
check "export --id without a value exits 2" $([ $rc -eq 2 ] && one_line; echo $?) "exit $rc"

# re-importing an export updates the same workflow
run import "$tmp/exported.json"
run export --id hook1
check "re-importing an export updates it (versionCounter 2, same id)" \
    $(py 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["versionCounter"]==2 else 1)' "$tmp/out"; echo $?) \
    "$(head -c 300 "$tmp/out")"

# ----------------------------------------------------- workflows list
run workflows list
check "workflows list: header and one line per workflow" \
    $([ $rc -eq 0 ] && [ "$(wc -l < "$tmp/out")" -eq 4 ] && head -1 "$tmp/out" | grep -q "ID.*ACTIVE.*NAME" &&
      grep -Eq '^hook1 +no +Orders in$' "$tmp/out"; echo $?) "$(cat "$tmp/out")"
run workflows
check "workflows without a subcommand exits 2" $([ $rc -eq 2 ] && one_line; echo $?) "exit $rc"
run workflows list --xml
check "workflows list with an unknown option exits 2" $([ $rc -eq 2 ] && one_line; echo $?) "exit $rc"

# --------------------------------------------- activate / deactivate
run activate hook1
check "activate exits 0" $([ $rc -eq 0 ]; echo $?) "exit $rc: $(cat "$tmp/err")"
run workflows list
check "activate: the list shows it active" $(grep -Eq '^hook1 +yes ' "$tmp/out"; echo $?) "$(cat "$tmp/out")"
run deactivate hook1
run workflows list
check "deactivate: the list shows it inactive" \
    $([ $rc -eq 0 ] && grep -Eq '^hook1 +no ' "$tmp/out"; echo $?) "$(cat "$tmp/out")"
run activate nope
check "activate an unknown id: exit 2, one line" \
    $([ $rc -eq 2 ] && one_line && grep -q "'nope'" "$tmp/err"; echo $?) "exit $rc: $(cat "$tmp/err")"
run deactivate nope
check "deactivate an unknown id: exit 2, one line" $([ $rc -eq 2 ] && one_line; echo $?) "exit $rc"
run activate "$newid"
check "activate a workflow with only a Manual Trigger is refused (n8n's rule)" \
    $([ $rc -eq 2 ] && one_line && grep -q "no node to start the workflow" "$tmp/err"; echo $?) \
    "exit $rc: $(cat "$tmp/err")"
run activate
check "activate without an id exits 2" $([ $rc -eq 2 ]; echo $?) "exit $rc"

cat > "$tmp/unknown.json" <<'JSON'
{"id":"unk1","name":"Unknown","nodes":[{"name":"Hook","type":"n8n-nodes-base.webhook","typeVersion":2},
 {"name":"Send","type":"n8n-nodes-base.slack","typeVersion":2.2}],"connections":{}}
JSON
"$sluice" run "$tmp/unknown.json" >/dev/null 2>"$tmp/run_err"
run import "$tmp/unknown.json"
check "import without --activate stores an unknown node type" $([ $rc -eq 0 ]; echo $?) "exit $rc"
run activate unk1
runmsg=$(sed "s|^sluice: $tmp/unknown.json: ||" "$tmp/run_err")
check "activate refuses an unknown node type with sluice run's message" \
    $([ $rc -eq 2 ] && one_line && [ "$(cat "$tmp/err")" = "sluice: workflow 'unk1': $runmsg" ]; echo $?) \
    "exit $rc: '$(cat "$tmp/err")' vs run's '$(cat "$tmp/run_err")'"
run workflows list
check "a refused activation leaves it inactive" $(grep -Eq '^unk1 +no ' "$tmp/out"; echo $?) "$(cat "$tmp/out")"
sed 's/"unk1"/"unk2"/' "$tmp/unknown.json" > "$tmp/unknown2.json"
run import --activate "$tmp/unknown2.json"
check "import --activate refuses an unknown node type: exit 2, one line" \
    $([ $rc -eq 2 ] && one_line && grep -q "unknown2.json: $runmsg" "$tmp/err"; echo $?) \
    "exit $rc: $(cat "$tmp/err")"
sed 's/"hook1"/"hook2"/' "$tmp/hook.json" > "$tmp/hook2.json"
run import --activate "$tmp/hook2.json"
run workflows list
check "import --activate activates" $(grep -Eq '^hook2 +yes ' "$tmp/out"; echo $?) "$(cat "$tmp/out")"

# --------------------------------------------------------- executions
db="$SLUICE_DATA_DIR/sluice.db"
py '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = [  # workflow, mode, status, created, started, stopped, error
    ("hook1", "webhook", "success", 1700000000000, 1700000000010, 1700000000123, None),
    ("hook1", "webhook", "error", 1700000001000, 1700000001010, 1700000001500, "boom"),
    ("second", "trigger", "success", 1700000002000, 1700000002010, 1700000002100, None),
    ("hook1", "webhook", "running", 1700000003000, 1700000003010, 0, None),
]
for r in rows:
    db.execute("INSERT INTO executions(workflow_id, mode, status, created_ms, started_ms, "
               "stopped_ms, error) VALUES(?,?,?,?,?,?,?)", r)
db.execute("INSERT INTO execution_input(exec_id, json) VALUES(2, ?)", ("{\"items\":[{\"json\":{\"n\":1}}]}",))
db.execute("INSERT INTO execution_data(exec_id, json) VALUES(2, ?)",
           ("{\"resultData\":{\"runData\":{},\"lastNodeExecuted\":\"Keep\"}}",))
db.execute("INSERT INTO node_runs(exec_id, seq, node, type, run, status) VALUES(2, 0, ?, ?, 0, ?)",
           ("Keep", "n8n-nodes-base.noOp", "error"))
db.commit()
' "$db" || check "writing executions into the store" 1 "python3 sqlite3 failed"

run executions list --json
check "executions list --json: newest first, the documented members" \
    $(py '
import json,sys
d=json.load(open(sys.argv[1]))
ok = [e["id"] for e in d] == ["4","3","2","1"]
ok = ok and all(sorted(e) == sorted(["id","workflowId","status","mode","startedAt","stoppedAt"]) for e in d)
ok = ok and d[3]["stoppedAt"] == "2023-11-14T22:13:20.123Z" and d[0]["stoppedAt"] is None
ok = ok and d[2]["status"] == "error" and d[1]["mode"] == "trigger"
sys.exit(0 if ok else 1)' "$tmp/out"; echo $?) "$(cat "$tmp/out")"
run executions list --workflow hook1 --status success --json
check "executions list --workflow and --status filter" \
    $(py 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if [e["id"] for e in d]==["1"] else 1)' "$tmp/out"; echo $?) \
    "$(cat "$tmp/out")"
run executions list --limit 2 --json
check "executions list --limit 2" \
    $(py 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if [e["id"] for e in d]==["4","3"] else 1)' "$tmp/out"; echo $?) \
    "$(cat "$tmp/out")"
py '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.executemany("INSERT INTO executions(workflow_id, mode, status, created_ms) VALUES(?,?,?,?)",
               [("bulk", "trigger", "new", 1700000010000 + i) for i in range(30)])
db.commit()' "$db"
run executions list --json
check "executions list: 20 by default" \
    $(py 'import json,sys; sys.exit(0 if len(json.load(open(sys.argv[1])))==20 else 1)' "$tmp/out"; echo $?) \
    "$(head -c 200 "$tmp/out")"
run executions list --limit 0 --json
check "executions list --limit 0: all" \
    $(py 'import json,sys; sys.exit(0 if len(json.load(open(sys.argv[1])))==34 else 1)' "$tmp/out"; echo $?) \
    "$(head -c 200 "$tmp/out")"
run executions list --workflow second
check "executions list (text): header and rows" \
    $([ $rc -eq 0 ] && [ "$(wc -l < "$tmp/out")" -eq 2 ] && head -1 "$tmp/out" | grep -q "ID.*WORKFLOW.*STATUS" &&
      grep -Eq '^3 +second +success +trigger +2023-11-14T22:13:22.010Z' "$tmp/out"; echo $?) "$(cat "$tmp/out")"
run executions list --status finished
check "executions list with an unknown status: exit 2, one line" \
    $([ $rc -eq 2 ] && one_line && grep -q "finished" "$tmp/err"; echo $?) "exit $rc: $(cat "$tmp/err")"
run executions list --limit -3
check "executions list --limit -3 exits 2" $([ $rc -eq 2 ] && one_line; echo $?) "exit $rc"
run executions list --limit x
check "executions list --limit x exits 2" $([ $rc -eq 2 ] && one_line; echo $?) "exit $rc"
run executions
check "executions without a subcommand exits 2" $([ $rc -eq 2 ] && one_line; echo $?) "exit $rc"

run executions show 2
check "executions show: the API shape without data" \
    $(py '
import json,sys
d=json.load(open(sys.argv[1]))
ok = d["id"]=="2" and d["status"]=="error" and d["finished"] is False and d["error"]=="boom"
ok = ok and d["workflowId"]=="hook1" and "data" not in d
sys.exit(0 if ok else 1)' "$tmp/out"; echo $?) "$(cat "$tmp/out")"
run executions show 2 --data
check "executions show --data: run data and node runs" \
    $(py '
import json,sys
d=json.load(open(sys.argv[1]))
ok = d["data"]["resultData"]["lastNodeExecuted"]=="Keep" and d["nodeRuns"][0]["node"]=="Keep"
ok = ok and d["nodeRuns"][0]["status"]=="error"
sys.exit(0 if ok else 1)' "$tmp/out"; echo $?) "$(cat "$tmp/out")"
run executions show 999
check "executions show of an unknown id: exit 2, one line" \
    $([ $rc -eq 2 ] && one_line && grep -q 999 "$tmp/err"; echo $?) "exit $rc: $(cat "$tmp/err")"
run executions show abc
check "executions show of a non-number: exit 2, one line" $([ $rc -eq 2 ] && one_line; echo $?) "exit $rc"

run executions retry 2
check "executions retry prints the new id" $([ $rc -eq 0 ] && [ "$(cat "$tmp/out")" = 35 ]; echo $?) \
    "exit $rc: $(cat "$tmp/out") $(cat "$tmp/err")"
check "executions retry says it runs when the server runs" \
    $(grep -q "when 'sluice serve' runs" "$tmp/err"; echo $?) "$(cat "$tmp/err")"
run executions show 35
check "the retry is queued: status new, mode retry, retryOf 2" \
    $(py '
import json,sys
d=json.load(open(sys.argv[1]))
sys.exit(0 if d["status"]=="new" and d["mode"]=="retry" and d["retryOf"]=="2" else 1)' "$tmp/out"; echo $?) \
    "$(cat "$tmp/out")"
run executions retry 1
check "retry of a successful execution: exit 2, one line" \
    $([ $rc -eq 2 ] && one_line && grep -q success "$tmp/err"; echo $?) "exit $rc: $(cat "$tmp/err")"
run executions retry 999
check "retry of an unknown id: exit 2, one line" $([ $rc -eq 2 ] && one_line; echo $?) "exit $rc"
run executions retry
check "retry without an id exits 2" $([ $rc -eq 2 ] && one_line; echo $?) "exit $rc"

# ------------------------------------------------------------- apikey
run apikey create --label ci
check "apikey create prints a key once" \
    $([ $rc -eq 0 ] && grep -Eq '^sl_[A-Za-z0-9]{40}$' "$tmp/out"; echo $?) "exit $rc: $(cat "$tmp/out")"
key=$(cat "$tmp/out")
check "the store keeps only the key's SHA-256" \
    $(py '
import hashlib, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT label, sha256 FROM api_keys").fetchall()
ok = rows == [("ci", hashlib.sha256(sys.argv[2].encode()).hexdigest())]
sys.exit(0 if ok else 1)' "$db" "$key"; echo $?) "api_keys rows differ"
run apikey
check "apikey without a subcommand exits 2" $([ $rc -eq 2 ] && one_line; echo $?) "exit $rc"
run apikey create --label
check "apikey create --label without a value exits 2" $([ $rc -eq 2 ] && one_line; echo $?) "exit $rc"

# ------------------------------------------- while another holds it
# a writer holds the database for 1 s: the CLI waits (busy timeout)
py '
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
db.execute("UPDATE workflows SET name = name WHERE id = ?", ("hook1",))
open(sys.argv[2], "w").close()
time.sleep(1)
db.execute("COMMIT")' "$db" "$tmp/locked" &
holder=$!
while [ ! -e "$tmp/locked" ]; do sleep 0.05; done
run activate hook1
wait $holder
check "activate waits for another writer instead of failing" $([ $rc -eq 0 ]; echo $?) \
    "exit $rc: $(cat "$tmp/err")"

# ------------------------------------------------------ the environment
SLUICE_DB=postgres "$sluice" workflows list >"$tmp/out" 2>"$tmp/err"; rc=$?
check "SLUICE_DB other than sqlite: exit 2, one line" \
    $([ $rc -eq 2 ] && one_line && grep -q "only the embedded SQLite store" "$tmp/err"; echo $?) \
    "exit $rc: $(cat "$tmp/err")"
: > "$tmp/notadir"
SLUICE_DATA_DIR="$tmp/notadir" "$sluice" workflows list >"$tmp/out" 2>"$tmp/err"; rc=$?
check "a data directory that is a file: exit 2, one line" \
    $([ $rc -eq 2 ] && one_line && grep -q notadir "$tmp/err"; echo $?) "exit $rc: $(cat "$tmp/err")"
for c in import export workflows activate deactivate executions apikey; do
    "$sluice" help $c >"$tmp/out" 2>&1
    check "help $c" $([ $? -eq 0 ] && grep -q "usage: sluice $c" "$tmp/out"; echo $?) "$(cat "$tmp/out")"
done

[ $fails -eq 0 ] || { echo "$fails failed"; exit 1; }
