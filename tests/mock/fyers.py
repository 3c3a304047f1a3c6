#!/usr/bin/env python3
"""A loopback mock of the FYERS API v3 for the tests (Python standard library only).

It follows the facts in FYERS-API.md (copied where tests need them into
tests/fixtures/fyers/), not our client's guesses:

  * auth: GET /api/v3/generate-authcode (the "user" logs in at once and is redirected to
    redirect_uri?s=ok&code=200&auth_code=JWT&state=STATE), POST /api/v3/validate-authcode
    ({"grant_type","appIdHash","code"}; -441 no grant_type, -374 no code, -371 bad
    appIdHash, -437 bad or used code), POST /api/v3/validate-refresh-token (-501 bad
    refresh token), POST /api/v3/logout. Tokens are JWTs whose payload carries exp,
    hsm_key and fy_id; access tokens expire at 06:00 IST the next day unless
    --token-ttl says otherwise.
  * every other call needs "Authorization: APP_ID:ACCESS_TOKEN" (no "Bearer"); a bad or
    expired token gets HTTP 401 and -16 "Could not authenticate the user" (-15 "Please
    provide valid token" from quotes, depth and marketStatus, as recorded).
  * GET /api/v3/profile, funds, holdings, positions, orders, tradebook;
    GET /data/quotes (at most 50 symbols, else -351), /data/history (range caps: 100
    days for minute resolutions, 1 year for daily, 30 trading days for seconds;
    range_from > range_to is -356), /data/depth, /data/marketStatus;
    POST /data/symbol-token.
  * replies carry the envelope {"s","code","message"}; errors are {"s":"error",
    "code":<negative>,"message":...} with an HTTP status set.
  * a rate limiter like the broker's (10/s, 200/min, 100,000 a day per app by default):
    over it, HTTP 429, -429 (the day's: -353 "API Limit exceeded (perDay)"), with
    Retry-After and X-Retry-After-Ms headers.
  * WebSocket upgrades of /trade/v3 and /hsm/v1-5/prod are served by fyers_ws.py.
  * orders (place, modify, cancel), the order book, the trade book and net positions
    are served by fyers_orders.py, with per-order broker behaviour (its docstring).

Control (not FYERS; for the tests, and for whoever adds order endpoints):
  GET  /_mock/log              {"requests":[{t,t_reply,method,path,query,conn,status,code,auth},...],
                               (t: when the request arrived, as the broker counts
                               its rate limits; t_reply: when the reply started to go out)
                                "ws":[...socket events...]}
  POST /_mock/reset            forget the log (faults and scenario stay)
  POST /_mock/fault            add a fault rule (JSON below); POST /_mock/clear clears them
  POST /_mock/scenario         merge keys into the scenario (JSON below)
  POST /_mock/expire           every access token issued so far expires now
  GET  /_mock/authcode?state=S an auth code, as the redirect would carry it
  POST /_mock/ws/push          {"path":"/trade/v3","text":"..."} to every open socket of
                               that path (order updates on demand)
A fault rule: {"method":"GET","path":"/data/history","times":2,   (times: -1 = forever)
  (a "code" without a "message" answers the documented words, DATA_ERRORS)
  "status":503, "code":-201, "message":"...", "body":{...} or "raw":"<html>...",
  "delay_ms":1500, "drop":true (close without a reply), "retry_after":1,
  "retry_after_ms":1500, "after":3 (skip the first 3 matching requests)}
The scenario (also --scenario FILE at start):
  {"market_status":[{"exchange":10,"segment":10,"market_type":"NORMAL","status":"OPEN"}],
   "quotes":{"NSE:SBIN-EQ":[{"t":1709264700,"lp":752.1,"volume":1000,"bid":752,"ask":752.2},...]},
      (each /data/quotes call moves every listed symbol one step; after the last step the
       last quote repeats unchanged: a stalled feed. t is when the step's quote is as
       of: FYERS quotes carry no quote time -- their "tt" is the trading day, 00:00 UTC
       of the date -- so the reply says it as the server's clock, its Date header, the
       latest t of the reply's quotes)
   "history":{"NSE:SBIN-EQ":{"base":750.0}}, "holidays":["2024-03-08"],
   "orders":[...], "trades":[...], "positions":[...], "holdings":[...],
   "rate":{"per_sec":10,"per_min":200,"per_day":100000},
   "ws_data":{...}, "ws_order":{...}}   (see fyers_ws.py)

With --tls CERT KEY the port speaks https (and wss) with that certificate; the log then
also says "tls": {"connections": accepted TCP connections, "handshake_failures": those
whose TLS handshake failed (a client that did not trust the certificate), with the
reason of each in "handshake_errors"}, counted since the last reset.

Usage: fyers.py --port-file FILE [--app-id XXXX-100] [--secret S] [--pin 1234]
                [--scenario FILE] [--token-ttl SECONDS] [--tls CERT KEY]
The port (random, 127.0.0.1) is written to FILE once the server listens; the order-update
socket's (fyers_orders.py) to FILE.order-ws before it."""
import argparse
import base64
import datetime
import email.utils
import hashlib
import hmac
import http.server
import json
import os
import secrets
import socketserver
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fyers_orders  # noqa: E402
import fyers_ws  # noqa: E402
import tlsmock  # noqa: E402

