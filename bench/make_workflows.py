#!/usr/bin/env python3
"""Writes the benchmark workflows in bench/workflows/ (n8n workflow exports).

Every workflow starts with a Manual Trigger whose one input item is {"n": N}
(bench/run.sh passes it with --input), and a Code node that makes N items
from $json.n, deterministically (fixed-seed LCG, no Math.random, no clock).

  orders-baseline.json   Make Orders -> noOp (prints all N orders)
  orders-pipeline.json   Make Orders -> Loop Over Items (batch 100) -> Score Orders
                         -> back to the loop; done -> Summary (1 item)
  items-baseline.json    Make Items -> noOp (prints all N items)
  set-one.json           Make Items -> one Set node with six assignments
  set-six.json           Make Items -> six Set nodes with one assignment each
                         (same output as set-one.json)

Score Orders is copied from examples/order-processor.json, so the benchmark
measures the example's own scoring code. Run this after changing it.
"""
import json
import os
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(HERE, "workflows")

MAKE_ORDERS = r"""// Makes $json.n synthetic orders shaped like examples/orders.json (a little
// slimmer: no addresses). Deterministic: a fixed-seed LCG, no Math.random.
const n = $json.n;
if (!Number.isInteger(n) || n < 0) throw new Error('input must be {"n": <number of orders>}');
let seed = 20260301;
const rnd = (k) => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return (seed >>> 8) % k;
};
const pick = (a) => a[rnd(a.length)];
const CATALOG = [
  ['SKU-1001', 12.99], ['SKU-1002', 24.9], ['SKU-1003', 119.0], ['SKU-1004', 349.0],
  ['SKU-1005', 229.99], ['SKU-1006', 189.5], ['SKU-1007', 39.95], ['SKU-2001', 499.0],
  ['SKU-2002', 18.4], ['SKU-2003', 79.0], ['SKU-3001', 129.95], ['SKU-3002', 29.99],
  ['SKU-4001', 649.0], ['SKU-4003', 45.5], ['SKU-5001', 8.95], ['SKU-5002', 34.0],
];
const COUNTRIES = ['DE', 'DE', 'DE', 'FR', 'FR', 'IT', 'ES', 'NL', 'PL', 'AT'];
const SEGMENTS = ['new', 'new', 'returning', 'returning', 'returning', 'vip'];
const STATUSES = ['paid', 'paid', 'paid', 'shipped', 'shipped', 'pending'];
const SHIPPING = [['standard', 4.9], ['standard', 4.9], ['express', 12.9], ['pickup', 0]];
const CODES = [null, null, null, null, null, null, 'SPRING10', 'WELCOME5', 'VIP20'];
const QTY = [1, 1, 1, 1, 1, 1, 2, 2, 3];

const out = new Array(n);
for (let i = 0; i < n; i++) {
  const lines = [];
  const count = pick([1, 1, 1, 2, 2, 3, 4]);
  for (let k = 0; k < count; k++) {
    const [sku, unitPrice] = pick(CATALOG);
    lines.push({ sku, quantity: pick(QTY), unitPrice });
  }
  const [method, cost] = pick(SHIPPING);
  const cust = rnd(Math.floor(n / 3) + 1);
  out[i] = {
    json: {
      orderId: 'ORD-' + String(1000000 + i),
      createdAt: new Date(Date.UTC(2026, 2, 1) + i * 977).toISOString(),
      status: pick(STATUSES),
      channel: pick(['web', 'web', 'mobile', 'marketplace']),
      currency: 'EUR',
      customer: { id: 'CUS-' + String(100000 + cust), segment: pick(SEGMENTS), country: pick(COUNTRIES) },
      lines,
      shipping: { method, cost },
      discountCode: pick(CODES),
    },
  };
}
return out;
"""

SUMMARY = r"""// One item: counts and totals over every scored order (money in cents).
const cents = (eur) => Math.round(eur * 100);
let orders = 0, highValue = 0, revenue = 0, units = 0, scoreSum = 0;
for (const { json: o } of $input.all()) {
  const t = cents(o.total);
  orders += 1;
  revenue += t;
  units += o.units;
  scoreSum += o.score;
  if (t >= 50000) highValue += 1;
}
return [{
  json: {
    orders,
    highValueOrders: highValue,
    revenue: revenue / 100,
    unitsSold: units,
    averageScore: orders ? Math.round((scoreSum * 10) / orders) / 10 : 0,
  },
}];
"""

MAKE_ITEMS = r"""// Makes $json.n flat customer records. Deterministic: a fixed-seed LCG.
const n = $json.n;
if (!Number.isInteger(n) || n < 0) throw new Error('input must be {"n": <number of items>}');
let seed = 7;
const rnd = (k) => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return (seed >>> 8) % k;
};
const FIRST = ['Anna', 'Lukas', 'Mia', 'Noah', 'Emma', 'Elias', 'Sofia', 'Paul', 'Lena', 'Jonas'];
const LAST = ['Schmidt', 'Dubois', 'Rossi', 'Garcia', 'Jansen', 'Novak', 'Smith', 'Weber'];
const COUNTRIES = ['DE', 'FR', 'IT', 'ES', 'NL', 'PL', 'AT', 'CZ'];
const SEGMENTS = ['new', 'returning', 'vip'];
const out = new Array(n);
for (let i = 0; i < n; i++) {
  const first = FIRST[rnd(FIRST.length)], last = LAST[rnd(LAST.length)];
  out[i] = {
    json: {
      id: i,
      name: first + ' ' + last,
      email: (first + '.' + last + i + '@example.com').toLowerCase(),
      country: COUNTRIES[rnd(COUNTRIES.length)],
      segment: SEGMENTS[rnd(SEGMENTS.length)],
      amount: rnd(100000) / 100,
    },
  };
}
return out;
"""

