#!/usr/bin/env python3
"""Integration tests: the HTTP Request node with an oAuth2Api credential
(client-credentials grant) against a local token server.

Usage: test_oauth2.py SLUICE_BINARY

The server here hands out tokens tok-1, tok-2, ... at POST /token and
guards GET /data, which answers 401 to any token but the newest one and
to the tokens it was told to refuse. What the tests check is n8n's
client-credentials flow (its @n8n/client-oauth2 CredentialsFlow and the
401 handling of requestOAuth2): one token request per run for all items,
the client id and secret as HTTP basic auth ("header", the default) or
in the form body ("body"), the scope, a new token when a request is
answered 401 or the token has expired, an error that names the refusal
and never the secret, and no secret in the data directory.
"""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from checks import check, finish

CLIENT_ID = "sluice-client"
SECRET = "cl13nt-S3cret-oauth-91d2"


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.lock = threading.Lock()
        self.reset()

    def reset(self, expires_in=3600, refuse=()):
        with self.lock:
            self.token_requests = []
            self.data_requests = []
            self.issued = 0
            self.expires_in = expires_in
            self.refuse = set(refuse)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, code, obj):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        form = urllib.parse.parse_qs(self.rfile.read(n).decode(), keep_blank_values=True)
        srv = self.server
        auth = self.headers.get("Authorization", "")
        with srv.lock:
            srv.token_requests.append({"form": form, "auth": auth,
                                       "type": self.headers.get("Content-Type", "")})
            basic = "Basic " + base64.b64encode(("%s:%s" % (CLIENT_ID, SECRET)).encode()).decode()
            ok = auth == basic or (form.get("client_id") == [CLIENT_ID]
                                   and form.get("client_secret") == [SECRET])
            if self.path != "/token" or not ok:
                return self.answer(401, {"error": "invalid_client",
                                         "error_description": "client authentication failed"})
            srv.issued += 1
            tok = "tok-%d" % srv.issued
            expires = srv.expires_in
        self.answer(200, {"access_token": tok, "token_type": "Bearer", "expires_in": expires})

    def do_GET(self):
        srv = self.server
        auth = self.headers.get("Authorization", "")
        with srv.lock:
            srv.data_requests.append(auth)
            good = auth == "Bearer tok-%d" % srv.issued and auth[7:] not in srv.refuse
        if good:
            self.answer(200, {"ok": True, "token": auth[7:]})
        else:
            self.answer(401, {"message": "token not accepted"})


def http_node(name, url, x):
    return {"parameters": {"url": url, "authentication": "genericCredentialType",
                           "genericAuthType": "oAuth2Api", "options": {}},
            "name": name, "type": "n8n-nodes-base.httpRequest", "typeVersion": 4.2,
            "position": [x, 0],
            "credentials": {"oAuth2Api": {"id": "oauthRef000001", "name": "Token server"}}}


def workflow(url, items=3, second=False):
    code = {"parameters": {"jsCode": "return Array.from({length: %d}, (_, i) => ({json: {i}}));"
                           % items},
            "name": "Items", "type": "n8n-nodes-base.code", "typeVersion": 2, "position": [200, 0]}
    nodes = [{"parameters": {}, "name": "Start", "type": "n8n-nodes-base.manualTrigger",
              "typeVersion": 1, "position": [0, 0]}, code, http_node("Fetch", url, 400)]
    conns = {"Start": {"main": [[{"node": "Items", "type": "main", "index": 0}]]},
             "Items": {"main": [[{"node": "Fetch", "type": "main", "index": 0}]]}}
    if second:  # a pause past the token's life, then the same request again
        nodes.append({"parameters": {"jsCode": "const t = Date.now(); while (Date.now() - t < 1500) {}\n"
                                               "return [{json: {}}];"},
                      "name": "Pause", "type": "n8n-nodes-base.code", "typeVersion": 2,
                      "position": [600, 0]})
        nodes.append(http_node("Again", url, 800))
        conns["Fetch"] = {"main": [[{"node": "Pause", "type": "main", "index": 0}]]}
        conns["Pause"] = {"main": [[{"node": "Again", "type": "main", "index": 0}]]}
    return {"name": "oauth2", "nodes": nodes, "connections": conns}