IST = datetime.timezone(datetime.timedelta(hours=5, minutes=30))
MINUTE_RES = {"1", "2", "3", "5", "10", "15", "20", "30", "60", "120", "240"}
# The broker's code for a minute range over 100 days, per resolution. FYERS-API.md §2
# gives the block -341…-355 for these caps; its source (nodef/extra-fyers data/errors.csv)
# lists one code a resolution, not one a step, but gives 60 min -353, which §4 (and the
# same file) also documents as the API limit, a rate limit: the mock keeps -353 for
# that, and the 60 min cap takes -350, a free code of the block.
RANGE_CODE = {"1": -341, "2": -343, "3": -344, "5": -345, "10": -346, "15": -347, "20": -348,
              "30": -349, "60": -350, "120": -354, "240": -355}
# The documented errors of the data endpoints, with the broker's words (FYERS-API.md §2,
# §4): what a fault rule with a "code" and no "message" answers.
DATA_ERRORS = {-50: "Invalid params", -300: "Invalid symbol provided",
               -339: "The range cannot be more than 1 year for day resolution",
               -342: "The range cannot be more than 100 days for minute resolution",
               -351: "Please provide less than 50 symbols", -352: "Invalid app id",
               -353: "API Limit exceeded (perDay)",
               -356: "The range_from value cannot be greater than range_to value",
               -429: "request limit reached"}
DATA_ERRORS.update({c: "The range cannot be more than 100 days for %s min resolution" % r
                    for r, c in RANGE_CODE.items()})
SECOND_RES = {"5S", "10S", "15S", "30S", "45S"}
DAILY_RES = {"D", "1D"}


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


