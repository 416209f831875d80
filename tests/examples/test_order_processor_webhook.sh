#!/bin/sh
# Runs examples/order-processor-webhook.json as the server would start it:
# the Webhook node's item {headers, params, query, body} with the orders of
# examples/orders.json as the posted JSON array. Its Summary must equal the
# one examples/order-processor.json gives for the same orders (which
# test_order_processor.sh checks against values computed independently):
# the webhook version only adds the trigger and Split Out in front.
#
# Usage: test_order_processor_webhook.sh SLUICE_BINARY REPO_ROOT
set -eu

if [ $# -ne 2 ]; then
    echo "usage: $0 SLUICE_BINARY REPO_ROOT" >&2
    exit 2
fi
sluice=$1
root=$2
orders=$root/examples/orders.json

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

python3 - "$orders" "$tmp/request.json" <<'PY'
import json, sys
orders = json.load(open(sys.argv[1], encoding="utf-8"))
item = {"headers": {"content-type": "application/json"}, "params": {}, "query": {}, "body": orders}
json.dump([item], open(sys.argv[2], "w", encoding="utf-8"))
PY

"$sluice" run "$root/examples/order-processor-webhook.json" --input "$tmp/request.json" \
    >"$tmp/webhook.json" || { echo "FAIL: the webhook workflow did not run" >&2; exit 1; }
"$sluice" run "$root/examples/order-processor.json" --input "$orders" >"$tmp/manual.json" ||
    { echo "FAIL: the manual workflow did not run" >&2; exit 1; }

python3 - "$tmp/webhook.json" "$tmp/manual.json" "$orders" <<'PY'
import json, sys
hook = json.load(open(sys.argv[1]))
manual = json.load(open(sys.argv[2]))
n = len(json.load(open(sys.argv[3])))
if len(hook) != 1 or hook[0]["json"].get("orders") != n:
    sys.exit("FAIL: expected one Summary item over %d orders, got %s" % (n, json.dumps(hook)[:400]))
if hook[0]["json"] != manual[0]["json"]:
    sys.exit("FAIL: summaries differ:\n  webhook %s\n  manual  %s"
             % (json.dumps(hook[0]["json"], sort_keys=True), json.dumps(manual[0]["json"], sort_keys=True)))
print("ok: webhook summary over %d orders equals the manual one" % n)
PY
