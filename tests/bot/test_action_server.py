"""The action server of the running test stack (bot/action_server.py)."""
import socket
import time

from bot.action_server import IDLE_CONNECTION_SECONDS


def test_a_connection_opened_before_a_busy_moment_is_still_served(servers):
    """Rasa connects, then writes its request when its busy event loop gets to it: a few seconds
    of silence after the connect must not make the action server drop the connection (Sanic's
    default of 5 s did, and the citizen got no answer)."""
    assert IDLE_CONNECTION_SECONDS > 10
    with socket.create_connection(("127.0.0.1", servers.actions_port), timeout=30) as conn:
        time.sleep(7)
        conn.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        reply = b""
        while chunk := conn.recv(4096):
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 200"), reply[:200]
