#!/bin/sh
# `sluice credentials import` of n8n's `export:credentials --decrypted`
# output: ids kept, one line per credential, all or nothing, errors that
# name the entry and the field, and no secret in clear text anywhere (the
# output, the errors, the data directory).
# Usage: test_credentials.sh SLUICE REPO_ROOT
set -u
sluice=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
check() { # name, condition result (0 = ok), detail
    if [ "$2" -eq 0 ]; then echo "ok   $1"; else echo "FAIL $1: $3"; fails=$((fails + 1)); fi
}
export SLUICE_DATA_DIR="$tmp/data"
unset SLUICE_ENCRYPTION_KEY
S1="redis-Secret-$$-a"
S2="header-Secret-$$-b"
S3="basic-Secret-$$-c"
# n8n's export: an array with its extra members (createdAt, isManaged, ...)
cat > "$tmp/export.json" <<JSON
[{"createdAt":"2024-05-01T10:00:00.000Z","updatedAt":"2024-05-01T10:00:00.000Z",
  "id":"n8nCredRedis0001","name":"Cache","type":"redis","isManaged":false,
  "data":{"host":"127.0.0.1","port":1,"password":"$S1","user":"","database":0,"ssl":false}},
 {"id":"n8nCredHeader001","name":"Hook header","type":"httpHeaderAuth",
  "data":{"name":"X-Token","value":"$S2"}}]
JSON
"$sluice" credentials import "$tmp/export.json" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "import succeeds" $([ $rc -eq 0 ]; echo $?) "exit $rc: $(cat "$tmp/err")"
check "one line per credential: id, type, name" \
    $([ "$(wc -l <"$tmp/out")" -eq 2 ] &&
      grep -q '^n8nCredRedis0001 *redis *Cache$' "$tmp/out" &&
      grep -q '^n8nCredHeader001 *httpHeaderAuth *Hook header$' "$tmp/out"; echo $?) "$(cat "$tmp/out")"
"$sluice" credentials list --json >"$tmp/list" 2>&1
check "the ids are kept" \
    $(grep -q '"id": *"n8nCredRedis0001"' "$tmp/list" && grep -q '"id": *"n8nCredHeader001"' "$tmp/list"; echo $?) \
    "$(cat "$tmp/list")"

# importing the same export again replaces, it does not duplicate
"$sluice" credentials import "$tmp/export.json" >/dev/null 2>&1; rc=$?
n=$("$sluice" credentials list | wc -l)
check "a second import replaces the credentials" $([ $rc -eq 0 ] && [ "$n" -eq 2 ]; echo $?) "exit $rc, $n rows"

# a single object is accepted too
printf '{"id":"n8nCredBasic0001","name":"Basic","type":"httpBasicAuth","data":{"user":"u","password":"%s"}}' "$S3" \
    > "$tmp/one.json"
"$sluice" credentials import "$tmp/one.json" >"$tmp/out" 2>&1
check "a single object imports" $(grep -q '^n8nCredBasic0001 *httpBasicAuth *Basic$' "$tmp/out"; echo $?) "$(cat "$tmp/out")"

# the imported credential works: a workflow exported from n8n refers to it
# by another id and the same name; the Redis node reads host and port from it
cat > "$tmp/wf.json" <<'JSON'
{"nodes":[{"name":"Start","type":"n8n-nodes-base.manualTrigger","typeVersion":1,"parameters":{}},
 {"name":"Redis","type":"n8n-nodes-base.redis","typeVersion":1,"parameters":{"operation":"info"},
  "credentials":{"redis":{"id":"someOtherId00001","name":"Cache"}}}],
 "connections":{"Start":{"main":[[{"node":"Redis","type":"main","index":0}]]}}}
JSON
"$sluice" run "$tmp/wf.json" >"$tmp/out" 2>"$tmp/err"
check "a node finds the imported credential by name and uses it" \
    $(grep -q "connect ECONNREFUSED 127.0.0.1:1" "$tmp/err"; echo $?) "$(cat "$tmp/err")"
check "the run's error does not hold the password" $(grep -q "$S1" "$tmp/err" "$tmp/out"; [ $? -eq 1 ]; echo $?) \
    "$(cat "$tmp/err")"

# bad entries: one line naming the entry and the field; nothing imported
before=$("$sluice" credentials list | wc -l)
bad() { # name, file content, expected part of the message
    printf '%s' "$2" > "$tmp/bad.json"
    "$sluice" credentials import "$tmp/bad.json" >"$tmp/out" 2>"$tmp/err"; rc=$?
    after=$("$sluice" credentials list | wc -l)
    check "$1" $([ $rc -ne 0 ] && [ "$(wc -l <"$tmp/err")" -ge 1 ] && grep -qF "$3" "$tmp/err" &&
                 [ ! -s "$tmp/out" ] && [ "$after" -eq "$before" ] &&
                 ! grep -q "Secret" "$tmp/err"; echo $?) "exit $rc, $after rows: $(cat "$tmp/err")"
}
bad "a missing name names entry 2 and 'name'" \
    '[{"id":"okId000000000001","name":"fine","type":"redis","data":{"password":"Secret-x"}},{"id":"b","type":"redis","data":{}}]' \
    "entry 2: 'name' is missing"
bad "encrypted data (an export without --decrypted) is refused" \
    '[{"id":"c","name":"enc","type":"redis","data":"U2FsdGVkX1+Secret"}]' \
    "entry 1 ('enc'): 'data' is encrypted"
bad "a type that is not a string" '[{"name":"n","type":5,"data":{}}]' \
    "entry 1 ('n'): 'type' must be a non-empty string"
bad "data that is not an object" '[{"name":"n","type":"redis","data":[1]}]' \
    "entry 1 ('n'): 'data' must be a JSON object"
bad "an entry that is not an object" '[{"name":"n","type":"redis","data":{}}, 7]' \
    "entry 2 is not a JSON object"
bad "malformed JSON gives its position, not its text" \
    '[{"name":"n","type":"redis","data":{"password":"Secret-y" oops}}]' "not valid JSON (line 1"
bad "a file that does not hold credentials" '"just text"' "must hold a credential or an array"

# no secret in clear text in the data directory
check "no secret in clear text in the data directory" \
    $(grep -r -a -q -e "$S1" -e "$S2" -e "$S3" "$tmp/data"; [ $? -eq 1 ]; echo $?) "found one"
"$sluice" credentials list >"$tmp/out" 2>&1
check "list shows no secret" $(grep -q -e "$S1" -e "$S2" -e "$S3" "$tmp/out"; [ $? -eq 1 ]; echo $?) "$(cat "$tmp/out")"

[ $fails -eq 0 ] && echo "all checks passed"
exit $fails
