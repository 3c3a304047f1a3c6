#!/usr/bin/env python3
"""compare-trades.py OURS.csv BACKTRADER.csv — checks that algo-ledger's round trips
(strategy,symbol,side,qty,entry_ts,entry_price,exit_ts,exit_price,pnl,fees,net_pnl)
equal backtrader's (trade,entry_ts,entry_price,exit_ts,exit_price,qty,pnl): same count,
same times, prices and PnL as exact decimals. Prints the first difference."""
import csv, sys
from decimal import Decimal

def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))

ours, ref = rows(sys.argv[1]), rows(sys.argv[2])
bad = 0
if len(ours) != len(ref):
    print(f"trade count: ours {len(ours)}, reference {len(ref)}")
    bad = 1
for i, (a, b) in enumerate(zip(ours, ref), 1):
    for key in ("entry_ts", "exit_ts"):
        if a[key] != b[key]:
            print(f"trade {i}: {key}: ours {a[key]}, reference {b[key]}"); bad = 1
    for key in ("entry_price", "exit_price", "qty", "pnl"):
        if Decimal(a[key]) != Decimal(b[key]):
            print(f"trade {i}: {key}: ours {a[key]}, reference {b[key]}"); bad = 1
    if a["side"] != "long":
        print(f"trade {i}: side {a['side']}, expected long"); bad = 1
    if bad:
        break
total = sum(Decimal(a["pnl"]) for a in ours)
print(f"# {len(ours)} trades, total pnl {total}")
sys.exit(bad)
