"""Web layer: page and JSON API blueprints. Imports use cases, never SQL or Socket.IO internals."""

from __future__ import annotations

from flask import Flask
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import RequestEntityTooLarge


def init_app(app: Flask) -> None:
    """Register the account API and the browser UI's blueprints."""
    from . import auth_views, security, strict_json, ui

    security.init_security(app)
    strict_json.init_app(app)
    auth_views.init_throttle(app)
    app.register_blueprint(auth_views.bp)
    ui.init_ui(app)
    app.register_error_handler(RequestEntityTooLarge, _too_large)


def _too_large(_exc: RequestEntityTooLarge) -> ResponseReturnValue:
    """A body over ``MAX_CONTENT_LENGTH`` (an oversized upload): JSON like every API error."""
    from flask import current_app

    from ..auth.sessions import json_error

    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    message = f"the upload is too large: at most {limit / 2**20:.0f} MB"
    return json_error("file_too_large", message)