class State:
    def __init__(self, args):
        self.lock = threading.RLock()
        self.app_id = args.app_id
        self.secret = args.secret
        self.pin = args.pin
        self.token_ttl = args.token_ttl
        self.key = secrets.token_bytes(32)
        self.codes = {}          # auth code -> used?
        self.access = {}         # token -> {"exp":..., "hsm_key":..., "revoked":bool}
        self.refresh = {}        # token -> exp
        self.log = []
        self.ws_log = []
        self.faults = []
        self.conns = 0
        self.tls = tlsmock.counters()
        self.rate_times = []
        self.quote_step = {}
        self.scenario = {"market_status": [
            {"exchange": 10, "segment": 10, "market_type": "NORMAL", "status": "OPEN"},
            {"exchange": 10, "segment": 11, "market_type": "NORMAL", "status": "OPEN"},
            {"exchange": 12, "segment": 10, "market_type": "NORMAL", "status": "OPEN"},
            {"exchange": 11, "segment": 20, "market_type": "NORMAL", "status": "OPEN"}]}
        if args.scenario:
            with open(args.scenario) as f:
                self.scenario.update(json.load(f))
        self.ws_clients = []     # (path, fyers_ws.Conn)
        self.book = fyers_orders.Book(self)

    def jwt(self, payload):
        head = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        body = b64url(json.dumps(payload, separators=(",", ":")).encode())
        sig = hmac.new(self.key, f"{head}.{body}".encode(), hashlib.sha256).digest()
        return f"{head}.{body}.{b64url(sig)}"

    def access_exp(self, now):
        if self.token_ttl:
            return int(now) + self.token_ttl
        t = datetime.datetime.fromtimestamp(now, IST) + datetime.timedelta(days=1)
        return int(t.replace(hour=6, minute=0, second=0, microsecond=0).timestamp())

    def issue(self):
        now = time.time()
        exp = self.access_exp(now)
        hsm = secrets.token_hex(20)
        tok = self.jwt({"iss": "api.fyers.in", "iat": int(now), "exp": exp, "nbf": int(now),
                        "sub": "access_token", "hsm_key": hsm, "fy_id": "XA00001",
                        "display_name": "TEST USER", "appType": 100, "poa_flag": "N"})
        self.access[tok] = {"exp": exp, "hsm_key": hsm, "revoked": False}
        rexp = int(now) + 15 * 86400
        rtok = self.jwt({"iss": "api.fyers.in", "iat": int(now), "exp": rexp,
                         "sub": "refresh_token", "fy_id": "XA00001"})
        self.refresh[rtok] = rexp
        return tok, rtok

    def token_ok(self, header):
        if not header or ":" not in header:
            return None
        app, tok = header.split(":", 1)
        info = self.access.get(tok)
        if app != self.app_id or not info or info["revoked"] or info["exp"] <= time.time():
            return None
        return info


def envelope(code, message, **extra):
    d = {"s": "ok" if code > 0 else "error", "code": code, "message": message}
    d.update(extra)
    return d


def ist_day_bounds(epoch):
    d = datetime.datetime.fromtimestamp(epoch, IST).date()
    return d


