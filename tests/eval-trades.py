#!/usr/bin/env python3
"""Checks algo-eval signals against a backtrader trade list (fills at the next open).

usage: eval-trades.py EVENTS.ndjson TRADES.csv

EVENTS is algo-eval's output (bars passed through, signals after them). Each trade's
entry must be an entry signal on the bar just before entry_ts, and its exit an exit
signal on the bar just before exit_ts, the next bar's open being the trade's price.
A last entry still open at the end of the data is allowed (backtrader omits it).
"""
import csv
import json
import sys
from decimal import Decimal


def main(argv):
    bars, sigs = [], []
    with open(argv[1]) as f:
        for line in f:
            ev = json.loads(line)
            if ev["type"] == "bar":
                bars.append(ev)
            elif ev["type"] == "signal":
                sigs.append(ev)
    nxt = {b["ts"]: bars[i + 1] for i, b in enumerate(bars[:-1])}
    made = []                       # (entry_ts, entry_price, exit_ts, exit_price)
    bad = []
    pos = None
    for s in sigs:
        fill = nxt.get(s["ts"])
        want = "entry" if pos is None else "exit"
        if s["action"] != want or s["side"] != ("buy" if want == "entry" else "sell"):
            bad.append(f"unexpected {s['action']} {s['side']} at {s['ts']}")
            continue
        if fill is None:
            if want == "exit":
                bad.append(f"exit on the last bar {s['ts']}")
            pos = None
            continue
        if pos is None:
            pos = (fill["ts"], Decimal(str(fill["o"])))
        else:
            made.append(pos + (fill["ts"], Decimal(str(fill["o"]))))
            pos = None
    with open(argv[2], newline="") as f:
        want = [(r["entry_ts"], Decimal(r["entry_price"]), r["exit_ts"], Decimal(r["exit_price"]))
                for r in csv.DictReader(f)]
    for i in range(max(len(made), len(want))):
        a = made[i] if i < len(made) else None
        b = want[i] if i < len(want) else None
        if a != b:
            bad.append(f"trade {i + 1}: ours {a}, backtrader {b}")
    for b in bad[:20]:
        print(b)
    print(f"{len(made)} trades from signals, {len(want)} expected, {len(bad)} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
