"""WebSocket side of the FYERS mock: fyers.py hands an upgrade here. The market-data
socket (/hsm/v1-5/prod) is tests/mock/fyers_hsm.py over wslib; the order socket is
served by fyers_orders.py on a port of its own."""
import fyers_hsm
import wslib


def serve(handler, state, fytoken):
    conn = wslib.Conn.from_handler(handler)
    handler.close_connection = True
    if handler.path_only != "/hsm/v1-5/prod" or not conn.is_upgrade():
        conn.refuse(404, '{"s":"error","code":-50,"message":"no socket here"}', "Not Found")
        return
    conn.accept()
    try:
        fyers_hsm.run_session(fyers_hsm.WsConn(conn), state, fytoken)
    finally:
        conn.drop()


def push(state, path, text, close=False):
    return 0