def price_at(base, ts, k):
    """A deterministic price path: a few rupees of wiggle around base, in paise."""
    x = (ts // 60) * 2654435761 + k * 40503
    wiggle = (x % 1000) - 500          # -5.00 .. +4.99 rupees
    return round(base + wiggle / 100.0, 2)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # TCP_NODELAY, as a real server's: without it a reply's body (or a socket's message
    # after a small one) waits for the client's delayed ACK, 40 ms, which is the mock's
    disable_nagle_algorithm = True
    server_version = "fyers-mock/1"

    def log_message(self, fmt, *args):
        pass

    def setup(self):
        super().setup()
        st = self.server.state
        with st.lock:
            st.conns += 1
            self.conn_id = st.conns

    # ---- plumbing ----------------------------------------------------------------

    def body_json(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        self.raw_body = raw
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            return "not json"

    def date_time_string(self, timestamp=None):
        """The Date header: the scripted time a reply's quotes are as of, else now."""
        as_of = getattr(self, "as_of", None)
        return email.utils.formatdate(as_of, usegmt=True) if as_of else super().date_time_string(timestamp)

    def send(self, status, obj=None, raw=None, headers=None):
        data = raw.encode() if raw is not None else json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json" if raw is None else "text/html")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.t_reply = time.time()
        self.wfile.write(data)
        self.as_of = None
        self.record(status, obj)

    def record(self, status, obj):
        st = self.server.state
        code = obj.get("code") if isinstance(obj, dict) else None
        with st.lock:
            st.log.append({"t": getattr(self, "t_arrival", time.time()), "t_reply": getattr(self, "t_reply", None),
                           "method": self.command, "path": self.path_only,
                           "query": self.query, "conn": self.conn_id, "status": status,
                           "code": code, "auth": bool(self.headers.get("Authorization")),
                           "agent": self.headers.get("User-Agent", ""), "body": self.body_obj})

    def apply_fault(self):
        st = self.server.state
        with st.lock:
            rule = None
            for r in st.faults:
                if r.get("method", self.command) != self.command:
                    continue
                if not self.path_only.startswith(r.get("path", "/")):
                    continue
                if r.get("after", 0) > 0:
                    r["after"] -= 1
                    continue
                if r.get("times", 1) == 0:
                    continue
                if r.get("times", 1) > 0:
                    r["times"] = r.get("times", 1) - 1
                rule = dict(r)
                break
        if not rule:
            return False
        if rule.get("delay_ms"):
            time.sleep(rule["delay_ms"] / 1000.0)
        if rule.get("drop"):
            self.record(0, None)
            self.close_connection = True
            try:
                self.connection.shutdown(2)
            except OSError:
                pass
            return True
        if not rule.get("status") and not rule.get("code") and "raw" not in rule and "body" not in rule:
            return False          # a pure delay
        headers = {}
        if "retry_after" in rule:
            headers["Retry-After"] = str(rule["retry_after"])
        if "retry_after_ms" in rule:
            headers["X-Retry-After-Ms"] = str(rule["retry_after_ms"])
        status = rule.get("status", 400)
        if "raw" in rule:
            self.send(status, None, raw=rule["raw"], headers=headers)
        else:
            code = rule.get("code", -50)
            body = rule.get("body") or envelope(code, rule.get("message", DATA_ERRORS.get(code, "mock fault")))
            self.send(status, body, headers=headers)
        return True

    def rate_limited(self):
        """None, or the reply to a call over the broker's limits (FYERS-API.md §4: 10/s,
        200/min, 100,000 a day; the scenario's "rate" may lower them): HTTP 429 with -429
        over the second's or the minute's, -353 "API Limit exceeded (perDay)" over the
        day's; Retry-After either way (the day's: until the next IST midnight)."""
        st = self.server.state
        lim = st.scenario.get("rate", {})
        per_sec, per_min, per_day = lim.get("per_sec", 10), lim.get("per_min", 200), lim.get("per_day", 100000)
        now = time.time()
        with st.lock:
            st.rate_day = getattr(st, "rate_day", 0) + 1
            st.rate_times = [t for t in st.rate_times if t > now - 60]
            last_sec = sum(1 for t in st.rate_times if t > now - 1)
            st.rate_times.append(now)
            if st.rate_day > per_day:
                t = datetime.datetime.fromtimestamp(now, IST)
                midnight = datetime.datetime(t.year, t.month, t.day, tzinfo=IST) + datetime.timedelta(days=1)
                wait = int(midnight.timestamp() - now) + 1
                return -353, {"Retry-After": str(wait), "X-Retry-After-Ms": str(wait * 1000)}
            if last_sec >= per_sec or len(st.rate_times) > per_min:
                return -429, {"Retry-After": "1", "X-Retry-After-Ms": "1000"}
        return None

    # ---- dispatch -------------------------------------------------------------------

    def handle_any(self):
        self.t_arrival = time.time()
        u = urllib.parse.urlsplit(self.path)
        self.path_only = u.path
        self.query = u.query
        self.q = {k: v[0] for k, v in urllib.parse.parse_qs(u.query, keep_blank_values=True).items()}
        self.body_obj = self.body_json() if self.command != "GET" else None
        st = self.server.state
        if self.path_only.startswith("/_mock/"):
            return self.control()
        if self.headers.get("Upgrade", "").lower() == "websocket":
            self.body_obj = None
            return fyers_ws.serve(self, st, fytoken)
        if self.apply_fault():
            return
        limited = self.path_only not in ("/api/v3/generate-authcode",) and self.rate_limited()
        if limited:
            return self.send(429, envelope(limited[0], DATA_ERRORS[limited[0]]), headers=limited[1])
        routes = {
            ("GET", "/api/v3/generate-authcode"): self.generate_authcode,
            ("POST", "/api/v3/validate-authcode"): self.validate_authcode,
            ("POST", "/api/v3/validate-refresh-token"): self.validate_refresh,
            ("POST", "/api/v3/logout"): self.logout,
            ("GET", "/api/v3/profile"): self.profile,
            ("GET", "/api/v3/funds"): self.funds,
            ("GET", "/api/v3/holdings"): lambda: self.listing("holdings", "holdings"),
            ("GET", "/api/v3/positions"): self.positions,
            ("GET", "/api/v3/orders"): lambda: self.listing("orders", "orderBook"),
            ("GET", "/api/v3/tradebook"): lambda: self.listing("trades", "tradeBook"),
            ("GET", "/data/quotes"): self.quotes,
            ("GET", "/data/history"): self.history,
            ("GET", "/data/depth"): self.depth,
            ("GET", "/data/marketStatus"): self.market_status,
            ("POST", "/data/symbol-token"): self.symbol_token,
        }
        routes.update(fyers_orders.routes(self, st.book))
        fn = routes.get((self.command, self.path_only))
        if not fn:
            return self.send(404, envelope(-50, "invalid endpoint"))
        return fn()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any

    def need_token(self, code=-16, message="Could not authenticate the user"):
        info = self.server.state.token_ok(self.headers.get("Authorization"))
        if info is None:
            self.send(401, envelope(code, message))
        return info

    # ---- control ---------------------------------------------------------------------

    def control(self):
        st = self.server.state
        p = self.path_only
        b = self.body_obj if isinstance(self.body_obj, dict) else {}
        obj = st.book.control(p, self.body_obj) if p.startswith("/_mock/orders") else None
        with st.lock:
            if obj is not None:
                pass
            elif p == "/_mock/log":
                obj = {"requests": list(st.log), "ws": list(st.ws_log)}
                if self.server.tls_ctx:
                    obj["tls"] = tlsmock.snapshot(st)
            elif p == "/_mock/reset":
                st.log.clear()
                st.ws_log.clear()
                tlsmock.reset(st)
                obj = {"ok": True}
            elif p == "/_mock/fault":
                st.faults.append(b)
                obj = {"ok": True}
            elif p == "/_mock/clear":
                st.faults.clear()
                obj = {"ok": True}
            elif p == "/_mock/scenario":
                st.scenario.update(b)
                if "quotes" in b:
                    st.quote_step.clear()
                obj = {"ok": True}
            elif p == "/_mock/expire":
                for info in st.access.values():
                    info["exp"] = int(time.time()) - 1
                obj = {"ok": True}
            elif p == "/_mock/authcode":
                obj = {"auth_code": self.new_code()}
            elif p == "/_mock/ws/push":
                n = fyers_ws.push(st, b.get("path", "/trade/v3"), b.get("text"), b.get("close", False))
                obj = {"ok": True, "sent": n}
            else:
                obj = {"error": "unknown control " + p}
        data = json.dumps(obj).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    # ---- auth ---------------------------------------------------------------------

    def new_code(self):
        st = self.server.state
        now = int(time.time())
        code = st.jwt({"iss": "api.fyers.in", "iat": now, "exp": now + 30000, "sub": "auth_code",
                       "app_id": st.app_id, "nonce": secrets.token_hex(4)})
        st.codes[code] = False
        return code

    def generate_authcode(self):
        st = self.server.state
        q = self.q
        if q.get("client_id") != st.app_id:
            return self.send(400, envelope(-352, "Invalid app id"))
        if q.get("response_type") != "code" or not q.get("redirect_uri"):
            return self.send(400, envelope(-50, "Invalid parameters"))
        code = self.new_code()
        loc = q["redirect_uri"] + ("&" if "?" in q["redirect_uri"] else "?") + urllib.parse.urlencode(
            {"s": "ok", "code": "200", "auth_code": code, "state": q.get("state", "")})
        self.send_response(302)
        self.send_header("Location", loc)
        self.send_header("Content-Length", "0")
        self.end_headers()
        self.record(302, None)

    def app_hash(self):
        st = self.server.state
        return hashlib.sha256(f"{st.app_id}:{st.secret}".encode()).hexdigest()

    def validate_authcode(self):
        st = self.server.state
        b = self.body_obj if isinstance(self.body_obj, dict) else {}
        if b.get("grant_type") != "authorization_code":
            return self.send(400, envelope(-441, "invalid grant type"))
        if not b.get("code"):
            return self.send(400, envelope(-374, "auth code is missing"))
        if b.get("appIdHash") != self.app_hash():
            return self.send(400, envelope(-371, "invalid app id hash"))
        with st.lock:
            if st.codes.get(b["code"]) is not False:
                return self.send(400, envelope(-437, "invalid auth code"))
            st.codes[b["code"]] = True
            tok, rtok = st.issue()
        return self.send(200, envelope(200, "", access_token=tok, refresh_token=rtok))

    def validate_refresh(self):
        st = self.server.state
        b = self.body_obj if isinstance(self.body_obj, dict) else {}
        if b.get("grant_type") != "refresh_token":
            return self.send(400, envelope(-441, "invalid grant type"))
        if b.get("appIdHash") != self.app_hash():
            return self.send(400, envelope(-371, "invalid app id hash"))
        with st.lock:
            exp = st.refresh.get(b.get("refresh_token"))
            if not exp or exp <= time.time():
                return self.send(400, envelope(-501, "Please provide valid refresh token"))
            # The broker's code for a wrong PIN is not recorded; -501 keeps it an auth error.
            if str(b.get("pin")) != st.pin:
                return self.send(400, envelope(-501, "Please provide valid pin"))
            tok, _ = st.issue()
        return self.send(200, envelope(200, "", access_token=tok))

    def logout(self):
        st = self.server.state
        info = st.token_ok(self.headers.get("Authorization"))
        if info is None:
            return self.send(401, envelope(-16, "Token is Invalid or Expired"))
        info["revoked"] = True
        return self.send(200, envelope(200, "logout successful"))

    # ---- account -------------------------------------------------------------------------

    def profile(self):
        if self.need_token():
            self.send(200, envelope(200, "", data={
                "fy_id": "XA00001", "name": "TEST USER", "display_name": "TEST USER",
                "email_id": "test@example.com", "PAN": "ABCDE1234F", "mobile_number": "9999999999",
                "totp": False, "pwd_to_expire": 90}))

    def funds(self):
        if self.need_token():
            rows = self.server.state.scenario.get("funds") or [
                {"id": 1, "title": "Total Balance", "equityAmount": 100000.5, "commodityAmount": 0},
                {"id": 10, "title": "Available Balance", "equityAmount": 95000.25, "commodityAmount": 0}]
            self.send(200, envelope(200, "", fund_limit=rows))

    def listing(self, key, field):
        if self.need_token():
            self.send(200, envelope(200, "", **{field: self.server.state.scenario.get(key, [])}))

    def positions(self):
        if self.need_token():
            rows = self.server.state.scenario.get("positions", [])
            self.send(200, envelope(200, "", netPositions=rows, overall={
                "count_total": len(rows), "count_open": sum(1 for r in rows if r.get("netQty")),
                "pl_total": 0, "pl_realized": 0, "pl_unrealized": 0}))

    # ---- market data -----------------------------------------------------------------------

    def market_status(self):
        if self.need_token(-15, "Please provide valid token"):
            self.send(200, envelope(200, "", marketStatus=self.server.state.scenario["market_status"]))

    def quotes(self):
        st = self.server.state
        if not self.need_token(-15, "Please provide valid token"):
            return
        syms = [s for s in self.q.get("symbols", "").split(",") if s]
        if not syms:
            return self.send(400, envelope(-50, "Please provide symbols"))
        if len(syms) > 50:
            return self.send(400, envelope(-351, "Please provide less than 50 symbols"))
        script = st.scenario.get("quotes", {})
        d = []
        with st.lock:
            for s in syms:
                if not s.startswith(("NSE:", "BSE:", "MCX:")):
                    d.append({"n": s, "s": "error", "v": {"errmsg": "invalid symbol"}})
                    continue
                seq = script.get(s)
                if seq:
                    i = st.quote_step.get(s, 0)
                    q = dict(seq[min(i, len(seq) - 1)])
                    st.quote_step[s] = i + 1
                    self.as_of = max(getattr(self, "as_of", 0) or 0, q.get("t", 0)) or None
                else:
                    now = int(time.time())
                    lp = price_at(500.0, now, 0)
                    q = {"t": now, "lp": lp, "volume": 1000 + now % 100000, "bid": lp, "ask": lp}
                v = {"ch": 0, "chp": 0, "lp": q["lp"], "spread": 0, "ask": q.get("ask", q["lp"]),
                     "bid": q.get("bid", q["lp"]), "open_price": q.get("open", q["lp"]),
                     "high_price": q.get("high", q["lp"]), "low_price": q.get("low", q["lp"]),
                     "prev_close_price": q.get("prev_close", q["lp"]), "atp": q["lp"],
                     "volume": q.get("volume", 0), "short_name": s.split(":")[1],
                     "exchange": s.split(":")[0], "description": s, "original_name": s,
                     "symbol": s, "fyToken": fytoken(s), "tt": trading_day(q.get("t") or time.time())}
                d.append({"n": s, "s": "ok", "v": v})
        if all(x["s"] == "error" for x in d):
            return self.send(400, envelope(-300, "Please provide a valid symbol"))
        self.send(200, envelope(200, "", d=d))

    def depth(self):
        if not self.need_token(-15, "Please provide valid token"):
            return
        s = self.q.get("symbol", "")
        lp = price_at(500.0, int(time.time()), 0)
        self.send(200, envelope(200, "", d={s: {
            "totalbuyqty": 100, "totalsellqty": 100, "bids": [{"price": lp, "volume": 10, "ord": 1}],
            "ask": [{"price": lp, "volume": 10, "ord": 1}], "o": lp, "h": lp, "l": lp, "c": lp,
            "ltp": lp, "ltq": 1, "ltt": int(time.time()), "v": 1000, "atp": lp}}))

    def symbol_token(self):
        if not self.need_token():
            return
        b = self.body_obj if isinstance(self.body_obj, dict) else {}
        valid, invalid = {}, []
        for s in b.get("symbols", []):
            if isinstance(s, str) and s.startswith(("NSE:", "BSE:", "MCX:")) and "BAD" not in s:
                valid[s] = fytoken(s)
            else:
                invalid.append(s)
        # the server's clock (the Date header) is the scripted day's, as a replayed
        # market's would be: the first time ws_data's script gives
        firsts = [seq[0]["t"] for seq in self.server.state.scenario.get("ws_data", {}).get("ticks", {}).values()
                  if seq and seq[0] and "t" in seq[0]]
        self.as_of = min(firsts) if firsts else None
        self.send(200, envelope(200, "", validSymbol=valid, invalidSymbol=invalid))

    def history(self):
        st = self.server.state
        if not self.need_token():
            return
        q = self.q
        sym, res = q.get("symbol", ""), q.get("resolution", "")
        if not sym.startswith(("NSE:", "BSE:", "MCX:")) or "BAD" in sym:
            return self.send(400, envelope(-300, "Invalid symbol provided"))
        if res not in MINUTE_RES | SECOND_RES | DAILY_RES:
            return self.send(400, envelope(-50, "Invalid resolution"))
        try:
            if q.get("date_format", "0") == "1":
                a = datetime.datetime.strptime(q["range_from"], "%Y-%m-%d").replace(tzinfo=IST).timestamp()
                b = datetime.datetime.strptime(q["range_to"], "%Y-%m-%d").replace(tzinfo=IST).timestamp() + 86399
            else:
                a, b = int(q["range_from"]), int(q["range_to"])
        except (KeyError, ValueError):
            return self.send(400, envelope(-50, "Invalid range"))
        if a > b:
            return self.send(400, envelope(-356, "The range_from value cannot be greater than range_to value"))
        days = (b - a) / 86400.0
        holidays = set(st.scenario.get("holidays", []))
        if res in MINUTE_RES and days > 100:
            return self.send(400, envelope(RANGE_CODE[res], "The range cannot be more than 100 days for %s min resolution" % res))
        if res in DAILY_RES and days > 366:
            return self.send(400, envelope(-339, "The range cannot be more than 1 year for day resolution"))
        if res in SECOND_RES and trading_days(a, b, holidays) > 30:
            # no code is documented for this cap (FYERS-API.md: openalgo PR #544 gives only
            # the limit); -50, invalid params, is the broker's generic one
            return self.send(400, envelope(-50, "The range cannot be more than 30 trading days for seconds resolution"))
        base = st.scenario.get("history", {}).get(sym, {}).get("base", 500.0)
        self.send(200, {"s": "ok", "code": 200, "message": "",
                        "candles": candles(sym, res, a, b, base, holidays, q.get("cont_flag") == "1")})


def trading_day(epoch):
    """A quote's "tt" as FYERS writes it: the IST trading date at 00:00 UTC, a string
    (public samples: "1623369600", "1622160000")."""
    d = datetime.datetime.fromtimestamp(epoch, IST).date()
    return str(int(datetime.datetime(d.year, d.month, d.day, tzinfo=datetime.timezone.utc).timestamp()))


def fytoken(sym):
    ex = sym.split(":")[0]
    seg = {"NSE": "1010", "BSE": "1210", "MCX": "1120"}.get(ex, "1010")
    if ex == "NSE" and sym.endswith("FUT"):
        seg = "1011"
    n = int(hashlib.sha256(sym.encode()).hexdigest(), 16) % 90000 + 1000
    return f"{seg}000000{n}"


def trading_days(a, b, holidays):
    d, end, n = ist_day_bounds(a), ist_day_bounds(b), 0
    while d <= end:
        if d.weekday() < 5 and d.isoformat() not in holidays:
            n += 1
        d += datetime.timedelta(days=1)
    return n


def candles(sym, res, a, b, base, holidays, cont):
    """Candles for every session bar in [a, b] (both ends inclusive): NSE hours 09:15 to
    15:30 IST on weekdays that are not holidays."""
    k = sum(sym.encode()) + (7 if cont else 0)
    out = []
    if res in DAILY_RES:
        step = 86400
    elif res in SECOND_RES:
        step = int(res[:-1])
    else:
        step = int(res) * 60
    d, end = ist_day_bounds(a), ist_day_bounds(b)
    while d <= end:
        if d.weekday() < 5 and d.isoformat() not in holidays:
            open_ = datetime.datetime(d.year, d.month, d.day, 9, 15, tzinfo=IST).timestamp()
            close = open_ + 375 * 60
            if res in DAILY_RES:
                times = [int(datetime.datetime(d.year, d.month, d.day, tzinfo=IST).timestamp())]
            else:
                times = range(int(open_), int(close), step)
            for t in times:
                if a <= t <= b:
                    o = price_at(base, t, k)
                    c = price_at(base, t + 30, k)
                    h = round(max(o, c) + 0.5, 2)
                    lo = round(min(o, c) - 0.5, 2)
                    v = 1000 + (t // 60) % 977
                    out.append([t, o, h, lo, c, v])
        d += datetime.timedelta(days=1)
    return out


class Server(tlsmock.Server, socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--app-id", default="TESTAPP-100")
    ap.add_argument("--secret", default="mock-secret")
    ap.add_argument("--pin", default="1234")
    ap.add_argument("--scenario")
    ap.add_argument("--token-ttl", type=int, default=0)
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    args = ap.parse_args()
    srv = Server(("127.0.0.1", 0), Handler)
    if args.tls:
        srv.tls_ctx = tlsmock.context(*args.tls)
    srv.state = State(args)
    srv.state.book.start_socket(args.port_file + ".order-ws")
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, args.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
