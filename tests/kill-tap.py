#!/usr/bin/env python3
"""kill-tap.py N PROGRAM [ARGS...]: runs PROGRAM on our stdin (which we then close, so
PROGRAM is the only reader of the pipe before it, as in a real pipeline), copies its
output to our stdout byte for byte, and right after the N-th line has passed kills it
with SIGKILL, then copies the rest (what it had written before it died). Exits with
PROGRAM's status as a shell reports it (137 after the kill). A deterministic kill -9
point for tests/82-pipeline-crash.bats."""
import os
import signal
import subprocess
import sys


def put(b):
    while b:
        b = b[os.write(1, b):]


def copy(proc, n):
    fd = proc.stdout.fileno()
    left = n                      # lines to pass before the kill; < 0: done
    while True:
        b = os.read(fd, 65536)
        if not b:
            return
        if 0 <= left <= b.count(b"\n"):
            cut = 0
            for _ in range(left):
                cut = b.index(b"\n", cut) + 1
            put(b[:cut])
            proc.send_signal(signal.SIGKILL)
            left, b = -1, b[cut:]
        elif left > 0:
            left -= b.count(b"\n")
        put(b)


def main():
    n = int(sys.argv[1])
    proc = subprocess.Popen(sys.argv[2:], stdout=subprocess.PIPE)
    os.close(0)
    try:
        copy(proc, n)
    except BrokenPipeError:
        pass
    rc = proc.wait()
    sys.exit(128 - rc if rc < 0 else rc)


main()
