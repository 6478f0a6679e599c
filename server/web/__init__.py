"""Web layer: page and JSON API blueprints. Imports use cases, never SQL or Socket.IO internals."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the account API and the browser UI's blueprints."""
    from . import auth_views, ui

    app.register_blueprint(auth_views.bp)
    ui.init_ui(app)