def main():
    sluice = os.path.abspath(sys.argv[1])
    srv = Server()
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    base = "http://127.0.0.1:%d" % srv.server_address[1]
    tmp = tempfile.mkdtemp(prefix="sl_oauth2_")
    env = dict(os.environ, SLUICE_DATA_DIR=os.path.join(tmp, "data"))
    env.pop("SLUICE_ENCRYPTION_KEY", None)

    made = []

    def credential(auth, secret=SECRET):
        # one credential of that name at a time: the node finds it by name
        for cid in made:
            subprocess.run([sluice, "credentials", "delete", cid], env=env, capture_output=True)
        data = {"grantType": "clientCredentials", "accessTokenUrl": base + "/token",
                "clientId": CLIENT_ID, "clientSecret": secret, "scope": "read write",
                "authentication": auth}
        r = subprocess.run([sluice, "credentials", "create", "--type", "oAuth2Api", "--name",
                            "Token server", "--data", json.dumps(data)], env=env,
                           capture_output=True, text=True)
        if not check(r.returncode == 0, "credentials create (%s) %s" % (auth, r.stderr.strip())):
            sys.exit(1)
        made.append(r.stdout.strip().splitlines()[-1])

    def run(wf):
        path = os.path.join(tmp, "wf.json")
        with open(path, "w") as f:
            json.dump(wf, f)
        r = subprocess.run([sluice, "run", path], env=env, capture_output=True, text=True,
                           timeout=60)
        out = json.loads(r.stdout) if r.returncode == 0 and r.stdout.strip() else None
        return r, out

    try:
        # header (the default): one token for three items, basic auth, the scope
        credential("header")
        srv.reset()
        r, out = run(workflow(base + "/data"))
        check(r.returncode == 0, "header: the run succeeds (%s)" % r.stderr.strip())
        check(out and [o["json"]["token"] for o in out] == ["tok-1"] * 3,
              "header: three items fetched with the one token")
        check(len(srv.token_requests) == 1, "header: one token request for the run")
        tr = srv.token_requests[0] if srv.token_requests else {}
        check(tr.get("form") == {"grant_type": ["client_credentials"], "scope": ["read write"]},
              "header: the form holds grant_type and scope only")
        check(tr.get("auth", "").startswith("Basic "), "header: client id and secret as basic auth")
        check(tr.get("type", "").startswith("application/x-www-form-urlencoded"),
              "header: the token request is form-encoded")

        # body: the client in the form
        credential("body")
        srv.reset()
        r, out = run(workflow(base + "/data", items=1))
        tr = srv.token_requests[0] if srv.token_requests else {}
        check(r.returncode == 0 and tr.get("form", {}).get("client_secret") == [SECRET]
              and not tr.get("auth"), "body: client id and secret in the form, no basic auth")

        # a 401 with the token: a new token, and the request again
        srv.reset(refuse={"tok-1"})
        r, out = run(workflow(base + "/data", items=1))
        check(r.returncode == 0 and out and out[0]["json"]["token"] == "tok-2",
              "401: the request goes again with a new token")
        check(len(srv.token_requests) == 2 and len(srv.data_requests) == 2,
              "401: two token requests, two data requests")

        # an expired token is not sent: the second node fetches a new one
        srv.reset(expires_in=2)
        r, out = run(workflow(base + "/data", items=1, second=True))
        check(r.returncode == 0 and out and out[0]["json"]["token"] == "tok-2",
              "expiry: the token outlived by the run is replaced (%s)" % r.stderr.strip())
        check(srv.data_requests == ["Bearer tok-1", "Bearer tok-2"],
              "expiry: no request carried the expired token")

        # a refused client: the node fails with the server's reason, never the secret
        credential("header", secret="wrong-" + SECRET)
        srv.reset()
        r, out = run(workflow(base + "/data", items=1))
        check(r.returncode != 0 and "client authentication failed" in r.stderr
              and "refused (HTTP 401)" in r.stderr, "refused: the error names the refusal")
        check(SECRET not in r.stderr + r.stdout, "refused: the secret is not in the output")

        # the secret is nowhere in the data directory
        found = []
        for root, _, files in os.walk(os.path.join(tmp, "data")):
            for f in files:
                with open(os.path.join(root, f), "rb") as fh:
                    if SECRET.encode() in fh.read():
                        found.append(f)
        check(not found, "no file of the data directory holds the client secret %s" % found)
    finally:
        srv.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)
    finish()


if __name__ == "__main__":
    main()
