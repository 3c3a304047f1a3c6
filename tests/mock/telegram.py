#!/usr/bin/env python3
"""A loopback mock of the Telegram Bot API's sendMessage, plus a webhook sink, for the
tests (Python standard library only).

It follows the Bot API as tests/fixtures/telegram/API.md records it, not our client's
guesses:

  * {BASE}/bot<TOKEN>/<method>, method name case-insensitive, GET or POST, parameters
    in the query string, application/x-www-form-urlencoded or application/json.
  * sendMessage(chat_id, text[, parse_mode, disable_notification]):
      success  HTTP 200 {"ok":true,"result":{"message_id","chat":{"id"},"date","text"}}
      a token other than --token: HTTP 401
               {"ok":false,"error_code":401,"description":"Unauthorized"}
      no chat_id / unknown chat / no text / text over 4096 characters / HTML that
      does not parse: HTTP 400 {"ok":false,"error_code":400,"description":
               "Bad Request: ..."}
      flood control: more than --burst messages within one second to a chat, or more
      than 20 within a minute to a group (negative id): HTTP 429
               {"ok":false,"error_code":429,"description":"Too Many Requests: retry
               after N","parameters":{"retry_after":N}}
    Other methods: 404 {"ok":false,"error_code":404,"description":"Not Found"}.
  * POST /hook/<name>: a webhook (Slack- or Discord-shaped JSON body): 200 "ok".

Control (not Telegram; for the tests):
  GET  /_mock/log     {"requests":[{t,method,chat_id,text,parse_mode,status,error_code,
                       token_ok},...], "messages":[{t,chat_id,text,parse_mode}...],
                       "hooks":[{t,path,body}], "seen":N}
                      (the token itself is never recorded; seen counts the requests (Bot API
                      and webhooks) on arrival, before any delay; no reset clears it)
  POST /_mock/reset   forget the log
  POST /_mock/fault   add a fault rule; POST /_mock/clear clears them. A rule:
      {"times":2 (-1 forever), "after":0 (skip the first N requests),
       "status":500, "description":"...", "retry_after":3,
       "delay_ms":2000 (answer late; alone: a slow but successful server),
       "drop":true (close the connection without a reply)}

With --tls CERT KEY the port speaks https with that certificate (tests/mock/tlsmock.py);
the log then also says "tls": {"connections", "handshake_failures", "handshake_errors"},
counted since the last reset.

Usage: telegram.py --port-file FILE [--port N] [--token T] [--chats ID,ID,...]
                   [--burst N] [--tls CERT KEY]
The port (random, 127.0.0.1, unless --port) is written to FILE once it listens. Chats:
the ids the bot may send to (default: any)."""
import argparse
import html.parser
import http.server
import json
import os
import re
import socketserver
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tlsmock  # noqa: E402

TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "code", "pre", "a",
        "span", "tg-spoiler", "blockquote", "tg-emoji"}
ENTITIES = {"lt", "gt", "amp", "quot"}


