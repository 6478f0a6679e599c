"""Real-time sync over Socket.IO: protocol envelopes, per-score authority, handlers, presence.

``init_sync(app, socketio)`` registers the handlers; nothing here imports SQL. The
package import itself stays Flask-free so the headless client can use ``protocol``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from .protocol import Limits

if TYPE_CHECKING:
    from flask import Flask
    from flask_socketio import SocketIO

    from .broadcast import Broadcaster
    from .handlers import SyncHandlers

SYNC_KEY = "tutti.sync"
FLOW_KEY = "tutti.flow"


def init_sync(
    app: Flask,
    socketio: SocketIO,
    limits: Limits | None = None,
    broadcast: Broadcaster | None = None,
) -> SyncHandlers:
    """Register the protocol's handlers on ``socketio`` (Flask is imported only here)."""
    from ..extensions import (
        get_access_versions,
        get_credentials,
        get_edit_log,
        get_history,
        get_members,
        get_observability,
        get_settings,
        get_trash,
    )
    from .authority import Authority, parse_faults
    from .flow import install_flow_control
    from .handlers import SyncHandlers

    faults = parse_faults(os.environ.get("TUTTI_FAULT_INJECTION"))
    authority = Authority(
        get_edit_log(app), get_members(app), faults, get_access_versions(app), get_trash(app)
    )
    presence = None
    queue = get_settings(app).message_queue
    if queue and queue.startswith(("redis://", "rediss://")):
        # Several processes: presence must be shared like the broadcasts are.
        from .presence_redis import HEARTBEAT_S, RedisPresence

        shared = presence = RedisPresence(queue)

        def heartbeat() -> None:
            while True:
                socketio.sleep(HEARTBEAT_S)
                try:
                    shared.heartbeat()
                except Exception:  # noqa: BLE001 - Redis away for a moment: try again later
                    pass

        socketio.start_background_task(heartbeat)
    limits = limits or Limits.from_env(os.environ)
    metrics = get_observability(app)
    handlers = SyncHandlers(
        socketio,
        authority,
        limits,
        presence,
        metrics,
        lambda: get_history(app),  # the app's one HistoryService, built by create_app
        broadcast,
        get_credentials(app).live_ids,
        get_settings(app).cors_origins,
    )
    handlers.register()
    app.extensions[FLOW_KEY] = install_flow_control(socketio, limits, metrics.floods_cut.inc)
    socketio.start_background_task(metrics.watch_loop, socketio.sleep)
    socketio.start_background_task(handlers.watch_roles)
    app.extensions[SYNC_KEY] = handlers
    return handlers


__all__ = ["Limits", "SyncHandlers", "init_sync"]
