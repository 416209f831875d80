#!/bin/sh
# `sluice run` with sub-workflows (Execute Workflow node): a failure inside
# the sub-workflow fails the run with exit 1 and one line naming the
# sub-workflow's failing node; localFile paths stay inside SLUICE_FILES_ALLOW;
# the url source fetches over http(s) only.
# Usage: test_subworkflow.sh SLUICE REPO_ROOT
set -u
sluice=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
check() { # name, condition result (0 = ok), detail
    if [ "$2" -eq 0 ]; then echo "ok   $1"; else echo "FAIL $1: $3"; fails=$((fails + 1)); fi
}

cat > "$tmp/sub.json" <<'JSON'
{"nodes":[{"name":"In","type":"n8n-nodes-base.executeWorkflowTrigger","typeVersion":1.1,
  "parameters":{"inputSource":"passthrough"}},
 {"name":"Check total","type":"n8n-nodes-base.code","typeVersion":2,"parameters":{"jsCode":
  "for (const i of $input.all()) if (i.json.total < 0) throw new Error('negative total'); return $input.all()"}}],
 "connections":{"In":{"main":[[{"node":"Check total","type":"main","index":0}]]}}}
JSON
cat > "$tmp/main.json" <<'JSON'
{"nodes":[{"name":"Start","type":"n8n-nodes-base.manualTrigger","typeVersion":1,"parameters":{}},
 {"name":"Validate","type":"n8n-nodes-base.executeWorkflow","typeVersion":1.3,
  "parameters":{"source":"localFile","workflowPath":"sub.json","options":{}}}],
 "connections":{"Start":{"main":[[{"node":"Validate","type":"main","index":0}]]}}}
JSON

cd "$tmp" || exit 1
echo '[{"total": 5}, {"total": 7}]' > ok.json
"$sluice" run main.json --input ok.json >out 2>err; rc=$?
check "sub-workflow run succeeds" $([ $rc -eq 0 ]; echo $?) "exit $rc: $(cat err)"
check "output is the sub-workflow's last node's items" \
    $(python3 -c 'import json,sys; d=json.load(open("out")); sys.exit(0 if [i["json"]["total"] for i in d]==[5,7] else 1)'; echo $?) \
    "$(cat out)"

echo '[{"total": 5}, {"total": -1}]' > bad.json
"$sluice" run main.json --input bad.json >out 2>err; rc=$?
check "sub-workflow failure exits 1" $([ $rc -eq 1 ]; echo $?) "exit $rc"
check "one line naming the node and the sub-workflow's node" \
    $([ "$(wc -l < err)" -eq 1 ] && grep -q "node 'Validate': sub-workflow node 'Check total': negative total" err; echo $?) \
    "$(cat err)"
