"""The FYERS market-data socket (HSM) of the mock: binary messages built from the
layout in tests/fixtures/fyers/HSM-LAYOUT.md (itself read from FYERS's SDKs), never
from our client's decoder. Standard library only.

fyers.py hands a WebSocket upgrade of /hsm/v1-5/prod to serve(); a session then
  * reads the auth message (type 1) and checks its hsm_key against the access tokens
    the mock issued (expired or unknown: the reply's field is "invalid hsm_key", not
    "K", and the socket closes);
  * answers the mode message (type 12; 76 lite, 70 full) and subscribe (type 4) with
    "K"; on a subscribe it sends one data feed (type 6) of snapshot records (83), one
    per topic, then plays the script: every step a data feed of full (85) or, in lite
    mode, lite (76) records of the symbols the step moves;
  * logs auth, mode, sub, unsub, ping, ack and close in the mock's "ws" log.

The script is the scenario's "ws_data":
  {"precision": 2, "multiplier": 1,       (of every symbol's snapshot)
   "ack_count": 0,                         (sent in the auth reply)
   "every_ms": 20,                         (between steps)
   "ticks": {"NSE:SBIN-EQ": [{"t": 1709264705, "ltp": 100.0, "vol": 1000,
                              "bid": 99.95, "ask": 100.05, "ft": ...}, null, ...]},
       (step i moves each symbol by its i-th entry; null or a shorter list: no move;
        t is the last trade time and, unless "ft" says otherwise, the feed time;
        the position is shared by all connections, so a reconnect continues the day)
   "conns": [{"silent_after": 3}, {"drop_after": 2}, {}]}
       (per connection, in order of arrival: go silent -- stay open, send and answer
        nothing -- or drop the TCP connection without a close frame, after that many
        steps on it; later connections play normally)
The scenario's top-level "ws_data_conns" and "ws_data_ack_count", when present, stand
for ws_data's "conns" and "ack_count" (POST /_mock/scenario merges top-level keys only).
A top-level "ws_data_upto": K holds the script before step K (the snapshot plays step 0):
the socket stays open and quiet until a later POST /_mock/scenario raises K, so a test
can see what the client wrote from the steps so far, with nothing more to come.
After the last step a socket stays open and quiet, as a market with no trades."""
import queue
import struct
import threading
import time

NO_VALUE = -2147483648
NFIELD = 21
# map.json data_val positions (HSM-LAYOUT.md)
F_LTP, F_VOL, F_LTT, F_FEED, F_BIDQ, F_ASKQ, F_BID, F_ASK = range(8)
F_OPEN, F_PREV = 19, 20

# ---- frames the server sends (HSM-LAYOUT.md "Server -> client") ----------------------


def str8(s):
    b = s.encode() if isinstance(s, str) else s
    return bytes([len(b)]) + b


def field(fid, value):
    return bytes([fid]) + struct.pack(">H", len(value)) + value


def reply(mtype, text, extra=b""):
    """A reply: u16 length, type, field count, field 1 = text (b"K" on success)."""
    body = bytes([mtype, 1 + (1 if extra else 0)]) + field(1, text) + extra
    return struct.pack(">H", len(body)) + body


def auth_reply(ok, ack_count=0):
    return reply(1, b"K" if ok else b"invalid hsm_key", field(2, struct.pack(">I", ack_count)))


def feed(msgnum, records):
    """A data feed: u16, type 6, u32 message number, u16 record count, records."""
    body = bytes([6]) + struct.pack(">IH", msgnum, len(records)) + b"".join(records)
    return struct.pack(">H", len(body)) + body


def i32s(values):
    return b"".join(struct.pack(">i", NO_VALUE if v is None else v) for v in values)


def snapshot(topic_id, topic, values, multiplier, precision, exchange, token, symbol):
    """83: u16 id, str8 topic, u8 count, i32 values, 2 bytes, u16 multiplier,
    u8 precision, str8 exchange, str8 exchange token, str8 symbol."""
    return (bytes([83]) + struct.pack(">H", topic_id) + str8(topic) + bytes([len(values)]) +
            i32s(values) + b"\0\0" + struct.pack(">HB", multiplier, precision) +
            str8(exchange) + str8(token) + str8(symbol))


def full(topic_id, values):
    """85: u16 id, u8 count, i32 values from the first field."""
    return bytes([85]) + struct.pack(">HB", topic_id, len(values)) + i32s(values)


def lite(topic_id, ltp_raw):
    """76: u16 id, i32 ltp."""
    return bytes([76]) + struct.pack(">Hi", topic_id, ltp_raw)


# ---- what the client sends ------------------------------------------------------------------


def parse_client(msg):
    """(type, fields) of a client message; fields is a list of (id, bytes). A ping (type
    11, 3 bytes) has no fields. The leading u16 length is not checked: the SDKs fill it
    unreliably (HSM-LAYOUT.md)."""
    if len(msg) < 3:
        raise ValueError("a message of %d bytes" % len(msg))
    mtype = msg[2]
    if mtype == 11 or len(msg) == 3:
        return mtype, []
    count, off, fields = msg[3], 4, []
    for _ in range(count):
        fid = msg[off]
        (n,) = struct.unpack(">H", msg[off + 1:off + 3])
        fields.append((fid, bytes(msg[off + 3:off + 3 + n])))
        off += 3 + n
    return mtype, fields