class HTMLCheck(html.parser.HTMLParser):
    """Telegram's HTML mode: only some tags, and '<', '>', '&' escaped elsewhere."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.bad = None

    def handle_starttag(self, tag, attrs):
        if tag not in TAGS and not self.bad:
            self.bad = f"Unsupported start tag \"{tag}\""

    def handle_entityref(self, name):
        if name not in ENTITIES and not self.bad:
            self.bad = f"Unsupported entity \"&{name};\""


def html_error(text):
    i = 0
    while True:
        j = text.find("&", i)
        if j < 0:
            break
        k = text.find(";", j)
        name = text[j + 1:k] if k > 0 else ""
        if k < 0 or not (name in ENTITIES or (name.startswith("#") and name[1:].isdigit())):
            return f"can't parse entities: Character '&' is reserved; byte offset {j}"
        i = k + 1
    for m in re.finditer(r"<", text):
        tag = re.match(r"</?([a-z-]+)(\s[^<>]*)?>", text[m.start():])
        if not tag:
            return f"can't parse entities: Unsupported start tag \"\" at byte offset {m.start()}"
        if tag.group(1) not in TAGS:
            return f"can't parse entities: Unsupported start tag \"{tag.group(1)}\" at byte offset {m.start()}"
    if ">" in re.sub(r"</?[a-z-]+(\s[^<>]*)?>", "", text):
        return None   # Telegram accepts a bare '>'
    p = HTMLCheck()
    p.feed(text)
    p.close()
    return f"can't parse entities: {p.bad}" if p.bad else None


class State:
    def __init__(self, args):
        self.lock = threading.Lock()
        self.token = args.token
        self.chats = set(args.chats.split(",")) if args.chats else None
        self.burst = args.burst
        self.log, self.messages, self.hooks, self.faults = [], [], [], []
        self.sent = {}             # chat -> times of accepted messages
        self.seen = 0              # requests seen (for "after")
        self.next_id = 1
        self.tls = tlsmock.counters()

    def fault(self):
        with self.lock:
            self.seen += 1
            for f in self.faults:
                if f.get("after", 0) >= self.seen:
                    continue
                if f.get("times", 1) == 0:
                    continue
                if f.get("times", 1) > 0:
                    f["times"] -= 1
                return dict(f)
        return None

    def flood(self, chat, now):
        """retry_after seconds when this message would break a limit, else 0."""
        times = [t for t in self.sent.get(chat, []) if now - t < 60]
        self.sent[chat] = times
        last_sec = [t for t in times if now - t < 1]
        if len(last_sec) >= self.burst:
            return 1
        if chat.startswith("-") and len(times) >= 20:
            return max(1, int(60 - (now - times[0]) + 0.999))
        return 0


def params_of(handler, raw):
    q = urllib.parse.urlsplit(handler.path).query
    p = {k: v[-1] for k, v in urllib.parse.parse_qs(q, keep_blank_values=True).items()}
    ctype = (handler.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if raw and ctype == "application/json":
        try:
            body = json.loads(raw)
        except ValueError:
            return None
        if not isinstance(body, dict):
            return None
        p.update(body)
    elif raw and ctype == "application/x-www-form-urlencoded":
        p.update({k: v[-1] for k, v in urllib.parse.parse_qs(raw.decode(), keep_blank_values=True).items()})
    return p


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "telegram-mock/1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, obj, headers=None):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def error(self, status, desc, **extra):
        obj = {"ok": False, "error_code": status, "description": desc}
        obj.update(extra)
        self.reply(status, obj)
        return status

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def do_GET(self):
        self.route(b"")

    def do_POST(self):
        self.route(self.body())

    def route(self, raw):
        st = self.server.state
        path = urllib.parse.urlsplit(self.path).path
        if path.startswith("/_mock/"):
            return self.control(path, raw)
        if path.startswith("/hook/"):
            return self.hook(path, raw)
        parts = path.split("/")
        if len(parts) != 3 or not parts[1].startswith("bot"):
            return self.error(404, "Not Found")
        token, method = parts[1][3:], parts[2]
        p = params_of(self, raw)
        entry = {"t": time.time(), "method": method, "token_ok": token == st.token,
                 "chat_id": None, "text": None, "parse_mode": None}
        if isinstance(p, dict):
            entry.update(chat_id=None if p.get("chat_id") is None else str(p.get("chat_id")),
                         text=p.get("text"), parse_mode=p.get("parse_mode"))
        f = st.fault()
        if f and f.get("delay_ms"):
            time.sleep(f["delay_ms"] / 1000.0)
        if f and f.get("drop"):
            entry.update(status=0, error_code=None)
            with st.lock:
                st.log.append(entry)
            self.close_connection = True
            try:
                self.connection.shutdown(2)
            except OSError:
                pass
            return
        status = self.answer(st, f, token, method, p, entry)
        entry["status"] = status
        with st.lock:
            st.log.append(entry)

    def answer(self, st, f, token, method, p, entry):
        if f and f.get("status"):
            extra = {"parameters": {"retry_after": f["retry_after"]}} if "retry_after" in f else {}
            desc = f.get("description") or ("Too Many Requests: retry after %d" % f.get("retry_after", 1)
                                             if f["status"] == 429 else "Internal Server Error")
            entry["error_code"] = f["status"]
            return self.error(f["status"], desc, **extra)
        if token != st.token:
            entry["error_code"] = 401
            return self.error(401, "Unauthorized")
        if method.lower() != "sendmessage":
            entry["error_code"] = 404
            return self.error(404, "Not Found")
        if p is None:
            entry["error_code"] = 400
            return self.error(400, "Bad Request: can't parse request body")
        chat, text, mode = entry["chat_id"], p.get("text"), p.get("parse_mode")
        err = None
        if not chat:
            err = "Bad Request: chat_id is empty"
        elif st.chats is not None and chat not in st.chats:
            err = "Bad Request: chat not found"
        elif not isinstance(text, str) or not text.strip():
            err = "Bad Request: message text is empty"
        elif len(text) > 4096:
            err = "Bad Request: message is too long"
        elif mode not in (None, "", "HTML", "MarkdownV2", "Markdown"):
            err = "Bad Request: unsupported parse_mode"
        elif mode == "HTML":
            bad = html_error(text)
            err = "Bad Request: " + bad if bad else None
        if err:
            entry["error_code"] = 400
            return self.error(400, err)
        with st.lock:
            now = time.time()
            wait = st.flood(chat, now)
            if not wait:
                st.sent.setdefault(chat, []).append(now)
                mid = st.next_id
                st.next_id += 1
                st.messages.append({"t": now, "chat_id": chat, "text": text, "parse_mode": mode})
        if wait:
            entry["error_code"] = 429
            return self.error(429, "Too Many Requests: retry after %d" % wait,
                              parameters={"retry_after": wait})
        entry["error_code"] = None
        chat_obj = {"id": int(chat) if chat.lstrip("-").isdigit() else chat}
        return self.reply(200, {"ok": True, "result": {"message_id": mid, "chat": chat_obj,
                                                       "date": int(now), "text": text}}) or 200

    def hook(self, path, raw):
        st = self.server.state
        f = st.fault()
        if f and f.get("delay_ms"):
            time.sleep(f["delay_ms"] / 1000.0)
        if f and f.get("status"):
            return self.error(f["status"], "fault")
        try:
            body = json.loads(raw)
        except ValueError:
            return self.error(400, "invalid JSON")
        with st.lock:
            st.hooks.append({"t": time.time(), "path": path, "body": body})
        data = b"ok"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def control(self, path, raw):
        st = self.server.state
        with st.lock:
            if path == "/_mock/log":
                log = {"requests": st.log, "messages": st.messages, "hooks": st.hooks,
                       "seen": st.seen}
                if self.server.tls_ctx:
                    log["tls"] = tlsmock.snapshot(st)
                return self.reply(200, log)
            if path == "/_mock/reset":
                st.log, st.messages, st.hooks = [], [], []
                tlsmock.reset(st)
                return self.reply(200, {"ok": True})
            if path == "/_mock/fault":
                st.faults.append(json.loads(raw))
                return self.reply(200, {"ok": True})
            if path == "/_mock/clear":
                st.faults = []
                return self.reply(200, {"ok": True})
        return self.error(404, "Not Found")


class Server(tlsmock.Server, socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--token", default="123456:TEST-TOKEN")
    ap.add_argument("--chats", default="")
    ap.add_argument("--burst", type=int, default=3)
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    args = ap.parse_args()
    srv = Server(("127.0.0.1", args.port), Handler)
    if args.tls:
        srv.tls_ctx = tlsmock.context(*args.tls)
    srv.state = State(args)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, args.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    sys.exit(0)


if __name__ == "__main__":
    main()
