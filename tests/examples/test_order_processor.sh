#!/bin/sh
# Runs examples/order-processor.json on examples/orders.json and checks the
# Summary item against values computed here, independently, from orders.json
# (same business rules, re-implemented in Python with integer cents).
#
# Usage: test_order_processor.sh SLUICE_BINARY REPO_ROOT
# Exit status: 0 match, 1 mismatch or failed run (differences on stderr),
# 2 usage error.
set -eu

if [ $# -ne 2 ]; then
    echo "usage: $0 SLUICE_BINARY REPO_ROOT" >&2
    exit 2
fi
sluice=$1
root=$2
wf=$root/examples/order-processor.json
orders=$root/examples/orders.json

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

rc=0
"$sluice" run "$wf" --input "$orders" >"$tmp/out.json" 2>"$tmp/err.txt" || rc=$?
if [ "$rc" -ne 0 ]; then
    echo "FAIL: sluice run exited with status $rc" >&2
    cat "$tmp/err.txt" >&2
    exit 1
fi

python3 - "$orders" "$tmp/out.json" <<'PY'
import json
import sys

DISCOUNT_PERCENT = {"SPRING10": 10, "WELCOME5": 5, "VIP20": 20}
SEGMENT_BONUS = {"vip": 25, "returning": 10, "new": 0}
HIGH_VALUE_CENTS = 50000


def cents(eur):
    # prices have two decimals, so eur * 100 is within rounding error of an integer
    return int(round(eur * 100))


def round_half_up(num, den):
    # Math.round(num / den) for non-negative integers, without float ties
    return (2 * num + den) // (2 * den)


def expected_summary(orders):
    revenue = high_revenue = discounts = units_sold = score_sum = 0
    high = standard = 0
    by_status, by_country = {}, {}
    top = None
    for o in orders:
        subtotal = sum(l["quantity"] * cents(l["unitPrice"]) for l in o["lines"])
        units = sum(l["quantity"] for l in o["lines"])
        discount = subtotal * DISCOUNT_PERCENT.get(o["discountCode"], 0) // 100
        total = subtotal - discount + cents(o["shipping"]["cost"])
        score = (total // 1000 + SEGMENT_BONUS.get(o["customer"]["segment"], 0)
                 + (5 if o["shipping"]["method"] == "express" else 0)
                 + (10 if units >= 5 else 0))
        revenue += total
        discounts += discount
        units_sold += units
        score_sum += score
        if total >= HIGH_VALUE_CENTS:
            high += 1
            high_revenue += total
        else:
            standard += 1
        by_status[o["status"]] = by_status.get(o["status"], 0) + 1
        country = o["customer"]["country"]
        by_country[country] = by_country.get(country, 0) + total
        # the largest total; on a tie the earlier order (the maximum is always in
        # the high-value group when there is one, and Merge keeps input order)
        if top is None or total > top[0]:
            top = (total, o["orderId"], o["customer"]["id"])
    n = len(orders)
    return {
        "orders": n,
        "highValueOrders": high,
        "standardOrders": standard,
        "revenue": revenue,
        "highValueRevenue": high_revenue,
        "averageOrderValue": round_half_up(revenue, n) if n else 0,
        "discounts": discounts,
        "unitsSold": units_sold,
        "averageScoreTenths": round_half_up(score_sum * 10, n) if n else 0,
        "ordersByStatus": by_status,
        "revenueByCountry": by_country,
        "topOrder": {"orderId": top[1], "customerId": top[2], "total": top[0]} if top else None,
    }


def actual_summary(j):
    """The Summary item with euro amounts turned into cents for exact comparison."""
    def c(v):
        return cents(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v
    out = dict(j)
    for k in ("revenue", "highValueRevenue", "averageOrderValue", "discounts"):
        if k in out:
            out[k] = c(out[k])
    if "averageScore" in out:
        v = out.pop("averageScore")
        out["averageScoreTenths"] = int(round(v * 10)) if isinstance(v, (int, float)) else v
    if isinstance(out.get("revenueByCountry"), dict):
        out["revenueByCountry"] = {k: c(v) for k, v in out["revenueByCountry"].items()}
    if isinstance(out.get("topOrder"), dict) and "total" in out["topOrder"]:
        out["topOrder"] = dict(out["topOrder"], total=c(out["topOrder"]["total"]))
    return out


orders = json.load(open(sys.argv[1], encoding="utf-8"))
try:
    items = json.load(open(sys.argv[2], encoding="utf-8"))
except ValueError as e:
    sys.exit("FAIL: sluice output is not JSON: %s" % e)
if not isinstance(items, list) or len(items) != 1 or not isinstance(items[0], dict) \
        or not isinstance(items[0].get("json"), dict):
    sys.exit("FAIL: expected exactly one Summary item, got: %s" % json.dumps(items)[:400])

want = expected_summary(orders)
got = actual_summary(items[0]["json"])
diffs = []
for k in sorted(set(want) | set(got)):
    if k not in got:
        diffs.append("missing field %r (expected %s)" % (k, json.dumps(want[k])))
    elif k not in want:
        diffs.append("unexpected field %r = %s" % (k, json.dumps(got[k])))
    elif want[k] != got[k]:
        diffs.append("%s: expected %s, got %s" % (k, json.dumps(want[k], sort_keys=True),
                                                  json.dumps(got[k], sort_keys=True)))
if diffs:
    sys.stderr.write("FAIL: order-processor summary differs (money in cents, averageScore x10):\n")
    for d in diffs:
        sys.stderr.write("  " + d + "\n")
    sys.exit(1)
print("ok: %d orders, %d high value, revenue %.2f EUR" % (
    want["orders"], want["highValueOrders"], want["revenue"] / 100))
PY
