#!/bin/sh
# Binary data kept in files above SLUICE_BINARY_INLINE_MAX (n8n's filesystem
# shape, read back by the nodes, removed when the execution ends unless
# SLUICE_BINARY_KEEP=1) and file access confined to SLUICE_FILES_ALLOW.
# Usage: test_binary.sh SLUICE REPO_ROOT
set -u
sluice=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
check() { # name, condition result (0 = ok), detail
    if [ "$2" -eq 0 ]; then echo "ok   $1"; else echo "FAIL $1: $3"; fails=$((fails + 1)); fi
}
mkdir -p "$tmp/files" "$tmp/elsewhere"
printf 'hello world\n' > "$tmp/files/big.txt"
cat > "$tmp/wf.json" <<JSON
{"nodes":[{"name":"Start","type":"n8n-nodes-base.manualTrigger","typeVersion":1,"parameters":{}},
 {"name":"Read","type":"n8n-nodes-base.readBinaryFiles","typeVersion":1,"parameters":{"fileSelector":"$tmp/files/*.txt"}},
 {"name":"Hash","type":"n8n-nodes-base.crypto","typeVersion":1,"parameters":{"binaryData":true,"type":"SHA256"}},
 {"name":"Seen","type":"n8n-nodes-base.code","typeVersion":2,"parameters":{"jsCode":"return [{json: {id: \$('Read').first().binary.data.id, data: \$('Read').first().binary.data.data, size: \$('Read').first().binary.data.fileSize}}];"}},
 {"name":"Write","type":"n8n-nodes-base.writeBinaryFile","typeVersion":1,"parameters":{"fileName":"$tmp/files/copy.out"}}],
 "connections":{"Start":{"main":[[{"node":"Read","type":"main","index":0}]]},
  "Read":{"main":[[{"node":"Hash","type":"main","index":0},{"node":"Write","type":"main","index":0}]]},
  "Hash":{"main":[[{"node":"Seen","type":"main","index":0}]]}},
 "settings":{"executionOrder":"v1"}}
JSON
want=$(printf 'hello world\n' | sha256sum | cut -d' ' -f1)

SLUICE_FILES_ALLOW="$tmp/files" SLUICE_DATA_DIR="$tmp/data" SLUICE_BINARY_INLINE_MAX=4 \
    "$sluice" run --json "$tmp/wf.json" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "large binary: run succeeds" $([ $rc -eq 0 ]; echo $?) "exit $rc: $(cat "$tmp/err")"
check "large binary: n8n's filesystem reference in the item" \
    $(grep -q '"data": *"filesystem-v2"' "$tmp/out" && grep -q '"id": *"filesystem-v2:[^"]*/[0-9a-f-]*"' "$tmp/out"; echo $?) \
    "$(head -c 600 "$tmp/out")"
check "large binary: hashed from the stored file" $(grep -q "\"data\": *\"$want\"" "$tmp/out"; echo $?) \
    "want $want"
check "large binary: Code node sees the id" $(grep -q '"id": *"filesystem-v2:' "$tmp/out" && grep -q '"size": *"12 B"' "$tmp/out"; echo $?) \
    "$(grep -o '"Seen".*' "$tmp/out" | head -c 300)"
check "large binary: written back from the stored file" $(cmp -s "$tmp/files/big.txt" "$tmp/files/copy.out"; echo $?) \
    "copy differs"
left=$(find "$tmp/data" -type f 2>/dev/null | wc -l)
check "large binary: files removed when the execution ends" $([ "$left" -eq 0 ]; echo $?) "$left files left"

rm -f "$tmp/files/copy.out"
SLUICE_FILES_ALLOW="$tmp/files" SLUICE_DATA_DIR="$tmp/data" SLUICE_BINARY_INLINE_MAX=4 SLUICE_BINARY_KEEP=1 \
    "$sluice" run --json "$tmp/wf.json" >"$tmp/out" 2>"$tmp/err"
id=$(grep -o '"id": *"filesystem-v2:[^"]*"' "$tmp/out" | head -1 | sed 's/.*filesystem-v2://; s/"$//')
check "SLUICE_BINARY_KEEP=1 keeps the file" $(cmp -s "$tmp/files/big.txt" "$tmp/data/binary/$id"; echo $?) \
    "id '$id'"

SLUICE_FILES_ALLOW="$tmp/files" SLUICE_DATA_DIR="$tmp/data" \
    "$sluice" run --json "$tmp/wf.json" >"$tmp/out" 2>"$tmp/err"
check "small binary stays inline" $(grep -q '"data": *"aGVsbG8gd29ybGQK"' "$tmp/out" && ! grep -q '"id": *"filesystem' "$tmp/out"; echo $?) \
    "$(head -c 600 "$tmp/out")"

(cd "$tmp/elsewhere" && env -u SLUICE_FILES_ALLOW "$sluice" run "$tmp/wf.json" >"$tmp/out" 2>"$tmp/err"); rc=$?
check "outside the working directory: exit 1" $([ $rc -eq 1 ]; echo $?) "exit $rc"
check "denied: one line naming node, parameter and path" \
    $([ "$(wc -l < "$tmp/err")" -eq 1 ] &&
      grep -q "node 'Read': Access to the file '$tmp/files/big.txt' in 'File Selector' is not allowed. Allowed paths: .*elsewhere" "$tmp/err"; echo $?) \
    "$(cat "$tmp/err")"

ln -s "$tmp/files" "$tmp/elsewhere/link"
sed "s#$tmp/files/\*.txt#link/*.txt#" "$tmp/wf.json" > "$tmp/wf2.json"
(cd "$tmp/elsewhere" && env -u SLUICE_FILES_ALLOW "$sluice" run "$tmp/wf2.json" >"$tmp/out" 2>"$tmp/err"); rc=$?
check "a symbolic link out of the allowed directory is denied" \
    $([ $rc -eq 1 ] && grep -q "Access to the file 'link/big.txt'" "$tmp/err"; echo $?) "exit $rc: $(cat "$tmp/err")"

exit $([ $fails -eq 0 ]; echo $?)
