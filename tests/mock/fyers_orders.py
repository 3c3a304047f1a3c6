"""The order side of the FYERS mock (imported by fyers.py): place, modify and cancel
orders (/api/v3/orders/sync), the order book, the trade book and net positions, as
FYERS-API.md §3 and §4 document them, with scripted broker behaviour per order.

Facts followed (FYERS-API.md):
  * POST /orders/sync {symbol, qty, type 1 limit | 2 market | 3 stop | 4 stop-limit,
    side 1 | -1, productType CNC | INTRADAY | MARGIN | MTF (CO, BO: HTTP 400 -1800),
    limitPrice, stopPrice, validity DAY | IOC, disclosedQty, offlineOrder (bool),
    stopLoss, takeProfit, orderTag (alphanumeric, 1-30)} -> {"s":"ok","code":1101,
    "message":"Order submitted successfully. Your Order Ref. No.<id>","id":"<id>"};
    PATCH modifies {id, type, limitPrice, stopPrice, qty} (1102), DELETE {id}
    cancels (1103); -51 unknown id, -161 already cancelled, -162 already traded,
    -164 already rejected; -50 invalid parameters; -99 rejected; -310 bad qty.
  * the order book's statuses: 1 cancelled, 2 traded, 4 transit, 5 rejected,
    6 pending, 7 expired; filledQty / remainingQuantity / tradedPrice; orderTag comes
    back as "1:<tag>", as the recorded real replies show; filters ?id= and ?order_tag=.
  * the trade book: orderNumber, tradeNumber, tradedQty, tradePrice, tradeValue, side,
    productType, symbol, orderTag, orderDateTime.

Behaviour of an order (the first queued behaviour whose "symbol" / "tag" match, else the
default: a market or stop order trades in full at once at the symbol's price, a limit
order at its limit price; limit orders with "rest": true stay pending):
  {"symbol":..., "tag":...,          match (optional)
   "fills":[{"qty":N,"price":P,"after_ms":T},...],  trades over time after placement
   "reject":"message", "reject_after_ms":T,         rejected (status 5) by the exchange
   "reject_place":"message",                        refused at once: HTTP 400, -99
   "cancel_after_ms":T, "expire_after_ms":T,        cancelled / expired by the broker
   "rest":true,                                     stays pending (no trades)
   "transit_ms":T,                                  status 4 for T ms first
   "drop_after_accept":true,                        accept, then drop the connection
   "ambiguous":true,                                accept, answer code 201 (no ack)
   "slow_ms":T}                                     accept, answer after T ms

Control (under /_mock/orders):
  POST /_mock/orders/behave  {...}  queue one behaviour (a list: several)
  POST /_mock/orders/trade   {"symbol","side","qty","price","productType"} a trade the
                             app did not place (by hand, the broker's square-off)
  POST /_mock/orders/fill    {"id","qty","price"} a trade of a working order now
  POST /_mock/orders/set     {"id","status":1|7,"message"} the broker moves an order
  GET  /_mock/orders         {"orders":[...],"trades":[...]} the whole book"""
import datetime
import json
import re
import threading
import time

IST = datetime.timezone(datetime.timedelta(hours=5, minutes=30))
TAG_RE = re.compile(r"^[A-Za-z0-9]{1,30}$")
PRODUCTS = {"CNC", "INTRADAY", "MARGIN", "MTF"}


def env(code, message, **extra):
    d = {"s": "ok" if code > 0 else "error", "code": code, "message": message}
    d.update(extra)
    return d


def ist_time(t):
    return datetime.datetime.fromtimestamp(t, IST).strftime("%d-%b-%Y %H:%M:%S")


