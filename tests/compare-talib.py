#!/usr/bin/env python3
"""Compares `algo-eval --print` CSV output with TA-Lib reference values.

usage: compare-talib.py [--all] OURS.csv TALIB.csv OURCOL=TALIBCOL... [@PAIRS]

Rows are matched by position and must have the same timestamp. A value matches when
it is within 1e-9 relative (or 1e-9 absolute near zero, which also accepts TA-Lib's
MFI of about -1e-14 where the true value is 0); an empty cell must be empty on both
sides. Prints every mismatch (up to 20) and exits 1 on any.

@PAIRS reads OURCOL=TALIBCOL pairs from a file, one a line ('#' starts a comment);
the last '=' separates the two, so an expression may contain '=='. --all also fails
when a TA-Lib column (other than timestamp) is not compared.
"""
import csv
import math
import sys


def close(a, b):
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def read_pairs(args):
    pairs = []
    for a in args:
        if a.startswith("@"):
            with open(a[1:]) as f:
                lines = [ln.strip() for ln in f]
            pairs += [ln.rsplit("=", 1) for ln in lines if ln and not ln.startswith("#")]
        else:
            pairs.append(a.rsplit("=", 1))
    return pairs


def main(argv):
    want_all = "--all" in argv[1:]
    argv = [a for a in argv if a != "--all"]
    if len(argv) < 4:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with open(argv[1], newline="") as f:
        ours = list(csv.DictReader(f))
    with open(argv[2], newline="") as f:
        rd = csv.DictReader(f)
        ref = list(rd)
        ref_cols = [c for c in rd.fieldnames or [] if c != "timestamp"]
    pairs = read_pairs(argv[3:])
    bad = []
    for ocol, rcol in pairs:
        if ours and ocol not in ours[0]:
            bad.append(f"no column '{ocol}' in {argv[1]}")
        if rcol not in ref_cols:
            bad.append(f"no column '{rcol}' in {argv[2]}")
    if want_all:
        missing = sorted(set(ref_cols) - {r for _, r in pairs})
        if missing:
            bad.append("TA-Lib columns not compared: " + " ".join(missing))
    if bad:
        for b in bad:
            print(b)
        return 1
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
