#!/usr/bin/env python3
"""kill-tap.py N PIDFILE: copies stdin to stdout byte for byte; right after the N-th line has
passed, kills the process whose pid PIDFILE holds with SIGKILL, then copies the rest
(what that process had written before it died). A deterministic kill -9 point for
tests/82-pipeline-crash.bats: put it right after the stage to kill."""
import os
import signal
import sys


def put(b):
    while b:
        b = b[os.write(1, b):]


def main():
    n, pidfile = int(sys.argv[1]), sys.argv[2]
    left = n                      # lines to pass before the kill; < 0: done
    while True:
        b = os.read(0, 65536)
        if not b:
            return
        if 0 <= left <= b.count(b"\n"):
            cut = 0
            for _ in range(left):
                cut = b.index(b"\n", cut) + 1
            put(b[:cut])
            with open(pidfile) as f:
                os.kill(int(f.read()), signal.SIGKILL)
            left, b = -1, b[cut:]
        elif left > 0:
            left -= b.count(b"\n")
        put(b)


try:
    main()
except BrokenPipeError:
    pass
