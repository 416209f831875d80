#!/usr/bin/env python3
"""Integration tests of the HTTP Request node against a local HTTP server.

Usage: test_http_request.py SLUICE_BINARY GROUP

Each test builds a workflow (Manual Trigger -> HTTP Request), runs it with
`sluice run`, and checks both what the server received (recorded by
http_peer.py: method, path, query, headers, body, arrival time, client
port) and the node's output items.

Where expected output came from: the items marked "(n8n reference)" were
produced by running the same node parameters through the real n8n 1.123
(/work/shared/tools/n8n-reference/run.sh) against this same server, and
the values below are copied from that run (headers that depend on the
client library, such as user-agent, are not compared). The error texts
are n8n's (NodeApiError's status messages, axios's error names and
codes). Batching, retry and pagination timings follow n8n's source
(HttpRequestV3.node.ts, request-helper-functions.ts).
"""
import base64
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from http_peer import Peer  # noqa: E402

FAILED = []
SLUICE = None
PEER = None
TMP = tempfile.mkdtemp(prefix="sluice-http-")


def check(cond, what, detail=None):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        if detail is not None:
            print("     got: " + json.dumps(detail, default=str)[:1500], flush=True)
        FAILED.append(what)
    return cond


def workflow(params, version=4.2, settings=None, credentials=None, name="HTTP Request"):
    node = {"parameters": params, "name": name, "type": "n8n-nodes-base.httpRequest",
            "typeVersion": version, "position": [200, 0]}
    node.update(settings or {})
    if credentials:
        node["credentials"] = credentials
    return {"name": "http test", "nodes": [
        {"parameters": {}, "name": "Start", "type": "n8n-nodes-base.manualTrigger",
         "typeVersion": 1, "position": [0, 0]}, node],
        "connections": {"Start": {"main": [[{"node": name, "type": "main", "index": 0}]]}},
        "settings": {"executionOrder": "v1"}}


def run(wf, items=None, env=None, full=False):
    """Runs `wf`; returns (exit code, output JSON or None, stderr)."""
    path = os.path.join(TMP, "wf.json")
    with open(path, "w") as f:
        json.dump(wf, f)
    args = [SLUICE, "run", path]
    if items is not None:
        ipath = os.path.join(TMP, "in.json")
        with open(ipath, "w") as f:
            json.dump(items, f)
        args += ["--input", ipath]
    if full:
        args.append("--json")
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.run(args, capture_output=True, text=True, timeout=120, env=e)
    try:
        out = json.loads(p.stdout) if p.stdout.strip() else None
    except ValueError:
        out = None
    return p.returncode, out, p.stderr


def jsons(out):
    return [i.get("json") for i in out or []]


def req(i=-1):
    r = PEER.requests
    return r[i] if r else {}


ACCEPT = ("application/json,text/html,application/xhtml+xml,application/xml,text/*;q=0.9, "
          "image/*;q=0.8, */*;q=0.7")


def no_noise(h):
    return {k: v for k, v in h.items() if k not in (
        "user-agent", "accept-encoding", "connection", "host", "content-length", "date", "server")}


# ---------------------------------------------------------------- groups