class Book:
    def __init__(self, state):
        self.st = state
        self.lock = threading.RLock()
        self.orders = []        # dicts, in placement order
        self.by_id = {}
        self.trades = []
        self.behaviours = []
        self.next_order = 808058117760
        self.next_trade = 25120300010000

    # ---- time ------------------------------------------------------------------

    def price_of(self, symbol):
        return float(self.st.scenario.get("prices", {}).get(symbol, 500.0))

    def trade(self, o, qty, price, t):
        self.next_trade += 1
        tr = {"clientId": "XA00001", "orderDateTime": ist_time(t), "orderNumber": o["id"],
              "exchangeOrderNo": o["exchOrdId"], "exchange": o["exchange"], "side": o["side"],
              "segment": o["segment"], "orderType": o["type"], "fyToken": o["fyToken"],
              "productType": o["productType"], "tradedQty": qty, "tradePrice": price,
              "tradeValue": round(qty * price, 2), "tradeNumber": str(self.next_trade),
              "row": len(self.trades) + 1, "symbol": o["symbol"], "orderTag": o["orderTag"]}
        self.trades.append(tr)
        value = o["tradedPrice"] * o["filledQty"] + price * qty
        o["filledQty"] += qty
        o["remainingQuantity"] = o["qty"] - o["filledQty"]
        o["tradedPrice"] = round(value / o["filledQty"], 4)
        if o["remainingQuantity"] == 0:
            self.set_status(o, 2, "TRADE CONFIRMED")

    def set_status(self, o, status, message=""):
        o["status"] = status
        o["message"] = message
        o["orderNumStatus"] = f"{o['id']}:{status}"

    def advance(self):
        """Moves every live order along its behaviour up to now."""
        now = time.time()
        with self.lock:
            for o in self.orders:
                b = o["_b"]
                age_ms = (now - o["_t"]) * 1000
                if o["status"] == 4 and age_ms >= b.get("transit_ms", 0):
                    self.set_status(o, 6)
                if o["status"] != 6:
                    continue
                for f in b.get("_fills", []):
                    if f.get("done") or age_ms < f.get("after_ms", 0) or o["status"] != 6:
                        continue
                    f["done"] = True
                    q = min(int(f["qty"]), o["remainingQuantity"])
                    if q > 0:
                        self.trade(o, q, float(f.get("price", o["_px"])), o["_t"] + f.get("after_ms", 0) / 1000.0)
                if o["status"] != 6:
                    continue
                for key, status, msg in (("reject_after_ms", 5, b.get("reject", "")),
                                         ("cancel_after_ms", 1, "CANCELLED BY BROKER"),
                                         ("expire_after_ms", 7, "ORDER EXPIRED")):
                    if key in b and age_ms >= b[key]:
                        self.set_status(o, status, msg)
                        break
                if "reject" in b and "reject_after_ms" not in b:
                    self.set_status(o, 5, b["reject"])

    def behaviour_for(self, body):
        tag = str(body.get("orderTag", ""))
        for i, b in enumerate(self.behaviours):
            if b.get("symbol", body.get("symbol")) == body.get("symbol") and b.get("tag", tag) == tag:
                return self.behaviours.pop(i)
        return {}

    # ---- the API ---------------------------------------------------------------

    def check_place(self, b):
        """None, or (http status, envelope) refusing the order."""
        if not isinstance(b, dict):
            return 400, env(-50, "Invalid parameters")
        sym = b.get("symbol")
        if not isinstance(sym, str) or not re.match(r"^(NSE|BSE|MCX):[A-Z0-9&_-]+$", sym):
            return 400, env(-300, "Invalid symbol provided")
        if b.get("productType") in ("CO", "BO"):
            return 400, env(-1800, "BO and CO product types are deprecated")
        if b.get("productType") not in PRODUCTS:
            return 400, env(-50, "Invalid product type")
        if not isinstance(b.get("qty"), int) or isinstance(b.get("qty"), bool) or b["qty"] <= 0:
            return 400, env(-310, "Invalid quantity")
        if b.get("type") not in (1, 2, 3, 4) or b.get("side") not in (1, -1):
            return 400, env(-50, "Invalid order type or side")
        if b.get("validity") not in ("DAY", "IOC"):
            return 400, env(-50, "Invalid validity")
        for field, types in (("limitPrice", (1, 4)), ("stopPrice", (3, 4))):
            v = b.get(field, 0)
            if not isinstance(v, (int, float)) or isinstance(v, bool) or v < 0:
                return 400, env(-308 if field == "limitPrice" else -309, "Invalid " + field)
            if b["type"] in types and v <= 0:
                return 400, env(-308 if field == "limitPrice" else -309, "Invalid " + field)
        if not isinstance(b.get("offlineOrder", False), bool):
            return 400, env(-50, "offlineOrder must be a boolean")
        tag = b.get("orderTag")
        if tag is not None and (not isinstance(tag, str) or not TAG_RE.match(tag) or tag == "Untagged"):
            return 400, env(-50, "Invalid order tag")
        return None

    def place(self, h):
        b = h.body_obj
        bad = self.check_place(b)
        if bad:
            return h.send(*bad)
        with self.lock:
            beh = self.behaviour_for(b)
            if beh.get("reject_place"):
                return h.send(400, env(-99, beh["reject_place"]))
            self.next_order += 1
            oid = str(self.next_order)
            now = time.time()
            sym = b["symbol"]
            px = float(b.get("limitPrice") or 0) if b["type"] in (1, 4) else \
                float(b.get("stopPrice") or 0) if b["type"] == 3 else self.price_of(sym)
            ex = sym.split(":")[0]
            o = {"clientId": "XA00001", "id": oid, "exchOrdId": "1100000" + oid[-8:], "symbol": sym,
                 "ex_sym": sym.split(":")[1].split("-")[0], "description": sym,
                 "fyToken": "101000000" + oid[-5:], "exchange": {"NSE": 10, "MCX": 11, "BSE": 12}[ex],
                 "segment": 20 if ex == "MCX" else 11 if sym.endswith(("FUT", "CE", "PE")) else 10,
                 "instrument": 0, "qty": b["qty"], "remainingQuantity": b["qty"], "filledQty": 0,
                 "discloseQty": b.get("disclosedQty", 0), "dqQtyRem": 0,
                 "limitPrice": b.get("limitPrice", 0), "stopPrice": b.get("stopPrice", 0),
                 "tradedPrice": 0, "type": b["type"], "side": b["side"], "productType": b["productType"],
                 "offlineOrder": b.get("offlineOrder", False), "orderValidity": b["validity"],
                 "source": "ITS", "orderTag": "1:" + b["orderTag"] if b.get("orderTag") else "",
                 "takeProfit": b.get("takeProfit", 0), "stopLoss": b.get("stopLoss", 0), "legType": 1,
                 "status": 4 if beh.get("transit_ms") else 6, "message": "",
                 "orderNumStatus": "", "orderDateTime": ist_time(now), "pan": "", "ch": 0, "chp": 0,
                 "lp": self.price_of(sym), "slNo": len(self.orders) + 1,
                 "_t": now, "_b": beh, "_px": px}
            o["orderNumStatus"] = f"{oid}:{o['status']}"
            if "fills" in beh:
                beh["_fills"] = [dict(f) for f in beh["fills"]]
            elif not any(k in beh for k in ("rest", "reject", "cancel_after_ms", "expire_after_ms")) \
                    and b["type"] != 1:
                beh["_fills"] = [{"qty": b["qty"], "price": px, "after_ms": 0}]
            self.orders.append(o)
            self.by_id[oid] = o
        self.advance()
        if beh.get("drop_after_accept"):
            h.record(0, None)
            h.close_connection = True
            try:
                h.connection.shutdown(2)
            except OSError:
                pass
            return None
        if beh.get("slow_ms"):
            time.sleep(beh["slow_ms"] / 1000.0)
        reply = env(201, "Request made, no acknowledgement") if beh.get("ambiguous") else \
            env(1101, f"Order submitted successfully. Your Order Ref. No.{oid}", id=oid)
        try:
            return h.send(200, reply)
        except OSError:           # the client gave up waiting: the request still counts
            h.record(0, None)
            return None

    def find_live(self, h):
        b = h.body_obj if isinstance(h.body_obj, dict) else {}
        self.advance()
        o = self.by_id.get(str(b.get("id", "")))
        if not o:
            h.send(400, env(-51, "Invalid order id"))
            return None, b
        final = {1: (-161, "Order already cancelled"), 2: (-162, "Order already traded"),
                 5: (-164, "Order already rejected"), 7: (-161, "Order already expired")}
        if o["status"] in final:
            h.send(400, env(*final[o["status"]]))
            return None, b
        return o, b

    def modify(self, h):
        with self.lock:
            o, b = self.find_live(h)
            if not o:
                return None
            if "qty" in b:
                if not isinstance(b["qty"], int) or b["qty"] <= o["filledQty"]:
                    return h.send(400, env(-310, "Invalid quantity"))
                o["qty"] = b["qty"]
                o["remainingQuantity"] = b["qty"] - o["filledQty"]
            for f in ("limitPrice", "stopPrice"):
                if f in b and b[f]:
                    o[f] = b[f]
            if "type" in b:
                o["type"] = b["type"]
            return h.send(200, env(1102, "Successfully modified order", id=o["id"]))

    def cancel(self, h):
        with self.lock:
            o, b = self.find_live(h)
            if not o:
                return None
            self.set_status(o, 1, "CANCELLED")
            return h.send(200, env(1103, "Successfully cancelled order", id=o["id"]))

    def public(self, o):
        return {k: v for k, v in o.items() if not k.startswith("_")}

    def order_book(self, h):
        if not h.need_token():
            return None
        self.advance()
        with self.lock:
            rows = [self.public(o) for o in self.orders]
        rows = list(self.st.scenario.get("orders", [])) + rows
        q = h.q
        if q.get("id"):
            rows = [r for r in rows if r.get("id") == q["id"]]
        if q.get("order_tag"):
            rows = [r for r in rows if r.get("orderTag") in (q["order_tag"], "1:" + q["order_tag"])]
        return h.send(200, env(200, "", orderBook=rows))

    def trade_book(self, h):
        if not h.need_token():
            return None
        self.advance()
        with self.lock:
            rows = list(self.st.scenario.get("trades", [])) + list(self.trades)
        if h.q.get("order_tag"):
            rows = [r for r in rows if r.get("orderTag") in (h.q["order_tag"], "1:" + h.q["order_tag"])]
        return h.send(200, env(200, "", tradeBook=rows))

    def positions(self, h):
        if not h.need_token():
            return None
        self.advance()
        rows = list(self.st.scenario.get("positions", []))
        agg = {}
        with self.lock:
            for t in self.trades:
                k = (t["symbol"], t["productType"])
                p = agg.setdefault(k, {"symbol": t["symbol"], "productType": t["productType"],
                                       "id": f"{t['symbol']}-{t['productType']}", "buyQty": 0,
                                       "sellQty": 0, "buyVal": 0.0, "sellVal": 0.0})
                if t["side"] == 1:
                    p["buyQty"] += t["tradedQty"]
                    p["buyVal"] += t["tradeValue"]
                else:
                    p["sellQty"] += t["tradedQty"]
                    p["sellVal"] += t["tradeValue"]
        for p in agg.values():
            net = p["buyQty"] - p["sellQty"]
            rows.append({"id": p["id"], "symbol": p["symbol"], "productType": p["productType"],
                         "netQty": net, "qty": abs(net), "side": 1 if net > 0 else -1 if net < 0 else 0,
                         "buyQty": p["buyQty"], "sellQty": p["sellQty"],
                         "buyAvg": round(p["buyVal"] / p["buyQty"], 4) if p["buyQty"] else 0,
                         "sellAvg": round(p["sellVal"] / p["sellQty"], 4) if p["sellQty"] else 0,
                         "netAvg": 0, "realized_profit": 0, "unrealized_profit": 0, "pl": 0,
                         "ltp": self.price_of(p["symbol"])})
        return h.send(200, env(200, "", netPositions=rows, overall={
            "count_total": len(rows), "count_open": sum(1 for r in rows if r.get("netQty")),
            "pl_total": 0, "pl_realized": 0, "pl_unrealized": 0}))

    # ---- control -----------------------------------------------------------------

    def control(self, path, b):
        """The answer of a /_mock/orders control call, or None when path is not one."""
        with self.lock:
            if path == "/_mock/orders":
                self.advance()
                return {"orders": [self.public(o) for o in self.orders], "trades": list(self.trades)}
            if path == "/_mock/orders/behave":
                self.behaviours.extend(b if isinstance(b, list) else [b])
                return {"ok": True}
            if path == "/_mock/orders/trade":
                self.next_order += 1
                oid = str(self.next_order)
                o = {"id": oid, "exchOrdId": "", "exchange": 10, "segment": 10, "type": 2,
                     "fyToken": "", "symbol": b["symbol"], "productType": b.get("productType", "INTRADAY"),
                     "side": 1 if b.get("side", "buy") in ("buy", 1) else -1, "orderTag": "",
                     "qty": int(b["qty"]), "filledQty": 0, "remainingQuantity": int(b["qty"]),
                     "tradedPrice": 0, "status": 6}
                self.trade(o, int(b["qty"]), float(b["price"]), time.time())
                return {"ok": True, "tradeNumber": self.trades[-1]["tradeNumber"]}
            if path == "/_mock/orders/fill":
                o = self.by_id.get(str(b.get("id")))
                if o and o["status"] in (4, 6):
                    self.trade(o, int(b.get("qty", o["remainingQuantity"])),
                               float(b.get("price", o["_px"])), time.time())
                return {"ok": bool(o)}
            if path == "/_mock/orders/set":
                o = self.by_id.get(str(b.get("id")))
                if o:
                    self.set_status(o, int(b["status"]), b.get("message", ""))
                return {"ok": bool(o)}
        return None


def routes(h, book):
    """The order routes for handler h (merged into fyers.py's table)."""
    return {
        ("POST", "/api/v3/orders/sync"): lambda: h.need_token() and book.place(h),
        ("PATCH", "/api/v3/orders/sync"): lambda: h.need_token() and book.modify(h),
        ("DELETE", "/api/v3/orders/sync"): lambda: h.need_token() and book.cancel(h),
        ("GET", "/api/v3/orders"): lambda: book.order_book(h),
        ("GET", "/api/v3/tradebook"): lambda: book.trade_book(h),
        ("GET", "/api/v3/positions"): lambda: book.positions(h),
    }

