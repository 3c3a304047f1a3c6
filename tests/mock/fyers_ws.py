"""WebSocket side of the FYERS mock (filled in with the socket clients)."""


def serve(handler, state):
    handler.send(404, {"s": "error", "code": -50, "message": "no socket here"})


def push(state, path, text, close=False):
    return 0