def group_bodies():
    U = PEER.url
    # (n8n reference) query, headers and a JSON body from fields, v4.2: dotted names nest
    PEER.clear()
    rc, out, err = run(workflow({
        "method": "POST", "url": U + "/echo", "sendQuery": True,
        "queryParameters": {"parameters": [{"name": "q", "value": "1 2"},
                                           {"name": "r", "value": "x&y"}]},
        "sendHeaders": True, "headerParameters": {"parameters": [{"name": "X-My", "value": "v"}]},
        "sendBody": True, "bodyParameters": {"parameters": [{"name": "a.b", "value": "1"},
                                                            {"name": "c", "value": "={{ 5 }}"}]},
        "options": {}}))
    r = req()
    check(rc == 0 and r.get("method") == "POST", "POST with query, headers, JSON body", err)
    # n8n serialises query parameters with qs.stringify (arrayFormat indices)
    check(r.get("rawQuery") == "q=1%202&r=x%26y", "query encoded as qs does", r.get("rawQuery"))
    check(r.get("headers", {}).get("x-my") == "v", "header sent (name lower-cased)")
    check(r.get("headers", {}).get("content-type") == "application/json", "JSON content type")
    check(r.get("headers", {}).get("accept") == ACCEPT, "n8n's autodetect Accept header")
    check(json.loads(r.get("body") or "null") == {"a": {"b": "1"}, "c": 5},
          "JSON body from fields (lodash set, expression)", r.get("body"))
    check(jsons(out) == [{"method": "POST", "path": "/echo", "query": {"q": ["1 2"], "r": ["x&y"]},
                          "headers": r["headers"], "body": r["body"]}],
          "the JSON answer is the item (n8n reference)", out)

    # (n8n reference) JSON body as text
    PEER.clear()
    rc, out, err = run(workflow({"method": "POST", "url": U + "/echo", "sendBody": True,
                                 "specifyBody": "json", "jsonBody": "{\"x\": [1,2]}",
                                 "options": {}}))
    check(req().get("body") == "{\"x\":[1,2]}", "JSON body from text, stringified", req())
    rc, out, err = run(workflow({"method": "POST", "url": U + "/echo", "sendBody": True,
                                 "specifyBody": "json", "jsonBody": "{nope", "options": {}}))
    check(rc == 1 and "JSON parameter needs to be valid JSON" in err, "invalid JSON body: n8n's error",
          err)

    # (n8n reference) form-urlencoded
    PEER.clear()
    rc, out, err = run(workflow({"method": "POST", "url": U + "/echo", "sendBody": True,
                                 "contentType": "form-urlencoded",
                                 "bodyParameters": {"parameters": [{"name": "a", "value": "1 2"},
                                                                   {"name": "b", "value": "&"}]},
                                 "options": {}}))
    check(req().get("body") == "a=1%202&b=%26", "form-urlencoded body", req().get("body"))
    check(req().get("headers", {}).get("content-type") == "application/x-www-form-urlencoded",
          "form content type")

    # (n8n reference) multipart with a text field, and a binary field
    PEER.clear()
    png = b"\x89PNG\r\n\x1a\nDATA"
    items = [{"json": {"k": 1}, "binary": {"file": {
        "data": base64.b64encode(png).decode(), "mimeType": "image/png", "fileName": "pic.png"}}}]
    rc, out, err = run(workflow({"method": "POST", "url": U + "/echo", "sendBody": True,
                                 "contentType": "multipart-form-data",
                                 "bodyParameters": {"parameters": [
                                     {"name": "a", "value": "1"},
                                     {"parameterType": "formBinaryData", "name": "up",
                                      "inputDataFieldName": "file"}]},
                                 "options": {}}), items)
    r = req()
    ct = r.get("headers", {}).get("content-type", "")
    check(ct.startswith("multipart/form-data; boundary=--------------------------"),
          "multipart content type with form-data's boundary", ct)
    boundary = ct.split("boundary=")[-1]
    want = ("--%s\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"
            "--%s\r\nContent-Disposition: form-data; name=\"up\"; filename=\"pic.png\"\r\n"
            "Content-Type: image/png\r\n\r\n" % (boundary, boundary)).encode() + png + \
        ("\r\n--%s--\r\n" % boundary).encode()
    check(r.get("bodyBytes") == want, "multipart body: text field and binary file part",
          r.get("bodyBytes"))

    # binary body from the item's binary data
    PEER.clear()
    rc, out, err = run(workflow({"method": "POST", "url": U + "/echo", "sendBody": True,
                                 "contentType": "binaryData", "inputDataFieldName": "file",
                                 "options": {}}), items)
    r = req()
    check(r.get("bodyBytes") == png and r["headers"].get("content-type") == "image/png",
          "binary body with the binary's MIME type", r)
    rc, out, err = run(workflow({"method": "POST", "url": U + "/echo", "sendBody": True,
                                 "contentType": "binaryData", "inputDataFieldName": "nope",
                                 "options": {}}), items)
    check(rc == 1 and "no binary field 'nope'" in err, "missing binary field: n8n's error", err)

    # (n8n reference) raw body with its content type
    PEER.clear()
    rc, out, err = run(workflow({"method": "POST", "url": U + "/echo", "sendBody": True,
                                 "contentType": "raw", "rawContentType": "text/csv",
                                 "body": "a,b\n1,2", "options": {}}))
    check(req().get("body") == "a,b\n1,2" and req()["headers"].get("content-type") == "text/csv",
          "raw body", req())

    # JSON query
    PEER.clear()
    rc, out, err = run(workflow({"url": U + "/echo?z=0", "sendQuery": True, "specifyQuery": "json",
                                 "jsonQuery": "{\"a\": [1, 2], \"b\": \"c d\"}", "options": {}}))
    check(req().get("rawQuery") == "z=0&a%5B0%5D=1&a%5B1%5D=2&b=c%20d",
          "JSON query appended, arrays with indices (qs)", req().get("rawQuery"))
    PEER.clear()
    rc, out, err = run(workflow({"url": U + "/echo", "sendQuery": True, "specifyQuery": "json",
                                 "jsonQuery": "{\"a\": [1, 2]}",
                                 "options": {"queryParameterArrays": "repeat"}}))
    check(req().get("rawQuery") == "a=1&a=2", "queryParameterArrays repeat", req().get("rawQuery"))


