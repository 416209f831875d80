#!/bin/sh
# Benchmarks for sluice (not tests: nothing here passes or fails on speed).
#
#   (a) order pipeline: Code makes N orders -> Loop Over Items (batch 100) ->
#       Score Orders (Code) -> back to the loop; done -> Summary (Code).
#       N = 100k and 1M.
#   (b) Set chain over 200k items made by a Code node: one Set node with six
#       assignments vs six Set nodes with one assignment each (same output).
#   Baselines, measured in the same run: the same Code node -> noOp
#       (orders-baseline for (a), items-baseline for (b)), so the figures can
#       be read relative to them on a noisy shared machine.
#
# Every scenario runs RUNS times, interleaved (run 1 of every scenario, then
# run 2, ...), under /usr/bin/time -v; the table shows medians: wall time,
# items/s (N / wall), CPU time (user + system: steadier than wall time
# when the machine is shared), peak RSS (the largest process: `sluice run` executes in
# a child process), and ratios to the baseline. Then a per-node profile from
# `sluice run --json` (executionTimeUs) at a small N shows where time goes.
#
# N reaches the workflows as the start item {"n": N} (--input).
#
# Usage: bench/run.sh [--quick] [--sluice PATH] [--keep DIR]
#   --quick    one run each, N = 10k (a) and 20k (b): checks that it all works
#   --sluice   the binary (default: build/sluice in this repository)
#   --keep     keep raw measurements and outputs in DIR (default: a temp dir)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
sluice=$root/build/sluice
quick=0
keep=

