"""Where the app keeps its shared objects, and typed accessors for them.

``create_app`` stores the settings, the ``ScoreService`` and the per-app
``SocketIO`` in ``app.extensions``; blueprints and handlers read them through
these functions instead of module globals, so several apps can live in one
process (tests). Imports no SQL and registers nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from flask import Flask, current_app

if TYPE_CHECKING:
    from flask_socketio import SocketIO

    from .config import Settings
    from .editing import ScoreService
    from .observability import Observability

SETTINGS_KEY = "tutti.settings"
SERVICE_KEY = "tutti.service"
SOCKETIO_KEY = "socketio"  # the key Flask-SocketIO itself uses
OBSERVABILITY_KEY = "tutti.observability"


def _app(app: Flask | None) -> Flask:
    return app if app is not None else cast(Flask, current_app._get_current_object())  # type: ignore[attr-defined]


def get_settings(app: Flask | None = None) -> Settings:
    return cast("Settings", _app(app).extensions[SETTINGS_KEY])


def get_service(app: Flask | None = None) -> ScoreService:
    """The edit-log use case shared by HTTP views and socket handlers."""
    return cast("ScoreService", _app(app).extensions[SERVICE_KEY])


def get_observability(app: Flask | None = None) -> Observability:
    """This process's metrics (``/metrics``), fed by the sync layer."""
    return cast("Observability", _app(app).extensions[OBSERVABILITY_KEY])


def get_socketio(app: Flask | None = None) -> SocketIO:
    return cast("SocketIO", _app(app).extensions[SOCKETIO_KEY])


def get_extension(name: str, app: Flask | None = None) -> Any:
    return _app(app).extensions[name]