def group_responses():
    U = PEER.url
    # (n8n reference) each answer type
    rc, out, _ = run(workflow({"url": U + "/echo", "options": {
        "response": {"response": {"fullResponse": True}}}}))
    j = jsons(out)[0] if out else {}
    check(sorted(j) == ["body", "headers", "statusCode", "statusMessage"] and j["statusCode"] == 200
          and j["statusMessage"] == "OK" and j["headers"].get("x-echo") == "yes"
          and j["body"]["path"] == "/echo", "full response (n8n reference)", j)
    rc, out, _ = run(workflow({"url": U + "/text", "options": {}}))
    check(jsons(out) == [{"data": "hello text"}], "text answer (n8n reference)", out)
    rc, out, _ = run(workflow({"url": U + "/html", "options": {
        "response": {"response": {"fullResponse": True}}}}))
    check(jsons(out)[0].get("data") == "<p>hi</p>" and jsons(out)[0].get("statusCode") == 200,
          "text answer, full response (n8n reference)", out)
    rc, out, _ = run(workflow({"url": U + "/file.png", "options": {}}))
    b = (out or [{}])[0].get("binary", {}).get("data", {})
    check(out and out[0]["json"] == {} and {k: b.get(k) for k in (
        "mimeType", "fileType", "fileExtension", "data", "fileName", "fileSize")} == {
        "mimeType": "image/png", "fileType": "image", "fileExtension": "png",
        "data": "iVBORw0KGgo=", "fileName": "file.png", "fileSize": "8 B"},
          "file answer as binary (n8n reference)", out)
    rc, out, _ = run(workflow({"url": U + "/echo", "options": {
        "response": {"response": {"responseFormat": "file", "outputPropertyName": "got"}}}}),
        [{"json": {"keep": 1}}])
    check(out and out[0]["json"] == {"keep": 1} and "got" in out[0].get("binary", {}),
          "responseFormat file into a named property, item json kept", out)
    rc, out, _ = run(workflow({"url": U + "/json-list", "options": {
        "response": {"response": {"responseFormat": "text"}}}}))
    check(jsons(out) == [{"data": "[{\"n\":1},{\"n\":2}]"}], "json as text (n8n reference)", out)
    rc, out, _ = run(workflow({"url": U + "/json-list", "options": {}}))
    check(jsons(out) == [{"n": 1}, {"n": 2}], "a JSON array answer gives one item each", out)
    rc, out, _ = run(workflow({"url": U + "/empty", "options": {}}))
    check(jsons(out) == [{}], "empty answer (n8n reference)", out)
    rc, out, _ = run(workflow({"url": U + "/status/404", "options": {
        "response": {"response": {"neverError": True, "fullResponse": True}}}}))
    j = jsons(out)[0] if out else {}
    check(j.get("body") == {"message": "status 404"} and j.get("statusCode") == 404 and
          j.get("statusMessage") == "Not Found", "neverError full response (n8n reference)", out)

    # (n8n reference) redirects: v4 follows by default; maxRedirects
    PEER.clear()
    rc, out, _ = run(workflow({"url": U + "/redirect/2", "options": {}}))
    check(jsons(out) and jsons(out)[0].get("path") == "/redirect/0", "redirects followed", out)
    rc, out, _ = run(workflow({"url": U + "/redirect/3", "options": {
        "redirect": {"redirect": {"maxRedirects": 1}}}}, settings={"onError": "continueRegularOutput"}))
    check(jsons(out) == [{"error": {"message": "Maximum number of redirects exceeded",
                                    "name": "Error [ERR_FR_TOO_MANY_REDIRECTS]",
                                    "code": "ERR_FR_TOO_MANY_REDIRECTS"}}],
          "too many redirects (n8n reference)", out)
    rc, out, _ = run(workflow({"url": U + "/redirect/1", "options": {
        "redirect": {"redirect": {"followRedirects": False}},
        "response": {"response": {"neverError": True, "fullResponse": True}}}}))
    check(jsons(out) and jsons(out)[0].get("statusCode") == 302, "followRedirects off", out)

    # proxy: the request goes to the proxy with the absolute URL
    PEER.clear()
    rc, out, _ = run(workflow({"url": "http://example.invalid/echo", "options": {"proxy": U}}))
    check(req().get("headers", {}).get("host") == "example.invalid" and rc == 0,
          "request sent through the proxy", req())


