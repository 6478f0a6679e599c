"""Real-time sync over Socket.IO: protocol envelopes, per-score authority, handlers, presence.

``init_sync(app, socketio)`` registers the handlers; nothing here imports SQL.
"""

from __future__ import annotations

import os

from flask import Flask
from flask_socketio import SocketIO

from ..extensions import get_service
from .authority import Authority, parse_faults
from .handlers import SyncHandlers
from .protocol import Limits

SYNC_KEY = "tutti.sync"


def init_sync(app: Flask, socketio: SocketIO, limits: Limits | None = None) -> SyncHandlers:
    faults = parse_faults(os.environ.get("TUTTI_FAULT_INJECTION"))
    authority = Authority(get_service(app), faults)
    handlers = SyncHandlers(socketio, authority, limits or Limits.from_env(os.environ))
    handlers.register()
    app.extensions[SYNC_KEY] = handlers
    return handlers


__all__ = ["Limits", "SyncHandlers", "init_sync"]
