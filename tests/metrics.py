#!/usr/bin/env python3
"""Recomputes the report metrics of METRICS.md independently of algo-ledger's C code and
compares them with `algo-ledger report --format json`.

Inputs: the round trips (`algo-ledger trades --format csv`), the equity points
(`algo-ledger equity --format csv`), the pipeline's event stream (for the trading days
and the bars with a position) and the report JSON. Conventions as the report states:
daily returns of mark-to-market equity (each day's last point, carried over days
without a change), P = 252, rf = 0, N in Sortino = all periods.

usage: metrics.py TRADES.csv EQUITY.csv EVENTS.ndjson REPORT.json START_EQUITY
Prints "ok: N metrics match" and exits 0, or lists the mismatches and exits 1."""
import csv
import json
import math
import sys
from datetime import datetime, timedelta, timezone
from decimal import Decimal

IST = timezone(timedelta(hours=5, minutes=30))
P = 252


def ts(s):
    return datetime.fromisoformat(s).astimezone(IST)


def main():
    trades_f, equity_f, events_f, report_f, start = sys.argv[1:6]
    start = Decimal(start)
    trades = list(csv.DictReader(open(trades_f)))
    points = [(ts(r["ts"]), Decimal(r["equity"])) for r in csv.DictReader(open(equity_f))]
    rep = json.load(open(report_f))

    # trading days and exposure from the event stream
    days, bars, in_pos, pos = [], 0, 0, {}
    for line in open(events_f):
        ev = json.loads(line)
        if ev["type"] == "bar":
            d = ts(ev["ts"]).date()
            if not days or days[-1] != d:
                days.append(d)
            bars += 1
            if pos.get(ev["symbol"], 0) != 0:
                in_pos += 1
        elif ev["type"] == "fill":
            q = int(ev["qty"]) * (1 if ev["side"] == "buy" else -1)
            pos[ev["symbol"]] = pos.get(ev["symbol"], 0) + q
    for t, _ in points:
        if t.date() not in days:
            days.append(t.date())
    days.sort()

    # each day's last equity, carried
    eq, prev_eq, daily, i = start, start, [], 0
    for d in days:
        while i < len(points) and points[i][0].date() <= d:
            eq = points[i][1]
            i += 1
        daily.append(float(eq / prev_eq - 1))
        prev_eq = eq
    end = points[-1][1] if points else start
    n = len(daily)
    total = float(end / start - 1)
    mean = sum(daily) / n if n else float("nan")
    std = math.sqrt(sum((r - mean) ** 2 for r in daily) / (n - 1)) if n > 1 else float("nan")
    down = math.sqrt(sum(min(0.0, r) ** 2 for r in daily) / n) if n else float("nan")
    cagr = (1 + total) ** (P / n) - 1 if n else float("nan")

    # max drawdown over every point, the start first
    peak, mdd = start, 0.0
    for _, e in points:
        peak = max(peak, e)
        mdd = min(mdd, float(e / peak - 1))

    nets = [float(Decimal(t["net_pnl"])) for t in trades]
    wins = [x for x in nets if x > 0]
    losses = [x for x in nets if x < 0]
    nt = len(nets)
    exp = {
        "total_return_pct": total * 100,
        "cagr_pct": cagr * 100,
        "annual_volatility_pct": std * math.sqrt(P) * 100,
        "sharpe": mean / std * math.sqrt(P) if std and std > 0 else None,
        "sortino": mean / down * math.sqrt(P) if down and down > 0 else None,
        "max_drawdown_frac": mdd,
        "calmar": cagr / -mdd if mdd < 0 else None,
        "trades": nt,
        "wins": len(wins),
        "losses": len(losses),
        "profit_factor": sum(wins) / -sum(losses) if losses else None,
        "payoff_ratio": (sum(wins) / len(wins)) / (-sum(losses) / len(losses)) if wins and losses else None,
        "expectancy": sum(nets) / nt if nt else None,
        "exposure_pct": in_pos / bars * 100 if bars else None,
        "bars": bars,
        "bars_in_position": in_pos,
        "longs": sum(1 for t in trades if t["side"] == "long"),
        "shorts": sum(1 for t in trades if t["side"] == "short"),
        "days": n,
        "end_equity": float(end),
    }
    if nt > 1:
        m = sum(nets) / nt
        s = math.sqrt(sum((x - m) ** 2 for x in nets) / (nt - 1))
        exp["sqn"] = math.sqrt(nt) * m / s if s > 0 else None
        w = len(wins) / nt
        aw = sum(wins) / len(wins) if wins else 0
        al = -sum(losses) / len(losses) if losses else 0
        exp["expectancy_w"] = w * aw - (1 - w) * al
        holds = [(ts(t["exit_ts"]) - ts(t["entry_ts"])).total_seconds() / 60 for t in trades]
        exp["avg_holding_minutes"] = sum(holds) / nt
        exp["max_holding_minutes"] = max(holds)
        exp["best_trade"] = max(nets)
        exp["worst_trade"] = min(nets)
    if n < 2:
        exp["annual_volatility_pct"] = None
        exp["sharpe"] = None

    bad = []
    for k, v in exp.items():
        got = rep.get(k, "MISSING")
        if v is None or (isinstance(v, float) and math.isnan(v)):
            ok = got is None
        elif got is None or got == "MISSING":
            ok = False
        else:
            ok = math.isclose(float(got), float(v), rel_tol=1e-6, abs_tol=1e-9)
        if not ok:
            bad.append(f"{k}: report {got}, recomputed {v}")
    if bad:
        print("\n".join(bad))
        return 1
    print(f"ok: {len(exp)} metrics match ({nt} trades, {n} days, net {float(end - start):.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