def group_errors():
    U = PEER.url
    cof = {"onError": "continueRegularOutput"}
    # (n8n reference) error items with continue-on-fail
    cases = [
        ("/status/404", {"message": "404 - \"{\\\"message\\\": \\\"status 404\\\"}\"",
                         "name": "AxiosError", "code": "ERR_BAD_REQUEST", "status": 404}),
        ("/status-text/500", {"message": "500 - \"went wrong 500\"", "name": "AxiosError",
                              "code": "ERR_BAD_RESPONSE", "status": 500}),
        ("/status/429", {"message": "Try spacing your requests out using the batching settings "
                                    "under 'Options'", "name": "AxiosError",
                         "code": "ERR_BAD_REQUEST", "status": 429}),
    ]
    for path, want in cases:
        rc, out, err = run(workflow({"url": U + path, "options": {}}, settings=cof))
        check(rc == 0 and jsons(out) == [{"error": want}], "error item for %s (n8n reference)" % path,
              out)
    rc, out, _ = run(workflow({"url": "http://127.0.0.1:1/x", "options": {}}, settings=cof))
    check(jsons(out) == [{"error": {"message": "connect ECONNREFUSED 127.0.0.1:1", "name": "Error",
                                    "code": "ECONNREFUSED"}}],
          "connection refused item (n8n reference)", out)
    rc, out, _ = run(workflow({"url": U + "/slow/1500", "options": {"timeout": 300}}, settings=cof))
    check(jsons(out) == [{"error": {"message": "timeout of 300ms exceeded", "name": "AxiosError",
                                    "code": "ECONNABORTED"}}], "timeout item (n8n reference)", out)
    rc, out, _ = run(workflow({"url": "ftp://x", "options": {}}, settings=cof))
    check(jsons(out) == [{"error": "Invalid URL: ftp://x. URL must start with \"http\" or \"https\"."}],
          "bad URL item: a message string, as n8n's", out)

    # (n8n reference) without continue-on-fail the execution fails with
    # NodeApiError's message and the description from the body
    rc, out, err = run(workflow({"url": U + "/status/404", "options": {}}), full=True)
    e = (out or {}).get("error") or {}
    check(rc == 1 and e.get("message") == "The resource you are requesting could not be found" and
          e.get("description") == "status 404", "404 fails the node (n8n reference)", out)
    rc, out, err = run(workflow({"url": U + "/status-text/500", "options": {}}), full=True)
    e = (out or {}).get("error") or {}
    check(e.get("message") == "The service was not able to process your request" and
          e.get("description") == "went wrong 500", "500 fails the node (n8n reference)", out)

    # items keep going after a failed one with continue-on-fail
    PEER.clear()
    rc, out, _ = run(workflow({"url": "={{ $json.u }}", "options": {}}, settings=cof),
                     [{"u": U + "/echo"}, {"u": U + "/status/404"}, {"u": U + "/text"}])
    j = jsons(out)
    check(len(j) == 3 and j[0].get("path") == "/echo" and "error" in j[1] and
          j[2] == {"data": "hello text"} and [i["pairedItem"]["item"] for i in out] == [0, 1, 2],
          "per-item errors with continue-on-fail, paired to their items", out)


