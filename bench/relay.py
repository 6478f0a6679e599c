"""The baseline for bench/sync_bench.py: a bare Flask-SocketIO relay under eventlet.

Same events and ack shapes as the real server (``join``, ``submit`` -> ack with a
seq, ``edit`` broadcast to the room) but no authentication, no validation, no
score model and no database: the cost of Socket.IO itself on this machine.
Run: ``.venv/bin/python -m bench.relay --port 5100``.
"""

from __future__ import annotations

import argparse
import sys


def main(host: str, port: int) -> int:
    import eventlet

    eventlet.monkey_patch()  # first, as in server/serving.py

    from typing import Any

    from flask import Flask
    from flask_socketio import SocketIO, join_room

    app = Flask(__name__)
    socketio = SocketIO(app, async_mode="eventlet", async_handlers=False)
    heads: dict[str, int] = {}

    @socketio.on("join")
    def join(payload: dict[str, Any]) -> dict[str, Any]:
        join_room(payload["score"])
        return {"ok": True, "seq": heads.get(payload["score"], 0), "edits": []}

    @socketio.on("submit")
    def submit(payload: dict[str, Any]) -> dict[str, Any]:
        score = payload["score"]
        seq = heads[score] = heads.get(score, 0) + 1
        wire = {
            "score": score,
            "seq": seq,
            "author": {"id": 0, "name": "relay"},
            "client_id": payload["client_id"],
            "client_seq": payload["client_seq"],
            "ops": payload["ops"],
            "skipped": [],
            "origin": "human",
            "meta": {},
            "at": "",
        }
        socketio.emit("edit", wire, to=score)
        return {"ok": True, "seq": seq, "skipped": [], "duplicate": False}

    print(f"relay on http://{host}:{port}", file=sys.stderr, flush=True)
    # The same listener as server/serving.py (TCP_NODELAY), so that the comparison
    # measures the server's work and not Nagle's algorithm.
    import socket

    import eventlet.wsgi

    listener = eventlet.listen((host, port))
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    eventlet.wsgi.server(listener, app, log_output=False)
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.relay")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5100)
    args = parser.parse_args()
    sys.exit(main(args.host, args.port))
