#!/usr/bin/env python3
"""Writes the webhook workflows that bench/webhook.sh loads into `sluice serve`.

  bench/workflows/webhook-respond.json       POST /webhook/bench-respond:
      Webhook (responseNode) -> Respond to Webhook with the posted JSON body
      (the same answer as the echo server gives)
  bench/workflows/webhook-code-respond.json  POST /webhook/bench-code:
      Webhook (responseNode) -> Code (a small transform of the body)
      -> Respond to Webhook with the Code node's item
  examples/order-processor-webhook.json      POST /webhook/orders:
      examples/order-processor.json behind a Webhook v2 node (lastNode): the
      posted body is a JSON array of orders; Split Out makes one item per
      order, then the example's own nodes run unchanged and the answer is
      the Summary item.

The order processor's nodes and connections are copied from the example,
so run this again after changing examples/order-processor.json. Node ids
and webhook ids are uuid5 of fixed names: the output is the same each run.
"""
import copy
import json
import os
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def uid(*parts):
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "sluice/bench/webhook/" + "/".join(parts)))


def webhook(wf, path, mode, x=0, y=300):
    return {
        "parameters": {
            "httpMethod": "POST",
            "path": path,
            "responseMode": mode,
            "options": {},
        },
        "id": uid(wf, "Webhook"),
        "name": "Webhook",
        "type": "n8n-nodes-base.webhook",
        "typeVersion": 2,
        "position": [x, y],
        "webhookId": uid(wf, "webhookId"),
    }


def respond(wf, parameters, x):
    return {
        "parameters": parameters,
        "id": uid(wf, "Respond to Webhook"),
        "name": "Respond to Webhook",
        "type": "n8n-nodes-base.respondToWebhook",
        "typeVersion": 1.1,
        "position": [x, 300],
    }


def link(*names):
    return {
        a: {"main": [[{"node": b, "type": "main", "index": 0}]]} for a, b in zip(names, names[1:])
    }


def workflow(name, nodes, connections):
    return {
        "name": name,
        "nodes": nodes,
        "pinData": {},
        "connections": connections,
        "active": False,
        "settings": {"executionOrder": "v1"},
        "tags": [],
    }


CODE = r"""// A small transform of the posted JSON, as a webhook workflow typically
// does before answering: pick, normalise and derive a few fields.
return $input.all().map(({ json }) => {
  const b = json.body ?? {};
  return {
    json: {
      id: b.id,
      name: String(b.name ?? '').trim().toUpperCase(),
      amountCents: Math.round((b.amount ?? 0) * 100),
      tags: (b.tags ?? []).length,
      country: b.customer?.country ?? null,
      received: true,
    },
  };
});
"""


def respond_workflow():
    wf = "respond"
    return workflow(
        "Bench: webhook -> respond",
        [
            webhook(wf, "bench-respond", "responseNode"),
            respond(wf, {"respondWith": "json", "responseBody": "={{ $json.body }}", "options": {}},
                    240),
        ],
        link("Webhook", "Respond to Webhook"),
    )


def code_workflow():
    wf = "code"
    return workflow(
        "Bench: webhook -> Code -> respond",
        [
            webhook(wf, "bench-code", "responseNode"),
            {
                "parameters": {"jsCode": CODE},
                "id": uid(wf, "Transform"),
                "name": "Transform",
                "type": "n8n-nodes-base.code",
                "typeVersion": 2,
                "position": [240, 300],
            },
            respond(wf, {"respondWith": "firstIncomingItem", "options": {}}, 480),
        ],
        link("Webhook", "Transform", "Respond to Webhook"),
    )


def order_workflow():
    with open(os.path.join(ROOT, "examples", "order-processor.json"), encoding="utf-8") as f:
        src = json.load(f)
    triggers = [n for n in src["nodes"] if n["type"] == "n8n-nodes-base.manualTrigger"]
    assert len(triggers) == 1, "the example must start with one Manual Trigger"
    trigger = triggers[0]["name"]
    first = src["connections"][trigger]["main"][0][0]["node"]

    wf = "orders"
    hook = webhook(wf, "orders", "lastNode", x=-240)
    split = {
        "parameters": {"fieldToSplitOut": "body", "options": {}},
        "id": uid(wf, "Split Out Orders"),
        "name": "Split Out Orders",
        "type": "n8n-nodes-base.splitOut",
        "typeVersion": 1,
        "position": [0, 300],
    }
    nodes = [hook, split] + [copy.deepcopy(n) for n in src["nodes"] if n["name"] != trigger]
    connections = {k: v for k, v in src["connections"].items() if k != trigger}
    connections.update(link("Webhook", "Split Out Orders", first))
    out = workflow("Order processor (webhook)", nodes, connections)
    out["settings"] = dict(src.get("settings", {}))
    return out


def write(path, wf):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(wf, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print("wrote", os.path.relpath(path, ROOT))


def main():
    write(os.path.join(HERE, "workflows", "webhook-respond.json"), respond_workflow())
    write(os.path.join(HERE, "workflows", "webhook-code-respond.json"), code_workflow())
    write(os.path.join(ROOT, "examples", "order-processor-webhook.json"), order_workflow())


if __name__ == "__main__":
    main()