def group_batching():
    U = PEER.url
    # n8n: items go in groups of batchSize; a group starts at least
    # batchInterval ms after the previous one (HttpRequestV3 sleeps
    # batchInterval before every item whose index is a multiple of batchSize)
    PEER.clear()
    items = [{"i": i} for i in range(7)]
    rc, out, err = run(workflow({"url": U + "/echo", "sendQuery": True, "queryParameters": {
        "parameters": [{"name": "i", "value": "={{ $json.i }}"}]},
        "options": {"batching": {"batch": {"batchSize": 3, "batchInterval": 400}}}}), items)
    reqs = sorted(PEER.requests, key=lambda r: r["time"])
    check(rc == 0 and len(reqs) == 7, "7 requests sent", err)
    groups = [sorted(int(r["query"]["i"][0]) for r in reqs[g:g + 3]) for g in (0, 3, 6)]
    check(groups == [[0, 1, 2], [3, 4, 5], [6]], "requests arrive in groups of batchSize", groups)
    gap1 = reqs[3]["time"] - reqs[0]["time"]
    gap2 = reqs[6]["time"] - reqs[3]["time"]
    check(gap1 >= 0.39 and gap2 >= 0.39, "groups at least batchInterval apart (%.3f, %.3f s)" % (
        gap1, gap2))
    check(reqs[2]["time"] - reqs[0]["time"] < 0.3, "a group's requests go out together")
    check([o["json"]["query"]["i"] for o in out] == [[str(i)] for i in range(7)],
          "output in item order", out)

    # keep-alive: one connection serves several requests
    PEER.clear()
    rc, out, err = run(workflow({"url": U + "/echo", "options": {
        "batching": {"batch": {"batchSize": 1, "batchInterval": 1}}}}), [{}] * 5)
    ports = {r["client"] for r in PEER.requests}
    check(len(PEER.requests) == 5 and len(ports) == 1, "keep-alive: 5 requests on 1 connection",
          sorted(ports))


def group_retry():
    U = PEER.url
    # retryOnFail with waitBetweenTries 0: a 429 answer's Retry-After (1 s)
    # is waited before the next try
    PEER.clear()
    rc, out, err = run(workflow({"url": U + "/retry/a/1/429/1", "options": {}},
                                settings={"retryOnFail": True, "maxTries": 3,
                                          "waitBetweenTries": 0}))
    reqs = PEER.requests
    check(rc == 0 and len(reqs) == 2 and jsons(out)[0].get("path") == "/retry/a/1/429/1",
          "429 then success with retryOnFail", err)
    if len(reqs) == 2:
        gap = reqs[1]["time"] - reqs[0]["time"]
        check(gap >= 0.95, "Retry-After: 1 waited before the retry (%.3f s)" % gap)
    PEER.clear()
    rc, out, err = run(workflow({"url": U + "/retry/b/2/503/1", "options": {}},
                                settings={"retryOnFail": True, "maxTries": 3,
                                          "waitBetweenTries": 0}))
    reqs = PEER.requests
    check(rc == 0 and len(reqs) == 3, "503 twice then success", err)
    if len(reqs) == 3:
        check(reqs[2]["time"] - reqs[0]["time"] >= 1.9, "two Retry-After waits")
    # without retryOnFail the 429 fails at once
    PEER.clear()
    rc, out, err = run(workflow({"url": U + "/retry/c/1/429/5", "options": {}}), full=True)
    check(rc == 1 and len(PEER.requests) == 1 and (out or {}).get("error", {}).get("message") ==
          "The service is receiving too many requests from you", "429 without retry fails", out)


def make_cred(data_dir, ctype, name, data):
    p = subprocess.run([SLUICE, "credentials", "create", "--type", ctype, "--name", name,
                        "--data", json.dumps(data)], capture_output=True, text=True,
                       env=dict(os.environ, SLUICE_DATA_DIR=data_dir), timeout=60)
    check(p.returncode == 0, "credentials create %s" % ctype, p.stderr)
    return p.stdout.strip().splitlines()[-1]


