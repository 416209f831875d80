#!/bin/sh
# CLI behaviour of `sluice run`: exit codes, one-line errors naming the
# problem, output shapes, and the code time and memory limits.
# Usage: test_run.sh SLUICE REPO_ROOT
set -u
sluice=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
check() { # name, condition result (0 = ok), detail
    if [ "$2" -eq 0 ]; then echo "ok   $1"; else echo "FAIL $1: $3"; fails=$((fails + 1)); fi
}
wf() { # name, code-node js
    cat > "$tmp/$1.json" <<JSON
{"nodes":[{"name":"Start","type":"n8n-nodes-base.manualTrigger","typeVersion":1,"parameters":{}},
 {"name":"Work","type":"n8n-nodes-base.code","typeVersion":2,"parameters":{"jsCode":$2}}],
 "connections":{"Start":{"main":[[{"node":"Work","type":"main","index":0}]]}}}
JSON
}

printf '{"nodes": [\n  {"name": }\n]}' > "$tmp/bad.json"
"$sluice" run "$tmp/bad.json" >"$tmp/out" 2>"$tmp/err"; rc=$?
lines=$(wc -l < "$tmp/err")
check "malformed JSON exits 2" $([ $rc -eq 2 ]; echo $?) "exit $rc"
check "malformed JSON: one line with line and column" \
    $([ "$lines" -eq 1 ] && grep -q 'line 2, column' "$tmp/err"; echo $?) "$(cat "$tmp/err")"

cat > "$tmp/unknown.json" <<'JSON'
{"nodes":[{"name":"Start","type":"n8n-nodes-base.manualTrigger","typeVersion":1},
 {"name":"Send","type":"n8n-nodes-base.slack","typeVersion":2.2}],"connections":{}}
JSON
"$sluice" run "$tmp/unknown.json" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "unknown node type exits 2" $([ $rc -eq 2 ]; echo $?) "exit $rc"
check "unknown node type: names node, type and version" \
    $([ "$(wc -l < "$tmp/err")" -eq 1 ] && grep -q "'Send'.*n8n-nodes-base.slack.*2.2" "$tmp/err"; echo $?) \
    "$(cat "$tmp/err")"

"$sluice" run "$tmp/missing.json" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "missing file exits 2" $([ $rc -eq 2 ]; echo $?) "exit $rc"
"$sluice" run >"$tmp/out" 2>"$tmp/err"; rc=$?
check "no arguments exits 2" $([ $rc -eq 2 ]; echo $?) "exit $rc"

wf ok '"return $input.all().map(i => ({v: i.json.v * 2}))"'
echo '[{"v": 1}, {"json": {"v": 20}}]' > "$tmp/in.json"
"$sluice" run "$tmp/ok.json" --input "$tmp/in.json" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "run with --input succeeds" $([ $rc -eq 0 ]; echo $?) "exit $rc: $(cat "$tmp/err")"
check "output is the last node's items" \
    $(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if [i["json"]["v"] for i in d]==[2,40] else 1)' "$tmp/out"; echo $?) \
    "$(cat "$tmp/out")"
