"""A WebSocket server side (RFC 6455) for the test mocks, standard library only.

What it does: the opening handshake (Sec-WebSocket-Accept = base64(SHA-1(key + GUID)),
a refusal with any HTTP status instead), text and binary frames of any length (7-bit,
16-bit and 64-bit lengths; client frames must be masked, RFC 6455 §5.1), fragmented
messages (continuation frames), ping answered by pong, close answered by close, and the
faults a test cues: go silent (read on, answer nothing, not even pong) and drop the TCP
connection without a close frame.

Two ways in:
  * serve(port_file, on_conn) / start(port_file, on_conn) (in a thread): a threaded
    server of its own on 127.0.0.1, port 0; the port is written to port_file.
    on_conn(conn) runs in the connection's thread, after the handshake request is
    read: it calls conn.accept() or conn.refuse(...), then loops on conn.recv().
  * Conn.from_handler(h): an http.server.BaseHTTPRequestHandler whose request is an
    upgrade (h.path, h.headers already parsed) becomes a Conn.

Run as a program it is an echo server for tests/unit/test_ws.c (see echo() below)."""
import base64
import hashlib
import json
import os
import socket
import socketserver
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tlsmock  # noqa: E402

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


def accept_key(key):
    return base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()


def unmask(data, key):
    n = len(data)
    if n == 0:
        return data
    k = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(data, "big") ^ int.from_bytes(k, "big")).to_bytes(n, "big")


def frame(opcode, payload, fin=True):
    """A server frame (unmasked)."""
    b0 = (0x80 if fin else 0) | opcode
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", b0, n)
    elif n < 65536:
        head = struct.pack("!BBH", b0, 126, n)
    else:
        head = struct.pack("!BBQ", b0, 127, n)
    return head + payload


class Closed(Exception):
    pass


