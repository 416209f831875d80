#!/usr/bin/env python3
"""A local HTTP server that the HTTP Request node tests talk to.

It records every request it receives (method, path, query, headers, body,
arrival time) and answers by path:

  /echo...                 200 JSON {method, path, query, headers, body}
  /echo-status/CODE        CODE with a JSON body echoing the query and headers
  /status/CODE             CODE with a JSON body {"message": "status CODE"}
  /status-text/CODE        CODE with a text body "went wrong CODE"
  /text                    200 text/plain "hello text"
  /html                    200 text/html
  /json-list               200 JSON [{"n": 1}, {"n": 2}]
  /file.png                200 image/png (8 bytes)
  /redirect/N              302 to /redirect/N-1; /redirect/0 answers like /echo
  /slow/MS                 waits MS milliseconds, then answers like /echo
  /retry/KEY/N/CODE/SECS   the first N requests for KEY answer CODE with
                           Retry-After: SECS, later ones 200 like /echo
  /pages?page=P            pages 1..3 of {"items": [...], "next": URL|null}; 404 past 3
  /list?page=P             a JSON list of 2 items for pages 1 and 2, [] after
  /next/P                  like /pages, the next page given by a full URL
  /empty                   204 without body

Used as a module (Peer: start(), requests, stop()) by test_http_request.py,
or run on its own (`http_peer.py PORT`) to point another program at it.
"""
import json
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PNG = b"\x89PNG\r\n\x1a\n"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _record(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        u = urllib.parse.urlsplit(self.path)
        rec = {
            "method": self.command,
            "path": u.path,
            "query": urllib.parse.parse_qs(u.query, keep_blank_values=True),
            "rawQuery": u.query,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": body.decode("utf-8", "replace"),
            "bodyBytes": body,
            "time": time.monotonic(),
            "client": self.client_address[1],
        }
        with self.server.lock:
            self.server.requests.append(rec)
        return rec

    def _send(self, code, body, ctype="application/json", headers=None):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        self.send_response(code)
        if ctype:
            self.send_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _echo(self, rec):
        self._send(200, {k: rec[k] for k in ("method", "path", "query", "headers", "body")},
                   headers={"X-Echo": "yes"})

    def _page(self, page, full):
        base = "http://127.0.0.1:%d" % self.server.server_address[1]
        nxt = None
        if page < 3:
            nxt = base + ("/next/%d" % (page + 1) if full else "/pages?page=%d" % (page + 1))
        self._send(200, {"items": [{"page": page, "i": 0}, {"page": page, "i": 1}],
                         "page": page, "next": nxt})

    def _handle(self):
        rec = self._record()
        parts = rec["path"].strip("/").split("/")
        head = parts[0]
        if head == "echo":
            return self._echo(rec)
        if head == "echo-status":
            return self._send(int(parts[1]), {"query": rec["query"], "headers": rec["headers"]})
        if head == "status":
            code = int(parts[1])
            return self._send(code, {"message": "status %d" % code})
        if head == "status-text":
            code = int(parts[1])
            return self._send(code, "went wrong %d" % code, "text/plain")
        if head == "text":
            return self._send(200, "hello text", "text/plain; charset=utf-8")
        if head == "html":
            return self._send(200, "<p>hi</p>", "text/html")
        if head == "json-list":
            return self._send(200, [{"n": 1}, {"n": 2}])
        if head == "file.png":
            return self._send(200, PNG, "image/png")
        if head == "redirect":
            n = int(parts[1])
            if n <= 0:
                return self._echo(rec)
            return self._send(302, "", None, {"Location": "/redirect/%d" % (n - 1)})
        if head == "slow":
            time.sleep(int(parts[1]) / 1000.0)
            return self._echo(rec)
        if head == "retry":
            key, n, code, secs = parts[1], int(parts[2]), int(parts[3]), parts[4]
            with self.server.lock:
                seen = self.server.counters.get(key, 0)
                self.server.counters[key] = seen + 1
            if seen < n:
                return self._send(code, {"message": "slow down"}, headers={"Retry-After": secs})
            return self._echo(rec)
        if head == "pages":
            page = int((rec["query"].get("page") or ["1"])[0])
            if page > 3:
                return self._send(404, {"message": "no page %d" % page})
            return self._page(page, False)
        if head == "list":
            page = int((rec["query"].get("page") or ["1"])[0])
            return self._send(200, [{"page": page, "i": k} for k in range(2)] if page <= 2 else [])
        if head == "next":
            return self._page(int(parts[1]), True)
        if head == "empty":
            self.send_response(204)
            self.end_headers()
            return None
        return self._send(404, {"message": "no route " + rec["path"]})

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # clients that gave up (timeouts) are part of the tests


class Peer:
    def __init__(self, port=0):
        self.httpd = Server(("127.0.0.1", port), Handler)
        self.httpd.requests = []
        self.httpd.counters = {}
        self.httpd.lock = threading.Lock()
        self.port = self.httpd.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port

    @property
    def requests(self):
        with self.httpd.lock:
            return list(self.httpd.requests)

    def clear(self):
        with self.httpd.lock:
            self.httpd.requests.clear()
            self.httpd.counters.clear()

    def start(self):
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.httpd.shutdown()


if __name__ == "__main__":
    p = Peer(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
    print(p.url, flush=True)
    p.httpd.serve_forever()
