#!/bin/sh
# HTTP Request node benchmark: `sluice run` sends N requests (default
# 10,000) from one HTTP Request node to a local server, bench_echo
# (build/bench/bench_echo, which answers each POST with its body), and the
# same server is loaded by wrk with as many connections, as the ceiling of
# the machine, in the same run. Not a test: nothing passes or fails.
#
# Scenarios, each a Manual Trigger -> Code (N items {i}) -> HTTP Request
# (POST http://127.0.0.1:PORT/item, JSON body {"i": i}, v4.2):
#   node-default   the node's own concurrency (no options)
#   node-batch-1   options.batching.batch.batchSize 1: one request at a
#                  time, as a rate-limited API would be called
#   wrk-ceiling    wrk -c16 POSTing the same body for the same time
# Every scenario runs ROUNDS times, interleaved; the table gives medians of
# requests per second (N / wall time of `sluice run`, start-up included).
#
# Usage: bench/http_request.sh [--items N] [--rounds R] [--sluice PATH]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
sluice=$root/build/sluice
echo_bin=$root/build/bench/bench_echo
items=10000 rounds=3
while [ $# -gt 0 ]; do
    case $1 in
    --items) items=$2; shift ;;
    --rounds) rounds=$2; shift ;;
    --sluice) sluice=$2; shift ;;
    -h | --help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench/http_request.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
    shift
done
die() { echo "bench/http_request.sh: $*" >&2; exit 2; }
[ -x "$sluice" ] || die "no sluice binary at $sluice (run make)"
[ -x "$echo_bin" ] || die "no echo server at $echo_bin (run make)"
command -v wrk >/dev/null || die "needs wrk (Debian package 'wrk')"

tmp=$(mktemp -d)
echo_pid=
cleanup() {
    [ -z "$echo_pid" ] || kill "$echo_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$echo_bin" "$port" 2>"$tmp/echo.log" &
echo_pid=$!
until curl -s -o /dev/null "http://127.0.0.1:$port/"; do sleep 0.05; done

workflow() { # OUT OPTIONS_JSON
    python3 - "$1" "$2" "$items" "$port" <<'PY'
import json, sys
out, options, n, port = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
wf = {"name": "bench: HTTP Request", "nodes": [
    {"parameters": {}, "name": "Start", "type": "n8n-nodes-base.manualTrigger",
     "typeVersion": 1, "position": [0, 0]},
    {"parameters": {"jsCode": "return Array.from({length: %d}, (_, i) => ({json: {i}}));" % n},
     "name": "Items", "type": "n8n-nodes-base.code", "typeVersion": 2, "position": [200, 0]},
    {"parameters": {"method": "POST", "url": "http://127.0.0.1:%s/item" % port,
                    "sendBody": True, "specifyBody": "json",
                    "jsonBody": "={{ JSON.stringify({ i: $json.i }) }}", "options": options},
     "name": "Request", "type": "n8n-nodes-base.httpRequest", "typeVersion": 4.2,
     "position": [400, 0]},
    {"parameters": {"jsCode": "return [{json: {answers: $input.all().length, last: $input.last().json}}];"},
     "name": "Count", "type": "n8n-nodes-base.code", "typeVersion": 2, "position": [600, 0]}],
    "connections": {
        "Start": {"main": [[{"node": "Items", "type": "main", "index": 0}]]},
        "Items": {"main": [[{"node": "Request", "type": "main", "index": 0}]]},
        "Request": {"main": [[{"node": "Count", "type": "main", "index": 0}]]}}}
json.dump(wf, open(out, "w"))
PY
}
workflow "$tmp/default.json" '{}'
workflow "$tmp/batch1.json" '{"batching": {"batch": {"batchSize": 1, "batchInterval": 0}}}'

run_node() { # NAME WF -> prints requests/s, checks the answers
    t0=$(date +%s.%N)
    SLUICE_DATA_DIR=$tmp/data "$sluice" run "$2" >"$tmp/out.json"
    t1=$(date +%s.%N)
    python3 - "$tmp/out.json" "$items" "$t0" "$t1" <<'PY'
import json, sys
out = json.load(open(sys.argv[1]))[0]["json"]
n = int(sys.argv[2])
if out["answers"] != n or out["last"] != {"i": n - 1}:
    sys.exit("wrong answers: %r" % out)
print("%.1f" % (n / (float(sys.argv[4]) - float(sys.argv[3]))))
PY
}

printf '%s\n' '{"i":1}' >"$tmp/body.json"
cat >"$tmp/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"i":1}'
wrk.headers["Content-Type"] = "application/json"
LUA
r=1
while [ $r -le "$rounds" ]; do
    d=$(run_node node-default "$tmp/default.json")
    b=$(run_node node-batch-1 "$tmp/batch1.json")
    w=$(wrk -t2 -c16 -d5s -s "$tmp/post.lua" "http://127.0.0.1:$port/item" | awk '/Requests\/sec/ {print $2}')
    echo "round $r: node-default $d req/s, node-batch-1 $b req/s, wrk-ceiling $w req/s" >&2
    echo "$d $b $w" >>"$tmp/rounds"
    r=$((r + 1))
done
python3 - "$tmp/rounds" "$items" <<'PY'
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1])]
med = [statistics.median(c) for c in zip(*rows)]
print("%s requests per run, %d rounds, medians:" % (sys.argv[2], len(rows)))
print()
print("| scenario | requests/s | of wrk ceiling | each round |")
print("| --- | ---: | ---: | --- |")
for i, name in enumerate(["node-default", "node-batch-1", "wrk-ceiling"]):
    print("| %s | %.0f | %.1f%% | %s |" % (name, med[i], 100 * med[i] / med[2],
                                         " / ".join("%.0f" % r[i] for r in rows)))
PY
