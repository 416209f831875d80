#!/bin/sh
# Webhook load benchmark: `sluice serve` against a minimal libmicrohttpd
# echo server (build/bench/bench_echo, the ceiling) on the same machine, in
# one run. Not a test: nothing here passes or fails on speed.
#
# Scenarios (wrk POSTs the same JSON body on every request):
#   echo-small            bench_echo, a 120-byte JSON object
#   relay-small           bench_relay (build/bench/bench_relay): bench_echo
#                         with a round trip through a worker process per
#                         request, the floor of sluice's process design
#   webhook-respond       Webhook -> Respond to Webhook (the body back)
#                         (bench/workflows/webhook-respond.json)
#   webhook-code-respond  Webhook -> Code (small transform) -> Respond to
#                         Webhook (bench/workflows/webhook-code-respond.json)
#   echo-orders           bench_echo, 100 orders (examples/gen_orders.py 100,
#                         compact JSON: 66 KB)
#   relay-orders          bench_relay, the same orders
#   order-processor       examples/order-processor-webhook.json, 100 orders
#                         per request, answered with the Summary (lastNode)
# The first four use the small body, the last three the orders; each sluice
# scenario is read against the echo and relay runs with the same body.
#
# Every scenario runs ROUNDS times, interleaved (round 1 of each, then
# round 2, ...), after a short unrecorded warm-up, with the same wrk
# threads, connections and duration. The table gives medians of the rounds:
# 2xx answers per second, p50 and p99 latency (wrk --latency), the ratio to
# the echo ceiling, and the count of non-2xx answers and socket errors.
# Before that the server is started STARTS times on its own to measure the
# time to /healthz/readiness and the idle memory (RSS of the main process,
# RSS and PSS of it with its workers, 1 s after readiness).
#
# sluice runs with default settings in a fresh SLUICE_DATA_DIR; the three
# workflows are imported and activated with `sluice import --activate`.
# This script builds nothing: run `make` first.
#
# Usage: bench/webhook.sh [options]
#   --sluice PATH       sluice binary (default build/sluice)
#   --echo PATH         echo server (default build/bench/bench_echo)
#   --relay PATH        relay server (default build/bench/bench_relay)
#   --duration S        seconds per wrk run (default 10)
#   --connections N     wrk connections (default 32)
#   --threads N         wrk threads (default 2)
#   --rounds N          rounds (default 3)
#   --starts N          server starts for start-up time and idle memory (default 5)
#   --echo-only         only the echo scenarios (checks the tooling)
#   --keep DIR          keep wrk outputs, server logs and /metrics in DIR
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
sluice=$root/build/sluice
echo_bin=$root/build/bench/bench_echo
relay_bin=$root/build/bench/bench_relay
duration=10 connections=32 threads=2 rounds=3 starts=5 echo_only=0 keep=

while [ $# -gt 0 ]; do
    case $1 in
    --sluice) sluice=$2; shift ;;
    --echo) echo_bin=$2; shift ;;
    --relay) relay_bin=$2; shift ;;
    --duration) duration=$2; shift ;;
    --connections) connections=$2; shift ;;
    --threads) threads=$2; shift ;;
    --rounds) rounds=$2; shift ;;
    --starts) starts=$2; shift ;;
    --echo-only) echo_only=1 ;;
    --keep) keep=$2; shift ;;
    -h | --help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench/webhook.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
    shift
done

die() { echo "bench/webhook.sh: $*" >&2; exit 2; }
[ -x "$echo_bin" ] || die "no echo server at $echo_bin (run make)"
[ -x "$relay_bin" ] || die "no relay server at $relay_bin (run make)"
[ "$echo_only" = 1 ] || [ -x "$sluice" ] || die "no sluice binary at $sluice (run make)"
command -v wrk >/dev/null || die "needs wrk (Debian package 'wrk')"
command -v python3 >/dev/null || die "needs python3"
tool="python3 $here/webhook_tool.py"

if [ -n "$keep" ]; then
    mkdir -p "$keep"
    tmp=$(cd "$keep" && pwd)
else
    tmp=$(mktemp -d)
fi
raw=$tmp/raw
mkdir -p "$raw" "$tmp/startup"
echo_pid= relay_pid= serve_pid=
cleanup() {
    set +e
    [ -z "$serve_pid" ] || { kill -TERM "$serve_pid" 2>/dev/null; wait "$serve_pid" 2>/dev/null; }
    [ -z "$echo_pid" ] || { kill -TERM "$echo_pid" 2>/dev/null; wait "$echo_pid" 2>/dev/null; }
    [ -z "$relay_pid" ] || { kill -TERM "$relay_pid" 2>/dev/null; wait "$relay_pid" 2>/dev/null; }
    [ -n "$keep" ] || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_http() { # URL: until it answers 200, at most 30 s
    i=0
    until [ "$(curl -s -o /dev/null -w '%{http_code}' "$1")" = 200 ]; do
        i=$((i + 1))
        [ $i -lt 3000 ] || die "$1 not answering after 30 s"
        sleep 0.01
    done
}

# Request bodies.
small=$tmp/small.json
printf '%s\n' '{"id":12345,"name":" blue widget ","amount":19.99,"tags":["new","sale"],"customer":{"id":"CUS-01070","country":"DE","email":"marie@example.com"}}' >"$small"
orders=$tmp/orders100.json
python3 "$root/examples/gen_orders.py" 100 "$orders" >/dev/null
python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); open(sys.argv[1], "w").write(json.dumps(d, separators=(",", ":"), ensure_ascii=False))' "$orders"