"$sluice" run "$tmp/ok.json" --json < /dev/null >"$tmp/out" 2>"$tmp/err"; rc=$?
check "--json gives n8n's run shape" \
    $(python3 -c '
import json,sys
d=json.load(open(sys.argv[1]))
r=d["runData"]["Work"][0]
ok = d["status"]=="success" and d["finished"] is True and d["lastNodeExecuted"]=="Work" and d["error"] is None
ok = ok and r["executionStatus"]=="success" and isinstance(r["executionTimeUs"], int) and "main" in r["data"]
sys.exit(0 if ok else 1)' "$tmp/out"; echo $?) "$(head -c 400 "$tmp/out")"

wf nums '"return [{a: 99461.43, b: 0.1 + 0.2, c: 1e21, d: 5}]"'
"$sluice" run "$tmp/nums.json" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "numbers print as JavaScript prints them" \
    $(grep -q '"a":99461.43,"b":0.30000000000000004,"c":1e+21,"d":5' "$tmp/out"; echo $?) "$(cat "$tmp/out")"

cat > "$tmp/pin.json" <<'JSON'
{"nodes":[{"name":"Start","type":"n8n-nodes-base.manualTrigger","typeVersion":1},
 {"name":"Work","type":"n8n-nodes-base.noOp","typeVersion":1}],
 "connections":{"Start":{"main":[[{"node":"Work","type":"main","index":0}]]}},
 "pinData":{"Work":[{"json":{"pinned":true}}],"Start":[5]}}
JSON
"$sluice" run "$tmp/pin.json" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "bad pinData fails naming the node" \
    $([ $rc -eq 1 ] && grep -q "node 'Start': pinData for this node: item 0 is not an object" "$tmp/err"; echo $?) \
    "exit $rc: $(cat "$tmp/err")"
sed -i 's/,"Start":\[5\]//' "$tmp/pin.json"
"$sluice" run "$tmp/pin.json" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "pinData is the node's output in sluice run" \
    $([ $rc -eq 0 ] && grep -q '"pinned":true' "$tmp/out"; echo $?) "exit $rc: $(cat "$tmp/out" "$tmp/err")"

wf fail '"throw new Error(\"bad order\")"'
"$sluice" run "$tmp/fail.json" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "a failing node exits 1" $([ $rc -eq 1 ]; echo $?) "exit $rc"
check "the error names the node and carries the line" \
    $(grep -q "node 'Work': bad order \[line 1\]" "$tmp/err"; echo $?) "$(cat "$tmp/err")"

wf spin '"while (true) {}"'
start=$(date +%s)
SLUICE_CODE_TIMEOUT_MS=2000 "$sluice" run "$tmp/spin.json" >"$tmp/out" 2>"$tmp/err"; rc=$?
took=$(( $(date +%s) - start ))
check "runaway code fails the execution (exit 1)" $([ $rc -eq 1 ]; echo $?) "exit $rc"
check "runaway code is stopped within seconds" $([ $took -le 10 ]; echo $?) "took ${took}s"
check "the time limit is named" $(grep -q "SLUICE_CODE_TIMEOUT_MS" "$tmp/err"; echo $?) "$(cat "$tmp/err")"

cat > "$tmp/spin-retry.json" <<'JSON'
{"nodes":[{"name":"Start","type":"n8n-nodes-base.manualTrigger","typeVersion":1},
 {"name":"Work","type":"n8n-nodes-base.code","typeVersion":2,"retryOnFail":true,"maxTries":3,
  "waitBetweenTries":10,"parameters":{"jsCode":"console.log('attempt'); while (true) {}"}}],
 "connections":{"Start":{"main":[[{"node":"Work","type":"main","index":0}]]}}}
JSON
SLUICE_CODE_TIMEOUT_MS=1000 "$sluice" run "$tmp/spin-retry.json" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "a limit is not retried and does not crash" \
    $([ $rc -eq 1 ] && grep -q "SLUICE_CODE_TIMEOUT_MS" "$tmp/err" && ! grep -q crashed "$tmp/err" \
      && [ "$(grep -c ' attempt exec=.* node=Work$' "$tmp/err")" -eq 1 ]; echo $?) \
    "exit $rc: $(cat "$tmp/err")"

wf hog '"const a = []; while (true) a.push(new Array(100000).fill(Math.random()));"'
SLUICE_CODE_MEMORY_MB=256 "$sluice" run "$tmp/hog.json" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "unbounded allocation fails the execution (exit 1)" $([ $rc -eq 1 ]; echo $?) "exit $rc"
check "the memory limit is named" $(grep -q "memory limit" "$tmp/err"; echo $?) "$(cat "$tmp/err")"

# a large result: the limit can hit while it is converted (JSON.stringify)
wf big '"return Array.from({length: 400000}, (_, i) => ({i, s: String(i).padStart(40, String.fromCharCode(120))}))"'
SLUICE_CODE_MEMORY_MB=100 "$sluice" run "$tmp/big.json" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "the limit hit while converting a result fails cleanly" \
    $([ $rc -eq 1 ] && grep -q "memory limit" "$tmp/err" && ! grep -q crashed "$tmp/err"; echo $?) \
    "exit $rc: $(cat "$tmp/err")"

wf env '"return [{home: $env.HOME}]"'
"$sluice" run "$tmp/env.json" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "\$env is blocked by default" $([ $rc -eq 1 ] && grep -q "SLUICE_ENV_ACCESS" "$tmp/err"; echo $?) "exit $rc: $(cat "$tmp/err")"
SLUICE_ENV_ACCESS=allow HOME=/sluice-home "$sluice" run "$tmp/env.json" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "\$env with SLUICE_ENV_ACCESS=allow" $([ $rc -eq 0 ] && grep -q '/sluice-home' "$tmp/out"; echo $?) "exit $rc: $(cat "$tmp/err")"

# a Wait node parks the run; `sluice run` sleeps on the real clock, then resumes
cat > "$tmp/wait.json" <<'JSON'
{"nodes":[{"name":"Start","type":"n8n-nodes-base.manualTrigger","typeVersion":1},
 {"name":"Before","type":"n8n-nodes-base.code","typeVersion":2,"parameters":{"jsCode":"return [{t: Date.now()}]"}},
 {"name":"Wait","type":"n8n-nodes-base.wait","typeVersion":1.1,"parameters":{"amount":1.5,"unit":"seconds"}},
 {"name":"After","type":"n8n-nodes-base.code","typeVersion":2,
  "parameters":{"jsCode":"return [{waited: Date.now() - $json.t}]"}}],
 "connections":{"Start":{"main":[[{"node":"Before","type":"main","index":0}]]},
  "Before":{"main":[[{"node":"Wait","type":"main","index":0}]]},
  "Wait":{"main":[[{"node":"After","type":"main","index":0}]]}}}
JSON
t0=$(date +%s%N)
"$sluice" run "$tmp/wait.json" >"$tmp/out" 2>"$tmp/err"; rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
check "run with a 1.5 s wait succeeds" $([ $rc -eq 0 ]; echo $?) "exit $rc: $(cat "$tmp/err")"
check "the wait really waits (1.5 s wall time)" $([ $ms -ge 1500 ]; echo $?) "took $ms ms"
check "the run resumes after the wait" \
    $(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); w=d[0]["json"]["waited"]; sys.exit(0 if 1500 <= w < 10000 else 1)' "$tmp/out"; echo $?) \
    "$(cat "$tmp/out")"
"$sluice" run "$tmp/wait.json" --json >"$tmp/out" 2>"$tmp/err"; rc=$?
check "--json after a wait: one successful Wait run" \
    $(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); r=d["runData"]["Wait"]; sys.exit(0 if d["status"]=="success" and len(r)==1 and r[0]["executionStatus"]=="success" else 1)' "$tmp/out"; echo $?) \
    "exit $rc: $(head -c 300 "$tmp/out")"

sed 's/"amount":1.5,"unit":"seconds"/"resume":"webhook"/' "$tmp/wait.json" > "$tmp/wait-hook.json"
"$sluice" run "$tmp/wait-hook.json" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "a webhook resume is a one-line error naming node and mode" \
    $([ $rc -eq 1 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] && grep -q "'Wait'.*resume mode 'webhook' needs sluice serve" "$tmp/err"; echo $?) \
    "exit $rc: $(cat "$tmp/err")"

# a workflow that starts with a Webhook node gets the --input items
cat > "$tmp/hook.json" <<'JSON'
{"nodes":[{"name":"Webhook","type":"n8n-nodes-base.webhook","typeVersion":2,"parameters":{"path":"x"}},
 {"name":"Work","type":"n8n-nodes-base.code","typeVersion":2,
  "parameters":{"jsCode":"return $input.all().map(i => ({name: i.json.body.name}))"}}],
 "connections":{"Webhook":{"main":[[{"node":"Work","type":"main","index":0}]]}}}
JSON
echo '[{"body": {"name": "Ada"}}, {"body": {"name": "Bob"}}]' > "$tmp/hook-in.json"
"$sluice" run "$tmp/hook.json" --input "$tmp/hook-in.json" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "--input feeds a Webhook start node" \
    $([ $rc -eq 0 ] && python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if [i["json"]["name"] for i in d]==["Ada","Bob"] else 1)' "$tmp/out"; echo $?) \
    "exit $rc: $(cat "$tmp/out") $(cat "$tmp/err")"

"$sluice" --version | grep -q '^sluice [0-9]'; check "--version" $? "no version"
"$sluice" help run | grep -q -- '--input'; check "help run" $? "no help"

# an expression that does not compile: every item fails with n8n's
# "invalid syntax", and the detail is logged once, not once per item
cat > "$tmp/syntax.json" <<'JSON'
{"nodes":[{"name":"Start","type":"n8n-nodes-base.manualTrigger","typeVersion":1,"parameters":{}},
 {"name":"Set","type":"n8n-nodes-base.set","typeVersion":3.4,"onError":"continueRegularOutput",
  "parameters":{"assignments":{"assignments":[{"id":"1","name":"x","value":"={{ $json. }}","type":"string"}]},"options":{}}}],
 "connections":{"Start":{"main":[[{"node":"Set","type":"main","index":0}]]}}}
JSON
echo '[{"a":1},{"a":2},{"a":3}]' > "$tmp/three.json"
"$sluice" run "$tmp/syntax.json" --input "$tmp/three.json" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "syntax error: each item fails with 'invalid syntax'" \
    $([ $rc -eq 0 ] && [ "$(grep -o '"error":"invalid syntax"' "$tmp/out" | wc -l)" -eq 3 ]; echo $?) \
    "exit $rc: $(cat "$tmp/out")"
check "syntax error: the detail is logged once, naming the node" \
    $([ "$(wc -l < "$tmp/err")" -eq 1 ] && grep -q " invalid syntax in expression: .* node=Set$" "$tmp/err"; echo $?) \
    "$(cat "$tmp/err")"

total=$(grep -c '^check "' "$0")
echo "$((total - fails)) passed, $fails failed"
[ $fails -eq 0 ]
