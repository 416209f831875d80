#!/usr/bin/env python3
"""Samples the memory and CPU of a `sluice run` over time (no perf, no ptrace).

Usage: rss_timeline.py [--interval SECONDS] -- SLUICE run WORKFLOW.json [ARGS...]

Runs the command with stdout discarded and every INTERVAL (default 0.1 s)
reads /proc/PID/status and /proc/PID/stat of the process and its children
(`sluice run` executes in a child process). Prints one line per sample:
seconds since start, RSS of the parent and the child in MB, and the CPU
seconds the child has used; then the peak of each. A plateau while CPU
climbs shows a phase that holds memory; a drop shows when it is freed.
"""
import os
import subprocess
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")


def rss_mb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


def cpu_s(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    except (OSError, IndexError, ValueError):
        return 0.0


def children(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def main():
    args = sys.argv[1:]
    interval = 0.1
    if args[:1] == ["--interval"]:
        interval = float(args[1])
        args = args[2:]
    if args[:1] == ["--"]:
        args = args[1:]
    if not args:
        sys.exit(__doc__)
    start = time.monotonic()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    peak_parent = peak_child = 0.0
    child = None
    print("%7s %10s %10s %9s" % ("t (s)", "parent MB", "child MB", "child cpu"))
    while proc.poll() is None:
        kids = children(proc.pid)
        if kids:
            child = kids[0]
        p = rss_mb(proc.pid)
        c = rss_mb(child) if child else 0.0
        peak_parent, peak_child = max(peak_parent, p), max(peak_child, c)
        print("%7.2f %10.1f %10.1f %9.2f" % (time.monotonic() - start, p, c,
                                             cpu_s(child) if child else 0.0), flush=True)
        time.sleep(interval)
    print("exit %d after %.2fs; sampled peak RSS: parent %.0f MB, child %.0f MB"
          % (proc.returncode, time.monotonic() - start, peak_parent, peak_child))


if __name__ == "__main__":
    main()
