"""TLS for the mocks' servers (--tls CERT KEY), shared by fyers.py, telegram.py and
wslib.py: the handshake runs in the connection's own thread, and the server counts, in
state.tls under state.lock, the TCP connections it accepted ("connections"), those whose
handshake failed ("handshake_failures": a client that did not trust the certificate)
and the reason of each ("handshake_errors"); with tls_log set (a path), each is also a
line of that file ("connection", "handshake failed: REASON"), for a server that has no
control API (wslib.py's echo server).
"""
import ssl
import threading


def counters():
    return {"connections": 0, "handshake_failures": 0, "handshake_errors": []}


def context(cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    return ctx


def snapshot(st):
    """A copy of the counters for a log (the caller holds st.lock)."""
    return dict(st.tls, handshake_errors=list(st.tls["handshake_errors"]))


def reset(st):
    """Zeroes the counters (the caller holds st.lock)."""
    st.tls.update(counters())


class Server:
    """Mixed in before a socketserver class whose instances have .state (with .lock
    and .tls): with tls_ctx set, each accepted connection is wrapped in TLS first."""
    tls_ctx = None
    tls_log = None

    def note(self, line):
        if self.tls_log:
            with open(self.tls_log, "a") as f:
                f.write(line + "\n")

    def finish_request(self, request, client_address):
        if not self.tls_ctx:
            return super().finish_request(request, client_address)
        st = self.state
        with st.lock:
            st.tls["connections"] += 1
            self.note("connection")
        try:
            tls = self.tls_ctx.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as e:
            with st.lock:
                st.tls["handshake_failures"] += 1
                st.tls["handshake_errors"].append(str(e))
                self.note("handshake failed: %s" % e)
            return
        try:
            super().finish_request(tls, client_address)
        finally:
            tls.close()


class State:
    """The state of a server that has no other (wslib.py's echo server)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.tls = counters()
