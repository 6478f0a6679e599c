"""Tutti's app factory: ``create_app(config=None)`` wires settings, database, web and sync.

Wiring only, no logic. Top-level imports stay stdlib-only because importing the
``server`` package must not pull in Flask before ``server.serving`` has
monkey-patched eventlet.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

REPO_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the Flask app with its ``SocketIO`` (``app.extensions["socketio"]``).

    ``config`` keys that are ``Settings`` field names (``database_url``,
    ``async_mode``, ...) override the environment; UPPER_CASE keys go to
    ``app.config`` as in any Flask app (``TESTING``).
    """
    import os

    from flask import Flask
    from flask_socketio import SocketIO

    from .auth.passwords import hash_password
    from .classrooms import ClassroomPolicy, ClassroomService
    from .comments import CommentService
    from .config import Settings
    from .editing import EditLog
    from .extensions import (
        BROADCAST_KEY,
        CLASSROOMS_KEY,
        COMMENTS_KEY,
        EDIT_LOG_KEY,
        HELPER_KEY,
        HISTORY_KEY,
        JOBS_KEY,
        LIBRARY_KEY,
        OBSERVABILITY_KEY,
        REPOSITORIES_KEY,
        SETTINGS_KEY,
        SHARING_KEY,
    )
    from .history_service import HistoryService, HistoryViews
    from .library import Library
    from .observability import Observability
    from .offload import POOL, Jobs
    from .offload import Limits as JobLimits
    from .persistence import Repositories, open_database
    from .sharing import SharingService
    from .suggestions import HelperService
    from .sync import Limits, init_sync
    from .sync.broadcast import Broadcaster
    from .web import init_app as init_web

    overrides = dict(config or {})
    flask_config = {key: overrides.pop(key) for key in list(overrides) if key.isupper()}
    sync_limits = overrides.pop("sync_limits", None)
    settings = Settings.from_env(overrides)

    app = Flask(
        __name__,
        static_folder=str(REPO_ROOT / "static"),
        template_folder=str(REPO_ROOT / "templates"),
    )
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=settings.max_import_bytes + 64 * 1024,
        JSON_SORT_KEYS=False,
    )
    app.config.update(flask_config)
    app.extensions[SETTINGS_KEY] = settings
    app.extensions[OBSERVABILITY_KEY] = Observability()
    db = open_database(settings.database_url)
    edit_log = app.extensions[EDIT_LOG_KEY] = EditLog(
        db,
        snapshot_every=settings.snapshot_every,
        log_key=settings.log_key,
        cache_bytes=settings.cache_bytes,
    )
    # One pool per process (several apps in a test process share it): the last app's
    # settings win, which is what one server with one set of settings means.
    POOL.configure(
        JobLimits(
            workers=settings.job_workers,
            queue=settings.job_queue,
            time_limit_s=settings.job_time_limit,
            memory_limit_bytes=settings.job_memory_bytes,
        )
    )
    jobs = app.extensions[JOBS_KEY] = Jobs(POOL, settings.database_url, settings.log_key)
    repos = app.extensions[REPOSITORIES_KEY] = Repositories.over(db)
    # The classroom rules: the one policy hook of every edit and every helper request.
    policy = edit_log.policy = ClassroomPolicy(repos.classrooms.rule_for)

    limits = sync_limits if isinstance(sync_limits, Limits) else Limits.from_env(os.environ)
    socketio = SocketIO(
        app,
        async_mode=settings.async_mode,  # always explicit: see DESIGN.md "Async mode"
        message_queue=settings.message_queue,
        # None = same origin only (engineio compares Origin with Host); a foreign
        # Origin is refused with 400 before any handler runs.
        cors_allowed_origins=list(settings.cors_origins) or None,
        max_http_buffer_size=limits.max_message_bytes,
        # One client's events run in order, so its edits reach the log in the order sent.
        async_handlers=False,
    )
    app.extensions[BROADCAST_KEY] = broadcaster = Broadcaster(socketio)
    # One set of history views per process, shared by the history API and the helper, so
    # each score's history is built and held once; building one yields to other sockets.
    views = HistoryViews(
        edit_log,
        repos.checkpoints,
        pause=lambda: socketio.sleep(0),
        cache_bytes=settings.history_cache_bytes,
    )
    app.extensions[HISTORY_KEY] = HistoryService.over(edit_log, repos, views)
    app.extensions[HELPER_KEY] = HelperService.over(
        edit_log, repos, views, voicing=jobs.voicing, refusal=policy.helper_refusal
    )
    app.extensions[CLASSROOMS_KEY] = ClassroomService.over(
        edit_log, repos, views, lambda password: hash_password(password, settings.password_method)
    )
    app.extensions[COMMENTS_KEY] = CommentService.over(edit_log, repos)
    app.extensions[SHARING_KEY] = SharingService.over(repos)
    app.extensions[LIBRARY_KEY] = Library.over(edit_log, repos)
    init_web(app)
    init_sync(app, socketio, limits, broadcaster)
    return app
