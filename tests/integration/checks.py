"""What the integration tests share: check() prints one line per check
("ok   ..." or "FAIL ...") and remembers the failures, finish() ends the
test with exit status 1 when any check failed, free_port() finds a free
loopback port."""
import socket
import sys

FAILED = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        FAILED.append(what)
    return cond


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def finish():
    if FAILED:
        print("%d check(s) failed" % len(FAILED))
        sys.exit(1)
    print("all checks passed")
