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

The order-update socket (FYERS-API.md §6), on a port of its own (written to
PORT_FILE.order-ws; path /trade/v3):
  * the handshake needs the header authorization: APP_ID:ACCESS_TOKEN of a valid
    session; a bare token or a bad one is refused with HTTP 401;
  * {"T":"SUB_ORD","SLIST":[...],"SUB_T":1} subscribes (answered {"s":"ok","code":1605,
    ...}); the text "ping" is answered "pong";
  * once subscribed to "orders" / "trades", every status change of an order and every
    trade is pushed as {"s":"ok","orders":{...}} / {"s":"ok","trades":{...}} in the
    server's short names: orders id, org_ord_status, qty, qty_filled, qty_remaining,
    price_traded, price_limit, price_stop, ord_type, tran_side, oms_msg, time_oms,
    ordertag, id_exchange, symbol, product_type; trades id_fill, id, qty_traded,
    price_traded, fill_time, symbol, tran_side, product_type, ordertag.
  * orders move along their behaviour on their own (every 20 ms) while sockets are
    subscribed, so a fill is pushed without a book poll.
Socket faults (POST /_mock/orders/ws, keys merged; GET gives the counters):
  {"silent":true}      subscribed connections get nothing, not even pong
  {"duplicate":true}   every update is pushed twice
  {"refuse":true}      every handshake is refused (401), as for a bad token
  {"drop":true}        the open connections are dropped now (no close frame)
  {"drop_next_subscribe":N}  the next N connections are dropped right after subscribing
  {"push":"text"}      this text to every subscribed connection now (malformed JSON,
                       a message for an unknown order, ...)

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
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wslib  # noqa: E402

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
        self.socks = []          # subscribed wslib.Conn
        self.ws = {"silent": False, "duplicate": False, "refuse": False, "drop_next_subscribe": 0,
                   "connections": 0, "refused": 0, "subscribes": 0, "pings": 0, "pushed": 0}

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
        self.push_trade(tr)
        if o["remainingQuantity"] == 0:
            self.set_status(o, 2, "TRADE CONFIRMED")
        else:
            self.push_order(o)

    # ---- the order-update socket ---------------------------------------------------

    def start_socket(self, port_file):
        wslib.start(port_file, self.on_socket)
        threading.Thread(target=self.tick, daemon=True).start()

    def tick(self):
        while True:
            time.sleep(0.02)
            if self.socks:
                self.advance()

    def push(self, obj_or_text):
        text = obj_or_text if isinstance(obj_or_text, str) else json.dumps(obj_or_text)
        for c in list(self.socks):
            if self.ws["silent"] or not c.open:
                continue
            try:
                for _ in range(2 if self.ws["duplicate"] else 1):
                    c.send_text(text)
                    self.ws["pushed"] += 1
            except wslib.Closed:
                pass

    def push_order(self, o):
        self.push({"s": "ok", "orders": {
            "id": o["id"], "org_ord_status": o["status"], "qty": o["qty"], "qty_filled": o["filledQty"],
            "qty_remaining": o["remainingQuantity"], "price_traded": o["tradedPrice"],
            "price_limit": o.get("limitPrice", 0), "price_stop": o.get("stopPrice", 0),
            "ord_type": o["type"], "tran_side": o["side"], "oms_msg": o.get("message", ""),
            "time_oms": o.get("orderDateTime", ""), "ordertag": o.get("orderTag", ""),
            "id_exchange": o.get("exchOrdId", ""), "symbol": o["symbol"], "product_type": o["productType"]}})

    def push_trade(self, tr):
        self.push({"s": "ok", "trades": {
            "id_fill": tr["tradeNumber"], "id": tr["orderNumber"], "qty_traded": tr["tradedQty"],
            "price_traded": tr["tradePrice"], "fill_time": tr["orderDateTime"], "symbol": tr["symbol"],
            "tran_side": tr["side"], "product_type": tr["productType"], "ordertag": tr["orderTag"]}})

    def on_socket(self, conn):
        """One connection to the order-update socket (in its own thread)."""
        self.ws["connections"] += 1
        if conn.path.split("?")[0] != "/trade/v3" or not conn.is_upgrade():
            return conn.refuse(404, json.dumps(env(-50, "no socket here")))
        if self.ws["refuse"] or not self.st.token_ok(conn.headers.get("authorization")):
            self.ws["refused"] += 1
            return conn.refuse(401, json.dumps(env(-16, "Could not authenticate the user")),
                               reason="Unauthorized")
        conn.accept()
        try:
            while True:
                m = conn.recv()
                if m is None:
                    return
                op, data = m
                text = data.decode("utf-8", "replace")
                if text == "ping":
                    self.ws["pings"] += 1
                    if not self.ws["silent"]:
                        conn.send_text("pong")
                    continue
                self.subscribe(conn, text)
        finally:
            with self.lock:
                if conn in self.socks:
                    self.socks.remove(conn)

    def subscribe(self, conn, text):
        try:
            req = json.loads(text)
        except ValueError:
            return conn.send_text(json.dumps(env(-50, "Invalid request")))
        if not isinstance(req, dict) or req.get("T") != "SUB_ORD" or not isinstance(req.get("SLIST"), list):
            return conn.send_text(json.dumps(env(-50, "Invalid request")))
        with self.lock:
            if req.get("SUB_T") == -1:
                if conn in self.socks:
                    self.socks.remove(conn)
                return conn.send_text(json.dumps(env(1605, "Unsubscribed")))
            self.ws["subscribes"] += 1
            if not self.ws["silent"]:
                conn.send_text(json.dumps(env(1605, "Successfully subscribed")))
            if self.ws["drop_next_subscribe"] > 0:
                self.ws["drop_next_subscribe"] -= 1
                conn.drop()
                return None
            if "orders" in req["SLIST"] or "trades" in req["SLIST"]:
                if conn not in self.socks:
                    self.socks.append(conn)
        return None

    def ws_control(self, b):
        for k in ("silent", "duplicate", "refuse"):
            if k in b:
                self.ws[k] = bool(b[k])
        if "drop_next_subscribe" in b:
            self.ws["drop_next_subscribe"] = int(b["drop_next_subscribe"])
        if b.get("drop"):
            for c in list(self.socks):
                c.drop()
            self.socks.clear()
        if "push" in b:
            silent, self.ws["silent"] = self.ws["silent"], False
            self.push(b["push"])
            self.ws["silent"] = silent
        return dict(self.ws, open=len(self.socks))

    def set_status(self, o, status, message=""):
        o["status"] = status
        o["message"] = message
        o["orderNumStatus"] = f"{o['id']}:{status}"
        self.push_order(o)

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
            if path == "/_mock/orders/ws":
                return self.ws_control(b if isinstance(b, dict) else {})
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