def topics_of(value):
    """The subscribe field 1: u16 count, then str8 topics."""
    (n,) = struct.unpack(">H", value[:2])
    off, out = 2, []
    for _ in range(n):
        k = value[off]
        out.append(value[off + 1:off + 1 + k].decode())
        off += 1 + k
    return out


# ---- symbols to topics (HSM-LAYOUT.md "Symbols to topics") ------------------------------

EXCH_SEG = {"1010": "nse_cm", "1011": "nse_fo", "1012": "cde_fo", "1020": "nse_com",
            "1120": "mcx_fo", "1210": "bse_cm", "1211": "bse_fo", "1212": "bcs_fo"}
INDEX_DICT = {"NSE:NIFTY50-INDEX": "Nifty 50", "NSE:NIFTYBANK-INDEX": "Nifty Bank",
              "NSE:FINNIFTY-INDEX": "Nifty Fin Service", "BSE:SENSEX-INDEX": "SENSEX"}


def topic(symbol, fytoken):
    seg = EXCH_SEG[fytoken[:4]]
    if symbol.endswith("-INDEX"):
        return "if|%s|%s" % (seg, INDEX_DICT.get(symbol, symbol.split(":")[1].split("-")[0]))
    return "sf|%s|%s" % (seg, fytoken[10:])


# ---- the script ----------------------------------------------------------------------------


class Script:
    """The day as the scenario scripts it, shared by every connection."""

    def __init__(self, cfg, topic_of):
        self.cfg = cfg
        self.ticks = cfg.get("ticks", {})
        self.topic_sym = {topic_of(s): s for s in self.ticks}
        self.pos = 0                 # steps played
        self.state = {}              # symbol -> the values of its last step (raw i32 list)
        self.lock = threading.Lock()
        self.steps = max((len(v) for v in self.ticks.values()), default=0)

    def scale(self):
        return (10 ** self.cfg.get("precision", 2)) * self.cfg.get("multiplier", 1)

    def raw(self, price):
        return None if price is None else int(round(price * self.scale()))

    def values(self, e):
        v = [None] * NFIELD
        v[F_LTP], v[F_VOL] = self.raw(e.get("ltp")), e.get("vol")
        v[F_LTT], v[F_FEED] = e.get("t"), e.get("ft", e.get("t"))
        v[F_BID], v[F_ASK] = self.raw(e.get("bid")), self.raw(e.get("ask"))
        v[F_BIDQ] = v[F_ASKQ] = 1 if e.get("bid") else None
        v[F_OPEN], v[F_PREV] = self.raw(e.get("open", e.get("ltp"))), self.raw(e.get("prev_close"))
        return v

    def step(self):
        """Plays the next step: {symbol: (old values, new values)}, or None at the end."""
        with self.lock:
            if self.pos >= self.steps:
                return None
            moved = {}
            for s, seq in self.ticks.items():
                if self.pos < len(seq) and seq[self.pos] is not None:
                    new = self.values(seq[self.pos])
                    old = self.state.get(s, [None] * NFIELD)
                    self.state[s] = [n if n is not None else o for o, n in zip(old, new)]
                    moved[s] = (old, self.state[s])
            self.pos += 1
            return moved

    def start(self):
        """Before the first snapshot the first step is played (the day's first quotes)."""
        with self.lock:
            first = self.pos == 0
        if first:
            self.step()


# ---- a session -------------------------------------------------------------------------------


