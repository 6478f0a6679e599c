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


def main(
    host: str = "127.0.0.1", port: int = 5000, workers: int = 1, *, reuse_port: bool = False
) -> int:
    """Serve until stopped. ``workers > 1`` runs a supervisor of that many worker processes
    on the same port (``server/supervisor.py``); ``reuse_port`` is how each one listens."""
    mode = os.environ.get("TUTTI_ASYNC_MODE") or "eventlet"
    if workers != 1:
        from .supervisor import SupervisorError, supervise

        try:
            if mode != "eventlet":
                raise SupervisorError("--workers needs TUTTI_ASYNC_MODE=eventlet")
            return supervise(host, port, workers)
        except SupervisorError as exc:
            print(f"tutti serve: {exc}", file=sys.stderr)
            return 2
    prepare_async(mode)

    from . import create_app
    from .extensions import get_socketio

    app = create_app({"async_mode": mode})
    socketio = get_socketio(app)
    # One job process started now, not on the first export or voicing request: its
    # start-up (music21's import and warm-up) takes seconds. TUTTI_JOB_PREWARM=0 skips it
    # (the test suite starts many short-lived servers that mostly never export).
    from .offload import POOL

    if os.environ.get("TUTTI_JOB_PREWARM", "1") != "0":
        socketio.start_background_task(POOL.warm)
    print(f"Tutti serving on http://{host}:{port} ({mode})", file=sys.stderr, flush=True)
    if mode == "eventlet":
        log_output = bool(os.environ.get("TUTTI_ACCESS_LOG"))
        run_eventlet(app, host, port, log_output=log_output, reuse_port=reuse_port)
    else:
        socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True)
    return 0


def run_eventlet(
    app: object, host: str, port: int, *, log_output: bool = False, reuse_port: bool = False
) -> None:
    """What ``socketio.run`` does under eventlet, plus TCP_NODELAY on every connection.

    A submit produces two frames back to back (the ``edit`` broadcast, then the ack).
    With Nagle's algorithm the second waits for the client's delayed ACK: ~40 ms
    added to every ack. Accepted sockets inherit the option from the listener.
    """
    import socket

    import eventlet
    import eventlet.wsgi

    # SO_REUSEPORT: the workers of ``--workers N`` all listen here; the kernel spreads
    # connections over them.
    listener = eventlet.listen((host, port), reuse_port=reuse_port)
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    eventlet.wsgi.server(listener, app, log_output=log_output)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m server.serving")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--reuse-port", action="store_true", help="listen with SO_REUSEPORT")
    return parser.parse_args(argv)


if __name__ == "__main__":
    args = _parse(None)
    sys.exit(main(args.host, args.port, args.workers, reuse_port=args.reuse_port))
