#!/usr/bin/env python3
"""Fills a node test's expected output from a real n8n run.

Usage: record_expected.py TEST.json [...]

Each TEST.json is a workflow whose "meta" names the nodes to check
("check": ["Node", ...]). The workflow (without pinData) is run through the
reference n8n (shared/tools/n8n-reference/run.sh, installed with its
install.sh); the output 0 of each checked node's single run becomes its
pinData, or, when the run fails, the error message becomes
"sluiceTest": {"error": ...}. With "meta": {"recordOrder": true} the order in
which n8n ran the nodes also becomes "sluiceTest": {"nodeExecutionOrder"},
which shows the nodes that did not run (an empty output stops a branch);
checked nodes that did not run are then left out of pinData.
The file's meta.source records that.
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
RUN = os.path.join(HERE, "..", "..", "..", "shared", "tools", "n8n-reference", "run.sh")


def record(path):
    wf = json.load(open(path))
    check = wf.get("meta", {}).get("check", [])
    run_wf = {k: v for k, v in wf.items() if k not in ("pinData", "sluiceTest")}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(run_wf, f)
    out = subprocess.run(["bash", RUN, f.name], capture_output=True, text=True,
                         env=dict(os.environ, TZ="UTC")).stdout
    os.unlink(f.name)
    run, _ = json.JSONDecoder().raw_decode(out)  # n8n may print more after it
    result = run["data"]["resultData"]
    wf.pop("sluiceTest", None)
    if result.get("error"):
        wf["pinData"] = {}
        wf["sluiceTest"] = {"error": result["error"]["message"]}
    else:
        pin = {}
        for name in check:
            runs = result["runData"].get(name)
            if not runs and wf["meta"].get("recordOrder"):
                continue  # the recorded order shows that it did not run
            if not runs or len(runs) != 1:
                sys.exit(f"{path}: node '{name}' ran {len(runs or [])} times in n8n")
            items = (runs[0]["data"]["main"] or [[]])[0] or []
            pin[name] = [{"json": i["json"]} for i in items]
        wf["pinData"] = pin
        if wf["meta"].get("recordOrder"):
            runs = [(r.get("executionIndex", 0), name)
                    for name, rs in result["runData"].items() for r in rs]
            wf["sluiceTest"] = {"nodeExecutionOrder": [name for _, name in sorted(runs)]}
    wf["meta"]["source"] = "expected output recorded from n8n 1.123.81 (shared/tools/n8n-reference) by tests/tools/record_expected.py"
    json.dump(wf, open(path, "w"), indent=1, ensure_ascii=False)
    print(f"recorded {path}")


for p in sys.argv[1:]:
    record(p)
