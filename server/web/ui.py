"""Registers the browser-facing blueprints (pages, JSON score API, vendor files) on the app.

The app factory calls ``init_ui(app)``; this module only wires, it holds no logic.
"""

from __future__ import annotations

from flask import Flask


def init_ui(app: Flask) -> None:
    """Attach every blueprint the browser editor needs."""
    from . import health, pages, scores_api, vendor

    app.register_blueprint(health.bp)
    app.register_blueprint(vendor.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(scores_api.bp)
    from . import sharing_api  # members, share links, requests, library actions

    app.register_blueprint(sharing_api.bp)
    from . import helper_api  # voicing helper API (helper engineer's hook)

    app.register_blueprint(helper_api.bp)
    from . import history_api  # history API (history engineer's hook)

    app.register_blueprint(history_api.bp)
    from . import comments_api  # comments and notifications

    app.register_blueprint(comments_api.bp)
    from . import classrooms_api  # classes, assignments, submissions

    app.register_blueprint(classrooms_api.bp)