start_echoing() { # NAME BINARY: starts it on a free port, checks it echoes; sets $url, $pid
    port=$(free_port)
    "$2" "$port" 2>"$tmp/$1.log" &
    pid=$!
    url=http://127.0.0.1:$port
    wait_http "$url/"
    $tool check echo "$url/webhook/bench-respond" "$small"
    $tool check echo "$url/webhook/orders" "$orders"
}
start_echoing echo "$echo_bin"
echo_pid=$pid echo_url=$url
start_echoing relay "$relay_bin"
relay_pid=$pid relay_url=$url

# scenario name, URL, body, check
scenarios="echo-small $echo_url/webhook/bench-respond $small echo
relay-small $relay_url/webhook/bench-respond $small echo
echo-orders $echo_url/webhook/orders $orders echo
relay-orders $relay_url/webhook/orders $orders echo"

if [ "$echo_only" = 0 ]; then
    port=$(free_port)
    SLUICE_DATA_DIR=$tmp/data SLUICE_HOST=127.0.0.1 SLUICE_PORT=$port
    export SLUICE_DATA_DIR SLUICE_HOST SLUICE_PORT
    url=http://127.0.0.1:$port
    "$sluice" import --activate "$here/workflows/webhook-respond.json" \
        "$here/workflows/webhook-code-respond.json" "$root/examples/order-processor-webhook.json" \
        >"$tmp/import.log" 2>&1 || { cat "$tmp/import.log" >&2; die "sluice import --activate failed"; }

    echo "start-up: $starts starts of sluice serve" >&2
    i=1
    while [ $i -le "$starts" ]; do
        $tool startup "$url/healthz/readiness" "$tmp/startup/start.$i.json" -- "$sluice" serve
        i=$((i + 1))
    done

    "$sluice" serve >"$tmp/serve.log" 2>&1 &
    serve_pid=$!
    wait_http "$url/healthz/readiness"
    $tool check echo "$url/webhook/bench-respond" "$small"
    $tool check code "$url/webhook/bench-code" "$small"
    $tool check orders "$url/webhook/orders" "$orders"
    scenarios="echo-small $echo_url/webhook/bench-respond $small echo
relay-small $relay_url/webhook/bench-respond $small echo
webhook-respond $url/webhook/bench-respond $small echo
webhook-code-respond $url/webhook/bench-code $small code
echo-orders $echo_url/webhook/orders $orders echo
relay-orders $relay_url/webhook/orders $orders echo
order-processor $url/webhook/orders $orders orders"
fi

run_wrk() { # NAME URL BODY SECONDS OUT
    BODY_FILE=$3 wrk -t"$threads" -c"$connections" -d"$4"s --timeout 10s --latency \
        -s "$here/wrk/post.lua" "$2" >"$5" 2>&1 || { cat "$5" >&2; die "wrk failed on $1"; }
    grep -q '^RESULT ' "$5" || { cat "$5" >&2; die "no RESULT line from wrk on $1"; }
}

echo "warm-up" >&2
echo "$scenarios" | while read -r name u body check; do
    run_wrk "$name" "$u" "$body" 2 "$tmp/warmup.$name.txt"
done

r=1
while [ $r -le "$rounds" ]; do
    echo "round $r of $rounds: wrk -t$threads -c$connections -d${duration}s" >&2
    echo "$scenarios" | while read -r name u body check; do
        run_wrk "$name" "$u" "$body" "$duration" "$raw/$name.$r.txt"
        sed -n 's/^RESULT /  '"$name"': /p' "$raw/$name.$r.txt" >&2
    done
    r=$((r + 1))
done

after=
if [ -n "$serve_pid" ]; then
    if kill -0 "$serve_pid" 2>/dev/null; then
        # the answers are still right after the load, and the server's own view of it
        $tool check code "$url/webhook/bench-code" "$small" || echo "WARNING: wrong answer after the load" >&2
        $tool check orders "$url/webhook/orders" "$orders" || echo "WARNING: wrong answer after the load" >&2
        curl -s "$url/metrics" >"$tmp/metrics.txt" || true
        after=$($tool mem "$serve_pid")
    else
        after="none: the server died during the load (its log: $tmp/serve.log)"
        echo "WARNING: sluice serve died during the load; last lines of its log:" >&2
        tail -5 "$tmp/serve.log" >&2
    fi
fi

echo
echo "wrk -t$threads -c$connections -d${duration}s, $rounds interleaved rounds, $(nproc) cores," \
    "load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
$tool table "$raw" "$tmp/startup"
[ -z "$serve_pid" ] || echo "Memory of the server after the load: $after"
[ -z "$keep" ] || echo "raw outputs in $tmp"