# (node name, field, type, value): one Set node each in set-six.json, all six in set-one.json.
# A mix of constants, plain $json paths and expressions that need JavaScript.
ASSIGNMENTS = [
    ("Set Source", "source", "string", "import-2026-03"),
    ("Set Region", "region", "string", "={{ $json.country }}"),
    ("Set Net", "net", "number", "={{ $json.amount }}"),
    ("Set VIP", "isVip", "boolean", "={{ $json.segment === 'vip' }}"),
    ("Set Gross", "gross", "number", "={{ Math.round($json.amount * 119) / 100 }}"),
    ("Set Label", "label", "string", "={{ $json.name }} <{{ $json.email }}>"),
]


def nid(wf, name):
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "sluice/bench/%s/%s" % (wf, name)))


def conn(node, index=0):
    return {"node": node, "type": "main", "index": index}


class Workflow:
    def __init__(self, key, title):
        self.key, self.title = key, title
        self.nodes, self.connections = [], {}
        self.x = 0

    def add(self, name, type_, version, parameters, y=300, **extra):
        node = {"parameters": parameters, "id": nid(self.key, name), "name": name,
                "type": "n8n-nodes-base." + type_, "typeVersion": version,
                "position": [self.x, y]}
        node.update(extra)
        self.nodes.append(node)
        self.x += 220
        return name

    def link(self, src, dst, output=0, input_=0):
        outs = self.connections.setdefault(src, {"main": []})["main"]
        while len(outs) <= output:
            outs.append([])
        outs[output].append(conn(dst, input_))

    def chain(self, *names):
        for a, b in zip(names, names[1:]):
            self.link(a, b)

    def write(self):
        wf = {"name": self.title, "nodes": self.nodes, "pinData": {},
              "connections": self.connections, "active": False,
              "settings": {"executionOrder": "v1"}, "tags": []}
        with open(os.path.join(OUT, self.key + ".json"), "w", encoding="utf-8") as f:
            json.dump(wf, f, indent=2, ensure_ascii=False)
            f.write("\n")


def trigger(wf):
    return wf.add("When clicking ‘Execute workflow’", "manualTrigger", 1, {})


def set_node(wf, name, assignments):
    return wf.add(name, "set", 3.4, {
        "assignments": {"assignments": [
            {"id": nid(wf.key, name + "/" + field), "name": field, "value": value, "type": type_}
            for _, field, type_, value in assignments]},
        "includeOtherFields": True,
        "options": {},
    })


def main():
    os.makedirs(OUT, exist_ok=True)
    example = json.load(open(os.path.join(ROOT, "examples", "order-processor.json"),
                             encoding="utf-8"))
    score = next(n for n in example["nodes"] if n["name"] == "Score Orders")["parameters"]["jsCode"]
    score = score.replace("batch of 50 orders", "batch of 100 orders")

    wf = Workflow("orders-baseline", "Bench: make orders, pass-through")
    t = trigger(wf)
    m = wf.add("Make Orders", "code", 2, {"jsCode": MAKE_ORDERS})
    p = wf.add("Pass Through", "noOp", 1, {})
    wf.chain(t, m, p)
    wf.write()

    wf = Workflow("orders-pipeline", "Bench: order pipeline")
    t = trigger(wf)
    m = wf.add("Make Orders", "code", 2, {"jsCode": MAKE_ORDERS})
    loop = wf.add("Loop Over Orders", "splitInBatches", 3, {"batchSize": 100, "options": {}})
    s = wf.add("Score Orders", "code", 2, {"jsCode": score}, y=440)
    summary = wf.add("Summary", "code", 2, {"jsCode": SUMMARY}, y=160)
    wf.chain(t, m, loop)
    wf.link(loop, summary, 0)
    wf.link(loop, s, 1)
    wf.link(s, loop)
    wf.write()

    wf = Workflow("items-baseline", "Bench: make items, pass-through")
    t = trigger(wf)
    m = wf.add("Make Items", "code", 2, {"jsCode": MAKE_ITEMS})
    p = wf.add("Pass Through", "noOp", 1, {})
    wf.chain(t, m, p)
    wf.write()

    wf = Workflow("set-one", "Bench: one Set node, six assignments")
    t = trigger(wf)
    m = wf.add("Make Items", "code", 2, {"jsCode": MAKE_ITEMS})
    s = set_node(wf, "Set Fields", ASSIGNMENTS)
    wf.chain(t, m, s)
    wf.write()

    wf = Workflow("set-six", "Bench: six Set nodes, one assignment each")
    names = [trigger(wf), wf.add("Make Items", "code", 2, {"jsCode": MAKE_ITEMS})]
    for a in ASSIGNMENTS:
        names.append(set_node(wf, a[0], [a]))
    wf.chain(*names)
    wf.write()


if __name__ == "__main__":
    main()