class Conn:
    """One server-side connection. Sends are safe from any thread."""

    def __init__(self, sock, rfile, path, headers):
        self.sock = sock
        self.rfile = rfile          # buffered reader over sock (the request was read from it)
        self.path = path
        self.headers = headers      # dict, lower-case names
        self.lock = threading.Lock()
        self.silent = False         # cued: answer nothing more, not even pong
        self.open = False
        self.close_code = None      # the client's close code, once it closed

    # ---- ways in ---------------------------------------------------------------

    @classmethod
    def from_handler(cls, h):
        headers = {k.lower(): v for k, v in h.headers.items()}
        return cls(h.connection, h.rfile, h.path, headers)

    @classmethod
    def from_socket(cls, sock):
        rfile = sock.makefile("rb")
        line = rfile.readline(65536).decode("latin-1")
        parts = line.split()
        if len(parts) < 2:
            raise Closed("no request line")
        headers = {}
        while True:
            h = rfile.readline(65536).decode("latin-1")
            if h in ("\r\n", "\n", ""):
                break
            k, _, v = h.partition(":")
            headers[k.strip().lower()] = v.strip()
        return cls(sock, rfile, parts[1], headers)

    # ---- handshake -------------------------------------------------------------

    def is_upgrade(self):
        return (self.headers.get("upgrade", "").lower() == "websocket"
                and "sec-websocket-key" in self.headers)

    def accept(self):
        key = self.headers.get("sec-websocket-key", "")
        resp = ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n" % accept_key(key))
        self._write(resp.encode())
        self.open = True

    def refuse(self, status, body=b"", reason="Refused"):
        if isinstance(body, str):
            body = body.encode()
        resp = ("HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
                "Connection: close\r\n\r\n" % (status, reason, len(body))).encode() + body
        self._write(resp)
        self.drop()

    # ---- sending ---------------------------------------------------------------

    def _write(self, data):
        with self.lock:
            try:
                self.sock.sendall(data)
            except OSError:
                self.open = False
                raise Closed("send failed")

    def send_text(self, text):
        if not self.silent:
            self._write(frame(OP_TEXT, text.encode() if isinstance(text, str) else text))

    def send_binary(self, data):
        if not self.silent:
            self._write(frame(OP_BINARY, bytes(data)))

    def send_fragmented(self, opcode, data, pieces):
        """One message as several frames (the first with opcode, then continuations)."""
        step = max(1, (len(data) + pieces - 1) // pieces)
        chunks = [data[i:i + step] for i in range(0, len(data), step)] or [b""]
        for i, c in enumerate(chunks):
            self._write(frame(opcode if i == 0 else OP_CONT, c, fin=(i == len(chunks) - 1)))

    def ping(self, data=b""):
        self._write(frame(OP_PING, data))

    def close(self, code=1000, reason=""):
        try:
            self._write(frame(OP_CLOSE, struct.pack("!H", code) + reason.encode()))
        except Closed:
            pass
        self.open = False

    def drop(self):
        """Ends the TCP connection at once, no close frame (a broken network)."""
        self.open = False
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            self.sock.close()
        except OSError:
            pass

    # ---- receiving -------------------------------------------------------------

    def _read(self, n):
        data = self.rfile.read(n)
        if data is None or len(data) < n:
            raise Closed("connection ended")
        return data

    def _frame(self):
        b0, b1 = self._read(2)
        fin, opcode = b0 & 0x80, b0 & 0x0F
        masked, n = b1 & 0x80, b1 & 0x7F
        if n == 126:
            n = struct.unpack("!H", self._read(2))[0]
        elif n == 127:
            n = struct.unpack("!Q", self._read(8))[0]
        if not masked:
            self.close(1002, "client frames must be masked")
            raise Closed("unmasked client frame")
        key = self._read(4)
        return bool(fin), opcode, unmask(self._read(n), key)

    def recv(self):
        """The next message as (opcode, bytes): OP_TEXT or OP_BINARY; pings are answered
        (unless silent) and pongs skipped on the way. None when the connection ended
        (a close from the client is answered first)."""
        parts, op = [], None
        try:
            while True:
                fin, opcode, payload = self._frame()
                if opcode == OP_PING:
                    if not self.silent:
                        self._write(frame(OP_PONG, payload))
                    continue
                if opcode == OP_PONG:
                    continue
                if opcode == OP_CLOSE:
                    self.close_code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
                    if not self.silent:
                        self.close(self.close_code if self.close_code != 1005 else 1000)
                    self.drop()
                    return None
                if opcode in (OP_TEXT, OP_BINARY):
                    op, parts = opcode, [payload]
                elif opcode == OP_CONT and op is not None:
                    parts.append(payload)
                else:
                    self.close(1002, "unexpected opcode")
                    self.drop()
                    return None
                if fin:
                    return op, b"".join(parts)
        except (Closed, OSError, ValueError):
            self.open = False
            return None


class _Server(tlsmock.Server, socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


def make_server(on_conn, host="127.0.0.1"):
    """A listening server on host, port 0 (not serving yet): every connection's
    handshake request is read into a Conn and handed to on_conn(conn) in its own
    thread; the connection is dropped when on_conn returns."""

    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            try:
                conn = Conn.from_socket(self.request)
            except (Closed, OSError):
                return
            try:
                on_conn(conn)
            finally:
                conn.drop()

    return _Server((host, 0), Handler)


def serve(port_file, on_conn, host="127.0.0.1"):
    """Serves forever (see make_server); the port is written to port_file once
    listening (atomically: a reader never sees half a number)."""
    srv = make_server(on_conn, host)
    write_port(port_file, srv.server_address[1])
    srv.serve_forever()


def start(port_file, on_conn, host="127.0.0.1"):
    """Like serve, in a daemon thread; returns once the port is written (the server)."""
    srv = make_server(on_conn, host)
    write_port(port_file, srv.server_address[1])
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def write_port(path, port):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.replace(tmp, path)


# ---- the echo server of tests/unit/test_ws.c ---------------------------------------

def echo(conn):
    """Echoes every message with its type. Text commands cue the rest:
    "headers" -> the request's headers as JSON text; "big N" -> a binary message of N
    bytes (byte i = i % 251); "frag N" -> a text message of N bytes in 3 fragments;
    "close" -> a close frame (1000); "drop" -> the TCP connection ends, no close frame;
    "silent" -> nothing more is answered, not even ping. Path /refuse -> HTTP 403."""
    if conn.path.startswith("/refuse"):
        conn.refuse(403, json.dumps({"s": "error", "message": "refused"}))
        return
    if not conn.is_upgrade():
        conn.refuse(400, "not a websocket upgrade")
        return
    conn.accept()
    while True:
        m = conn.recv()
        if m is None:
            return
        op, data = m
        if conn.silent:
            continue
        text = data.decode("utf-8", "replace") if op == OP_TEXT else None
        if text == "headers":
            conn.send_text(json.dumps(conn.headers, sort_keys=True))
        elif text is not None and text.startswith("big "):
            n = int(text[4:])
            conn.send_binary(bytes(i % 251 for i in range(n)))
        elif text is not None and text.startswith("frag "):
            n = int(text[5:])
            conn.send_fragmented(OP_TEXT, b"x" * n, 3)
        elif text == "close":
            conn.close(1000, "bye")
        elif text == "drop":
            time.sleep(0.05)
            conn.drop()
            return
        elif text == "silent":
            conn.silent = True
        elif op == OP_TEXT:
            conn.send_text(data)
        else:
            conn.send_binary(data)


def main():
    args = sys.argv[1:]
    if len(args) not in (2, 6) or args[0] != "--port-file" or (len(args) == 6 and args[2] != "--tls"):
        print("usage: wslib.py --port-file FILE [--tls CERT KEY LOG]  (an echo server; with --tls\n"
              "       wss, every connection and failed handshake a line of LOG)", file=sys.stderr)
        return 2
    srv = make_server(echo)
    if len(args) == 6:
        srv.state = tlsmock.State()
        srv.tls_ctx = tlsmock.context(args[3], args[4])
        srv.tls_log = args[5]
    write_port(args[1], srv.server_address[1])
    srv.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