def group_auth():
    U = PEER.url
    dd = tempfile.mkdtemp(prefix="sluice-http-creds-")
    env = {"SLUICE_DATA_DIR": dd}
    secrets = {
        "httpBasicAuth": {"user": "alice", "password": "pw-Basic-7f3a"},
        "httpHeaderAuth": {"name": "X-Api-Key", "value": "hdr-Secret-91c2"},
        "httpQueryAuth": {"name": "api_key", "value": "qs-Secret-55d0"},
        "httpBearerAuth": {"token": "tok-Bearer-0b7e"},
        "httpCustomAuth": {"json": json.dumps({
            "headers": {"X-Custom": "cust-Header-61aa"}, "qs": {"cq": "cust-Qs-77bb"},
            "body": {"cb": "cust-Body-88cc"}})},
    }
    ids = {t: make_cred(dd, t, "my " + t, d) for t, d in secrets.items()}

    def check_sent(t, r):
        h = r.get("headers", {})
        if t == "httpBasicAuth":
            want = "Basic " + base64.b64encode(b"alice:pw-Basic-7f3a").decode()
            return h.get("authorization") == want
        if t == "httpHeaderAuth":
            return h.get("x-api-key") == "hdr-Secret-91c2"
        if t == "httpQueryAuth":
            return r.get("query", {}).get("api_key") == ["qs-Secret-55d0"]
        if t == "httpBearerAuth":
            return h.get("authorization") == "Bearer tok-Bearer-0b7e"
        return (h.get("x-custom") == "cust-Header-61aa" and
                r.get("query", {}).get("cq") == ["cust-Qs-77bb"] and
                json.loads(r.get("body") or "{}") == {"x": "1", "cb": "cust-Body-88cc"})

    for mode in ("genericCredentialType", "predefinedCredentialType"):
        for t in secrets:
            PEER.clear()
            params = {"method": "POST", "url": U + "/echo", "authentication": mode,
                      "sendBody": True, "bodyParameters": {"parameters": [{"name": "x",
                                                                           "value": "1"}]},
                      "options": {}}
            if mode == "genericCredentialType":
                params["genericAuthType"] = t
            else:
                params["nodeCredentialType"] = t
            # by id for the generic mode, by name (unknown id) for the predefined one
            ref = {"id": ids[t], "name": "my " + t} if mode == "genericCredentialType" else \
                {"id": "from-n8n-1", "name": "my " + t}
            rc, out, err = run(workflow(params, credentials={t: ref}), env=env)
            check(rc == 0 and check_sent(t, req()), "%s %s sent as n8n sends it" % (mode, t),
                  [err, req()])

    # a secret in an error answer does not reach the error item or the log
    PEER.clear()
    rc, out, err = run(workflow({"url": U + "/echo-status/400", "sendQuery": True,
                                 "queryParameters": {"parameters": [{"name": "s",
                                                                     "value": "x"}]},
                                 "authentication": "genericCredentialType",
                                 "genericAuthType": "httpQueryAuth", "options": {}},
                                settings={"onError": "continueRegularOutput"},
                                credentials={"httpQueryAuth": {"id": ids["httpQueryAuth"],
                                                               "name": "x"}}), env=env, full=True)
    text = json.dumps(out) + err
    check(rc == 0 and "qs-Secret-55d0" not in text and "**hidden**" in text,
          "an answer echoing the secret: hidden in the error item", out)
    rc, out, err = run(workflow({"url": U + "/echo-status/401", "authentication":
                                 "genericCredentialType", "genericAuthType": "httpBearerAuth",
                                 "options": {}},
                                credentials={"httpBearerAuth": {"id": ids["httpBearerAuth"],
                                                                "name": "x"}}), env=env,
                       full=True)
    text = json.dumps(out) + err
    check(rc == 1 and (out or {}).get("error", {}).get("message") ==
          "Authorization failed - please check your credentials" and
          "tok-Bearer-0b7e" not in text, "401: n8n's message, no secret", out)
    # a missing credential is a clear error
    rc, out, err = run(workflow({"url": U + "/echo", "authentication": "genericCredentialType",
                                 "genericAuthType": "httpBasicAuth", "options": {}}), env=env)
    check(rc == 1 and "Node does not have any credentials set for 'httpBasicAuth'" in err,
          "missing credential reference", err)

    # nothing in the data directory holds a secret in clear text
    found = []
    for root, _, files in os.walk(dd):
        for f in files:
            with open(os.path.join(root, f), "rb") as fh:
                data = fh.read()
            for d in secrets.values():
                for v in d.values():
                    for part in ([v] if not v.startswith("{") else
                                 ["cust-Header-61aa", "cust-Qs-77bb", "cust-Body-88cc"]):
                        if part.encode() in data and part != "alice" and part != "X-Api-Key" \
                                and part != "api_key":
                            found.append((f, part))
    check(not found, "no credential secret in clear text under the data directory", found)


