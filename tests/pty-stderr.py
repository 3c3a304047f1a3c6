#!/usr/bin/env python3
"""pty-stderr.py OUT CMD [ARG]... — runs CMD with its stderr on a pseudo-terminal
(stdin from /dev/null, stdout into OUT) and prints what the terminal received;
exits with CMD's status. Tests of progress bars use it: they are drawn only on a
terminal."""
import os
import pty
import subprocess
import sys


def main():
    out, cmd = sys.argv[1], sys.argv[2:]
    master, slave = pty.openpty()
    with open(out, "wb") as f, open(os.devnull, "rb") as null:
        p = subprocess.Popen(cmd, stdin=null, stdout=f, stderr=slave)
    os.close(slave)
    got = b""
    while True:
        try:
            d = os.read(master, 65536)
        except OSError:          # EIO: the last writer closed the terminal
            break
        if not d:
            break
        got += d
    os.close(master)
    sys.stdout.buffer.write(got)
    sys.exit(p.wait())


main()
