"""``tutti serve``: the one place that monkey-patches eventlet, then builds and runs the app.

Nothing Flask, SQLAlchemy or socket related may be imported above ``main``'s
patching step; ``server.cli`` imports this module lazily for the same reason.
"""

from __future__ import annotations

import argparse
import os
import sys


def prepare_async(mode: str) -> None:
    """Patch the standard library for ``mode``; must run before Flask/SQLAlchemy imports."""
    if mode == "eventlet":
        import eventlet

        # psycopg=True is the default: eventlet installs psycopg2's wait callback, so
        # queries yield to other greenlets (psycopg 3 has no such hook and would block).
        eventlet.monkey_patch()
    elif mode == "gevent":  # pragma: no cover - not installed by default
        from gevent import monkey

        monkey.patch_all()


def main(host: str = "127.0.0.1", port: int = 5000) -> int:
    mode = os.environ.get("TUTTI_ASYNC_MODE") or "eventlet"
    prepare_async(mode)

    from . import create_app
    from .extensions import get_socketio

    app = create_app({"async_mode": mode})
    socketio = get_socketio(app)
    print(f"Tutti serving on http://{host}:{port} ({mode})", file=sys.stderr, flush=True)
    if mode == "eventlet":
        run_eventlet(app, host, port, log_output=bool(os.environ.get("TUTTI_ACCESS_LOG")))
    else:
        socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True)
    return 0


def run_eventlet(app: object, host: str, port: int, *, log_output: bool = False) -> None:
    """What ``socketio.run`` does under eventlet, plus TCP_NODELAY on every connection.

    A submit produces two frames back to back (the ``edit`` broadcast, then the ack).
    With Nagle's algorithm the second waits for the client's delayed ACK: ~40 ms
    added to every ack. Accepted sockets inherit the option from the listener.
    """
    import socket

    import eventlet
    import eventlet.wsgi

    listener = eventlet.listen((host, port))
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    eventlet.wsgi.server(listener, app, log_output=log_output)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m server.serving")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    return parser.parse_args(argv)


if __name__ == "__main__":
    args = _parse(None)
    sys.exit(main(args.host, args.port))