while [ $# -gt 0 ]; do
    case $1 in
    --quick) quick=1 ;;
    --sluice) sluice=$2; shift ;;
    --sluice=*) sluice=${1#--sluice=} ;;
    --keep) keep=$2; shift ;;
    --keep=*) keep=${1#--keep=} ;;
    -h | --help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench/run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
    shift
done

[ -x "$sluice" ] || { echo "bench/run.sh: no sluice binary at $sluice (run make)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench/run.sh: needs /usr/bin/time (Debian package 'time')" >&2; exit 2; }
command -v python3 >/dev/null || { echo "bench/run.sh: needs python3" >&2; exit 2; }

# A Code node may grow the process by SLUICE_CODE_MEMORY_MB (default 1024);
# making 1M orders in one Code node needs far more (see RESULTS.md), so the
# benchmark raises it unless the caller set it.
SLUICE_CODE_MEMORY_MB=${SLUICE_CODE_MEMORY_MB:-16384}
export SLUICE_CODE_MEMORY_MB

if [ "$quick" = 1 ]; then
    runs=1 order_ns="10000" set_n=20000 prof_orders=2000 prof_items=5000
else
    runs=3 order_ns="100000 1000000" set_n=200000 prof_orders=20000 prof_items=50000
fi

if [ -n "$keep" ]; then
    mkdir -p "$keep"
    work=$(cd "$keep" && pwd)
else
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT INT TERM
fi
wfdir=$here/workflows
raw=$work/raw.tsv
: >"$raw"

# scenario lines: label workflow N baseline-label
scenarios=$work/scenarios.txt
: >"$scenarios"
for n in $order_ns; do
    echo "orders-baseline orders-baseline $n -" >>"$scenarios"
    echo "orders-pipeline orders-pipeline $n orders-baseline" >>"$scenarios"
done
echo "items-baseline items-baseline $set_n -" >>"$scenarios"
echo "set-one set-one $set_n items-baseline" >>"$scenarios"
echo "set-six set-six $set_n items-baseline" >>"$scenarios"

echo "sluice benchmarks: $(date)"
echo "binary: $sluice ($(ls -l --time-style=+%F\ %T "$sluice" | awk '{print $6, $7}')," \
    "repository at $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown))"
echo "SLUICE_CODE_MEMORY_MB=$SLUICE_CODE_MEMORY_MB; runs per scenario: $runs; machine: $(nproc) cores," \
    "$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
echo

# measure LABEL WORKFLOW N RUN: one timed run, appended to $raw as
# label n run wall_s maxrss_kb exit_status cpu_s (user + system)
measure() {
    label=$1 wf=$2 n=$3 run=$4
    input=$work/n$n.json
    [ -f "$input" ] || printf '{"n": %s}\n' "$n" >"$input"
    out=$work/out.$label.$n.json
    status=0
    /usr/bin/time -v -o "$work/time.txt" \
        "$sluice" run "$wfdir/$wf.json" --input "$input" <"/dev/null" >"$out" 2>"$work/err.txt" || status=$?
    cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { print s }' "$work/time.txt")
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {
        n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$work/time.txt")
    rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time.txt")
    if [ "$status" = 0 ]; then
        # the output must be what the workflow promises: the summary of N
        # orders, or N items (counted by their pairedItem key, which every
        # output item has: loading 400 MB of JSON to check it would take longer
        # than the run)
        if [ "$label" = orders-pipeline ]; then
            python3 -c 'import json, sys
items = json.load(open(sys.argv[2]))
ok = len(items) == 1 and items[0]["json"].get("orders") == int(sys.argv[1])
sys.exit(0 if ok else "unexpected summary: " + json.dumps(items)[:300])' "$n" "$out" || status=check
        else
            got=$(grep -o '"pairedItem":' "$out" | wc -l)
            [ "$got" = "$n" ] || { echo "    $label: expected $n items, got $got" >&2; status=check; }
        fi
    else
        sed 's/^/    /' "$work/err.txt" | tail -5 >&2
    fi
    [ -n "$keep" ] || rm -f "$out"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$n" "$run" "$wall" "$rss" "$status" "$cpu" >>"$raw"
    printf '  run %s  %-16s N=%-8s %8ss  cpu %8ss  %7s MB  %s\n' "$run" "$label" "$n" "$wall" "$cpu" \
        "$((rss / 1024))" "$([ "$status" = 0 ] && echo ok || echo "FAILED ($status)")"
}

run=1
while [ "$run" -le "$runs" ]; do
    while read -r label wf n base; do
        measure "$label" "$wf" "$n" "$run"
    done <"$scenarios"
    run=$((run + 1))
done

echo
python3 - "$raw" "$scenarios" <<'PY'
import statistics, sys

rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
order = []
base_of = {}
for line in open(sys.argv[2]):
    label, wf, n, base = line.split()
    order.append((label, int(n)))
    base_of[(label, int(n))] = None if base == "-" else base

med = {}
for key in order:
    label, n = key
    runs = [r for r in rows if r[0] == label and int(r[1]) == n]
    good = [r for r in runs if r[5] == "0"]
    if not good:
        med[key] = None
        continue
    med[key] = (statistics.median(float(r[3]) for r in good),
                statistics.median(int(r[4]) for r in good), len(good), len(runs),
                statistics.median(float(r[6]) for r in good))


def fmt_n(n):
    return "%dM" % (n // 1000000) if n % 1000000 == 0 else "%dk" % (n // 1000) if n % 1000 == 0 else str(n)


print("| scenario | N | wall (s) | items/s | CPU (s) | peak RSS (MB) | wall / baseline | CPU / baseline | RSS / baseline | runs ok |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for key in order:
    label, n = key
    m = med[key]
    if m is None:
        print("| %s | %s | failed | | | | | | | 0 |" % (label, fmt_n(n)))
        continue
    wall, rss, ok, total, cpu = m
    base = base_of[key]
    bw = bc = br = "–"
    if base and med.get((base, n)):
        bwall, brss, _, _, bcpu = med[(base, n)]
        bw = "%.2f×" % (wall / bwall) if bwall > 0 else "–"
        bc = "%.2f×" % (cpu / bcpu) if bcpu > 0 else "–"
        br = "%.2f×" % (rss / brss) if brss > 0 else "–"
    ips = "%.0f" % (n / wall) if wall > 0 else "–"
    print("| %s | %s | %.2f | %s | %.2f | %.0f | %s | %s | %s | %d/%d |"
          % (label, fmt_n(n), wall, ips, cpu, rss / 1024, bw, bc, br, ok, total))

ns = {n for l, n in order if l == "set-one"}
for n in sorted(ns):
    one, six = med.get(("set-one", n)), med.get(("set-six", n))
    if one and six:
        print()
        print("Set chain, N=%s: six-Set / one-Set peak RSS = %.2f× (%.0f MB / %.0f MB); "
              "wall = %.2f× (%.2fs / %.2fs); CPU = %.2f× (%.2fs / %.2fs)"
              % (fmt_n(n), six[1] / one[1], six[1] / 1024, one[1] / 1024,
                 six[0] / one[0], six[0], one[0], six[4] / one[4], six[4], one[4]))
PY

# Where the time goes: per-node executionTimeUs from --json at a small N.
echo
echo "Per-node time (sluice run --json, executionTimeUs summed over runs):"
for spec in "orders-pipeline $prof_orders" "set-six $prof_items"; do
    set -- $spec
    printf '{"n": %s}\n' "$2" >"$work/prof.json"
    /usr/bin/time -f '%e %M' -o "$work/time.txt" \
        "$sluice" run "$wfdir/$1.json" --input "$work/prof.json" --json >"$work/prof.out.json" 2>"$work/err.txt" || {
        echo "  $1 N=$2: run failed:"; sed 's/^/    /' "$work/err.txt" | tail -3; continue; }
    python3 - "$1" "$2" "$work/prof.out.json" "$(cat "$work/time.txt")" <<'PY'
import json, sys
name, n, path, timing = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4].split()
r = json.load(open(path))
rows = []
for node, runs in r["runData"].items():
    us = sum(x.get("executionTimeUs", 0) for x in runs)
    out = sum(sum(x.get("itemsOut") or [0]) for x in runs)
    rows.append((us, node, len(runs), out))
total = sum(x[0] for x in rows) or 1
print("  %s, N=%d (wall %ss with --json, peak RSS %d MB; node time %.2fs):"
      % (name, n, timing[0], int(timing[1]) // 1024, total / 1e6))
for us, node, nruns, out in sorted(rows, reverse=True):
    print("    %-36s %9.3fs %5.1f%%  runs %-6d items out %d"
          % (node, us / 1e6, 100.0 * us / total, nruns, out))
PY
done
if [ -n "$keep" ]; then echo; echo "raw measurements: $raw"; fi