def group_pagination():
    U = PEER.url
    # expected items: the same workflows run through n8n (n8n reference)
    def pag(**kw):
        return {"pagination": {"pagination": kw}}
    page_param = {"parameters": [{"name": "page", "value": "={{ $pageCount + 1 }}"}]}

    def page(p, nxt):
        return {"items": [{"page": p, "i": 0}, {"page": p, "i": 1}], "page": p, "next": nxt}
    PEER.clear()
    rc, out, err = run(workflow({"url": U + "/pages", "options": pag(
        parameters=page_param, paginationCompleteWhen="other",
        completeExpression="={{ $response.body.next === null }}")}))
    check([r["rawQuery"] for r in PEER.requests] == ["page=1", "page=2", "page=3"],
          "update a parameter: page=1..3 sent", [err, PEER.requests])
    check(jsons(out) == [page(1, U + "/pages?page=2"), page(2, U + "/pages?page=3"),
                         page(3, None)], "one item per page (n8n reference)", out)
    PEER.clear()
    rc, out, err = run(workflow({"url": U + "/next/1", "options": pag(
        paginationMode="responseContainsNextURL", nextURL="={{ $response.body.next }}",
        paginationCompleteWhen="other", completeExpression="={{ !$response.body.next }}")}))
    check([r["path"] for r in PEER.requests] == ["/next/1", "/next/2", "/next/3"] and
          jsons(out) == [page(1, U + "/next/2"), page(2, U + "/next/3"), page(3, None)],
          "next URL from the response (n8n reference)", [err, out])
    PEER.clear()
    rc, out, err = run(workflow({"url": U + "/pages", "options": pag(
        parameters=page_param, paginationCompleteWhen="receiveSpecificStatusCodes",
        statusCodesWhenComplete="404")}))
    check(len(PEER.requests) == 4 and jsons(out)[-1:] == [{"message": "no page 4"}] and
          len(out) == 4, "complete on status 404, its answer kept (n8n reference)", out)
    PEER.clear()
    rc, out, err = run(workflow({"url": U + "/list", "options": pag(parameters=page_param)}))
    check(jsons(out) == [{"page": 1, "i": 0}, {"page": 1, "i": 1}, {"page": 2, "i": 0},
                         {"page": 2, "i": 1}] and len(PEER.requests) == 3,
          "response is empty: lists joined (n8n reference)", out)
    PEER.clear()
    rc, out, err = run(workflow({"url": U + "/pages", "options": pag(
        parameters=page_param, paginationCompleteWhen="other", completeExpression="={{ false }}",
        limitPagesFetched=True, maxRequests=2, requestInterval=300)}))
    reqs = PEER.requests
    check(len(reqs) == 2 and len(out or []) == 2, "maxRequests 2 (n8n reference)", out)
    if len(reqs) == 2:
        check(reqs[1]["time"] - reqs[0]["time"] >= 0.29, "requestInterval between pages")
    rc, out, err = run(workflow({"url": U + "/pages", "options": pag(
        parameters=page_param, paginationCompleteWhen="other",
        completeExpression="={{ $response.body.page === 9 }}")},
        settings={"onError": "continueRegularOutput"}))
    e = jsons(out)[0].get("error", {}) if out else {}
    check(len(out or []) == 1 and e.get("statusCode") == 404 and
          e.get("error") == "{\"message\":\"no page 4\"}" and e.get("isAxiosError") is True and
          e.get("response", {}).get("status") == 404, "an error page while continuing (n8n reference)",
          out)
    rc, out, err = run(workflow({"url": U + "/pages", "options": pag(
        parameters={"parameters": [{"name": "", "value": "x"}]})}))
    check(rc == 1 and "Parameter name must be set for parameter [1] in pagination settings" in err,
          "pagination settings checked with n8n's message", err)
    PEER.clear()
    rc, out, err = run(workflow({"url": U + "/pages", "options": pag(
        parameters={"parameters": [{"name": "page", "value": "1"}]},
        paginationCompleteWhen="other", completeExpression="={{ false }}")}))
    check(rc == 1 and "The returned response was identical 5x, so requests got stopped" in err and
          len(PEER.requests) == 4, "identical answers stop the loop", [err, len(PEER.requests)])