"$sluice" run main.json --input bad.json --json >out 2>err; rc=$?
check "--json: the error names the sub-workflow's node" \
    $(python3 -c '
import json,sys
d=json.load(open("out"))
sys.exit(0 if d["status"]=="error" and "sub-workflow node '"'"'Check total'"'"'" in d["error"]["message"] else 1)'; echo $?) \
    "$(head -c 400 out)"

mkdir -p jail
sed 's|"sub.json"|"../sub.json"|' main.json > jail/main.json
( cd jail && SLUICE_FILES_ALLOW="$tmp/jail" "$sluice" run main.json --input ../ok.json >../out 2>../err ); rc=$?
check "sub-workflow outside SLUICE_FILES_ALLOW exits 1" $([ $rc -eq 1 ]; echo $?) "exit $rc"
check "refusal names the allowed directories" \
    $(grep -q "is not allowed. Allowed paths: " err; echo $?) "$(cat err)"
( cd jail && SLUICE_FILES_ALLOW="$tmp/jail:$tmp" "$sluice" run main.json --input ../ok.json >../out 2>../err ); rc=$?
check "SLUICE_FILES_ALLOW lists several directories" $([ $rc -eq 0 ]; echo $?) "exit $rc: $(cat err)"

# binary data a sub-workflow stores in a file outlives the sub-execution
head -c 3000 /dev/urandom | od -An -tx1 > data.txt
cat > readsub.json <<'JSON'
{"nodes":[{"name":"In","type":"n8n-nodes-base.executeWorkflowTrigger","typeVersion":1,"parameters":{}},
 {"name":"Read","type":"n8n-nodes-base.readWriteFile","typeVersion":1,"parameters":{"fileSelector":"data.txt","options":{}}}],
 "connections":{"In":{"main":[[{"node":"Read","type":"main","index":0}]]}}}
JSON
cat > copy.json <<'JSON'
{"nodes":[{"name":"Start","type":"n8n-nodes-base.manualTrigger","typeVersion":1,"parameters":{}},
 {"name":"Call","type":"n8n-nodes-base.executeWorkflow","typeVersion":1.3,"parameters":{"source":"localFile","workflowPath":"readsub.json","options":{}}},
 {"name":"Write","type":"n8n-nodes-base.readWriteFile","typeVersion":1,"parameters":{"operation":"write","fileName":"copy.txt","dataPropertyName":"data","options":{}}}],
 "connections":{"Start":{"main":[[{"node":"Call","type":"main","index":0}]]},"Call":{"main":[[{"node":"Write","type":"main","index":0}]]}}}
JSON
SLUICE_BINARY_INLINE_MAX=100 SLUICE_DATA_DIR="$tmp/data" "$sluice" run copy.json >out 2>err; rc=$?
check "file-stored binary from a sub-workflow is readable by the caller" \
    $([ $rc -eq 0 ] && grep -q filesystem-v2 out && cmp -s data.txt copy.txt; echo $?) "exit $rc: $(cat err)"

# source "url": the sub-workflow fetched over HTTP from a local server
mkdir -p www && cp sub.json www/sub.json && echo 'not json' > www/bad.txt
python3 -m http.server 0 --bind 127.0.0.1 --directory www >srv.log 2>&1 &
srv=$!
port=""
for _ in $(seq 1 50); do
    port=$(sed -n 's|.*port \([0-9]*\).*|\1|p' srv.log | head -1)
    [ -n "$port" ] && break
    sleep 0.1
done
url_wf() { # url -> url.json
    sed "s|\"source\":\"localFile\",\"workflowPath\":\"sub.json\"|\"source\":\"url\",\"workflowUrl\":\"$1\"|" main.json > url.json
}
url_wf "http://127.0.0.1:$port/sub.json"
"$sluice" run url.json --input ok.json >out 2>err; rc=$?
check "url source runs the fetched sub-workflow" \
    $([ $rc -eq 0 ] && python3 -c 'import json,sys; d=json.load(open("out")); sys.exit(0 if [i["json"]["total"] for i in d]==[5,7] else 1)'; echo $?) \
    "exit $rc: $(cat err) $(cat srv.log)"
url_wf "http://127.0.0.1:$port/missing.json"
"$sluice" run url.json --input ok.json >out 2>err; rc=$?
check "url source: HTTP 404 is a one-line error naming the node" \
    $([ $rc -eq 1 ] && [ "$(wc -l < err)" -eq 1 ] && grep -q "node 'Validate'.*returned HTTP status 404" err; echo $?) "exit $rc: $(cat err)"
url_wf "http://127.0.0.1:$port/bad.txt"
"$sluice" run url.json --input ok.json >out 2>err; rc=$?
check "url source: a body that is not JSON is an error" \
    $([ $rc -eq 1 ] && grep -q "is not valid JSON" err; echo $?) "exit $rc: $(cat err)"
kill $srv 2>/dev/null
url_wf "file://$tmp/sub.json"
"$sluice" run url.json --input ok.json >out 2>err; rc=$?
check "url source: file:// can't reach around SLUICE_FILES_ALLOW" \
    $([ $rc -eq 1 ] && grep -q "node 'Validate'.*file" err; echo $?) "exit $rc: $(cat err)"

[ $fails -eq 0 ] || exit 1
