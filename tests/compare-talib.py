#!/usr/bin/env python3
"""Compares `algo-eval --print` CSV output with TA-Lib reference values.

usage: compare-talib.py OURS.csv TALIB.csv OURCOL=TALIBCOL...

Rows are matched by position and must have the same timestamp. A value matches when
it is within 1e-9 relative (or 1e-9 absolute near zero); an empty cell must be empty
on both sides. Prints every mismatch (up to 20) and exits 1 on any.
"""
import csv
import math
import sys


def close(a, b):
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def main(argv):
    if len(argv) < 4:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with open(argv[1], newline="") as f:
        ours = list(csv.DictReader(f))
    with open(argv[2], newline="") as f:
        ref = list(csv.DictReader(f))
    pairs = [a.split("=", 1) for a in argv[3:]]
    bad = []
    if len(ours) != len(ref):
        bad.append(f"{len(ours)} rows, TA-Lib has {len(ref)}")
    for i, (o, r) in enumerate(zip(ours, ref)):
        if o["ts"] != r["timestamp"]:
            bad.append(f"row {i}: ts {o['ts']} != {r['timestamp']}")
            continue
        for ocol, rcol in pairs:
            ov, rv = o[ocol], r[rcol]
            if (ov == "") != (rv == ""):
                bad.append(f"row {i} {ocol}: '{ov}' vs TA-Lib {rcol} '{rv}'")
            elif ov != "" and not close(float(ov), float(rv)):
                bad.append(f"row {i} {ocol}: {ov} vs TA-Lib {rcol} {rv}")
    for b in bad[:20]:
        print(b)
    if len(bad) > 20:
        print(f"... {len(bad) - 20} more")
    checked = len(ours) * len(pairs)
    print(f"{checked} values compared, {len(bad)} mismatches")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