class Session:
    """One client connection. ws: send(bytes), recv(timeout) -> bytes | None (closed)
    | "" (nothing yet), close(), drop()."""

    def __init__(self, ws, st, script, conn_no, log):
        self.ws, self.st, self.script, self.log = ws, st, script, log
        faults = st.scenario.get("ws_data_conns", script.cfg.get("conns")) or []
        self.fault = faults[conn_no] if conn_no < len(faults) else {}
        self.ack_count = st.scenario.get("ws_data_ack_count", script.cfg.get("ack_count", 0))
        self.conn_no = conn_no
        self.lite = False
        self.ids = {}                # topic -> id on this connection
        self.subscribed = []
        self.msgnum = 0
        self.steps_sent = 0
        self.silent = False

    def send_feed(self, records):
        if records:
            self.msgnum += 1
            self.ws.send(feed(self.msgnum, records))
            self.log("feed", num=self.msgnum, records=len(records))

    def snapshot_of(self, topic):
        sym = self.script.topic_sym.get(topic)
        tid = self.ids.setdefault(topic, 0x0100 + len(self.ids))
        values = self.script.state.get(sym) if sym else None
        token = topic.rsplit("|", 1)[-1]
        return snapshot(tid, topic, values or [None] * NFIELD, self.script.cfg.get("multiplier", 1),
                        self.script.cfg.get("precision", 2), "NSE", token, sym or topic)

    def update_of(self, topic, old, new):
        tid = self.ids[topic]
        if self.lite:
            return lite(tid, new[F_LTP]) if new[F_LTP] != old[F_LTP] else None
        changed = [n if n != o else None for o, n in zip(old[:8], new[:8])]
        return full(tid, changed) if any(v is not None for v in changed) else None

    def on_message(self, msg):
        mtype, fields = parse_client(msg)
        f = dict(fields)
        if mtype == 1:
            key = f.get(1, b"").decode(errors="replace")
            good = self.st_key_ok(key)
            self.log("auth", ok=good, source=f.get(4, b"").decode(errors="replace"))
            self.ws.send(auth_reply(good, self.ack_count))
            if not good:
                self.ws.close()
                return False
        elif mtype == 12:
            self.lite = f.get(2, b"F")[:1] == bytes([76])
            self.log("mode", lite=self.lite)
            self.ws.send(reply(12, b"K"))
        elif mtype in (4, 5):
            topics = topics_of(f.get(1, b"\0\0"))
            self.log("sub" if mtype == 4 else "unsub", topics=topics, channel=f.get(2, b"\0")[0])
            self.ws.send(reply(mtype, b"K"))
            if mtype == 4:
                self.script.start()
                self.subscribed += [t for t in topics if t not in self.subscribed]
                self.send_feed([self.snapshot_of(t) for t in topics])
        elif mtype == 11:
            self.log("ping")
        elif mtype == 3:
            self.log("ack", num=struct.unpack(">I", f.get(1, b"\0\0\0\0"))[0])
        return True

    def st_key_ok(self, key):
        now = time.time()
        with self.st.lock:
            return any(i["hsm_key"] == key and not i["revoked"] and i["exp"] > now
                       for i in self.st.access.values())

    def held(self):
        upto = self.st.scenario.get("ws_data_upto")
        return upto is not None and self.script.pos >= upto

    def play_step(self):
        if self.held():
            return
        moved = self.script.step()
        if moved is None:
            return
        recs = []
        for topic in self.subscribed:
            sym = self.script.topic_sym.get(topic)
            if sym in moved:
                r = self.update_of(topic, *moved[sym])
                if r:
                    recs.append(r)
        self.send_feed(recs)
        self.steps_sent += 1

    def fault_now(self):
        if self.fault.get("drop_after") is not None and self.steps_sent >= self.fault["drop_after"]:
            self.log("drop")
            self.ws.drop()
            return True
        if self.fault.get("silent_after") is not None and self.steps_sent >= self.fault["silent_after"]:
            if not self.silent:
                self.log("silent")
                if hasattr(self.ws, "silence"):
                    self.ws.silence()
            self.silent = True
        return False

    def run(self):
        every = self.script.cfg.get("every_ms", 20) / 1000.0
        next_step = time.time() + every
        while True:
            msg = self.ws.recv(max(0.0, next_step - time.time()))
            if msg is None:
                self.log("close")
                return
            if msg and not self.silent and not self.on_message(msg):
                return
            if time.time() >= next_step:
                next_step = time.time() + every
                if self.subscribed and self.fault_now():
                    return
                if self.subscribed and not self.silent:
                    self.play_step()


class WsConn:
    """A wslib.Conn as Session wants it: recv with a timeout (a reader thread queues
    the client's binary messages), sends that report a closed socket as a close."""
    OP_BINARY = 0x2

    def __init__(self, conn):
        self.conn = conn
        self.q = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        while True:
            m = self.conn.recv()
            if m is None:
                self.q.put(None)
                return
            if m[0] == self.OP_BINARY:
                self.q.put(m[1])

    def recv(self, timeout):
        try:
            return self.q.get(timeout=timeout)
        except queue.Empty:
            return b""

    def send(self, data):
        try:
            self.conn.send_binary(data)
        except Exception:     # wslib.Closed: the reader sees the end too
            pass

    def silence(self):
        self.conn.silent = True   # not even a WebSocket pong

    def close(self):
        self.conn.close()
        self.conn.drop()

    def drop(self):
        self.conn.drop()


def run_session(ws, st, fytoken):
    """Serves one upgraded connection (ws as Session wants it) against the scenario;
    fytoken(symbol) is the mock's symbol-token answer."""
    with st.lock:
        if getattr(st, "hsm_script", None) is None:
            st.hsm_script = Script(st.scenario.get("ws_data", {}), lambda s: topic(s, fytoken(s)))
        st.hsm_conns = getattr(st, "hsm_conns", 0) + 1
        conn_no = st.hsm_conns - 1
    script = st.hsm_script

    def log(event, **kw):
        with st.lock:
            e = {"t": time.time(), "path": "/hsm/v1-5/prod", "conn": conn_no + 1, "event": event}
            e.update(kw)
            st.ws_log.append(e)

    Session(ws, st, script, conn_no, log).run()