def group_legacy():
    U = PEER.url
    # typeVersions 1 and 2 (n8n reference for each item)
    rc, out, _ = run(workflow({"url": U + "/json-list", "options": {}}, version=1))
    check(jsons(out) == [[{"n": 1}, {"n": 2}]], "v1: a JSON list stays one item", out)
    rc, out, _ = run(workflow({"url": U + "/json-list", "options": {"splitIntoItems": True}},
                              version=2))
    check(jsons(out) == [{"n": 1}, {"n": 2}], "v2: splitIntoItems", out)
    PEER.clear()
    rc, out, err = run(workflow({
        "requestMethod": "POST", "url": U + "/echo", "options": {"bodyContentType": "form-urlencoded"},
        "bodyParametersUi": {"parameter": [{"name": "a", "value": "1 2"}]},
        "queryParametersUi": {"parameter": [{"name": "q", "value": "1"}, {"name": "q", "value": "2"}]},
        "headerParametersUi": {"parameter": [{"name": "X-Up", "value": "v"}]}}, version=1))
    r = req()
    check(r.get("body") == "a=1%202" and r.get("rawQuery") == "q%5B0%5D=1&q%5B1%5D=2" and
          r["headers"].get("x-up") == "v" and
          r["headers"].get("accept") == "application/json,text/*;q=0.99",
          "v1: UI parameters, form body, repeated query name (n8n reference)", [err, r])
    PEER.clear()
    rc, out, err = run(workflow({
        "requestMethod": "POST", "url": U + "/echo", "jsonParameters": True,
        "options": {"fullResponse": True}, "bodyParametersJson": "{\"a\": {\"b\": 1}}",
        "queryParametersJson": "{\"z\": \"y\"}", "headerParametersJson": "{\"X-J\": \"1\"}"},
        version=2))
    j = jsons(out)[0] if out else {}
    check(req().get("body") == "{\"a\":{\"b\":1}}" and req().get("rawQuery") == "z=y" and
          j.get("statusCode") == 200 and j.get("body", {}).get("headers", {}).get("x-j") == "1",
          "v2: JSON parameters, full response (n8n reference)", [err, out])
    rc, out, _ = run(workflow({"url": U + "/text", "responseFormat": "string",
                               "dataPropertyName": "txt", "options": {}}, version=1))
    check(jsons(out) == [{"txt": "hello text"}], "v1: string response (n8n reference)", out)
    rc, out, _ = run(workflow({"url": U + "/status/404", "options": {}}, version=2,
                              settings={"onError": "continueRegularOutput"}))
    check(jsons(out) == [{"error": {"message": "404 - {\"message\":\"status 404\"}",
                                    "name": "AxiosError", "code": "ERR_BAD_REQUEST",
                                    "status": 404}}], "v2: error item (n8n reference)", out)
    rc, out, _ = run(workflow({"url": U + "/file.png", "responseFormat": "file", "options": {}},
                              version=1))
    b = (out or [{}])[0].get("binary", {}).get("data", {})
    check(b.get("mimeType") == "image/png" and b.get("data") == "iVBORw0KGgo=" and
          b.get("fileName") == "file.png", "v1: file response (n8n reference)", out)
    rc, out, err = run(workflow({"requestMethod": "POST", "url": U + "/echo",
                                 "jsonParameters": True, "options": {},
                                 "bodyParametersJson": "{nope"}, version=2))
    check(rc == 1 and "The data in \"Body Parameters\" is no valid JSON" in err,
          "v2: invalid JSON parameters, n8n's message", err)
    PEER.clear()
    rc, out, _ = run(workflow({"url": U + "/redirect/1", "options": {}}, version=1))
    check(jsons(out) and jsons(out)[0].get("path") == "/redirect/0", "v1: GET follows redirects",
          out)


GROUPS = {"bodies": group_bodies, "responses": group_responses, "errors": group_errors,
          "batching": group_batching, "retry": group_retry,
          "auth": group_auth, "pagination": group_pagination, "legacy": group_legacy}

if __name__ == "__main__":
    SLUICE = os.path.abspath(sys.argv[1])
    extra = {}
    PEER = Peer().start()
    try:
        GROUPS[sys.argv[2]]()
    finally:
        PEER.stop()
    if FAILED:
        print("%d failed" % len(FAILED))
        sys.exit(1)
