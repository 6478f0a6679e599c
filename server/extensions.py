"""Where the app keeps its shared objects, and typed accessors for them.

``create_app`` builds every service once and stores it in ``app.extensions``: the
settings, the ``EditLog``, the record repositories, the history and helper use cases,
the ``Broadcaster`` and the per-app ``SocketIO``. Blueprints and handlers read them
through these functions instead of module globals or lazy construction, so several apps
can live in one process (tests). Imports no SQL and registers nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from flask import Flask, current_app

if TYPE_CHECKING:
    from flask_socketio import SocketIO

    from .classrooms import ClassroomService
    from .comments import CommentService
    from .config import Settings
    from .editing import EditLog
    from .history_service import HistoryService
    from .library import Library
    from .observability import Observability
    from .offload import Jobs
    from .persistence import (
        AccessVersions,
        Credentials,
        Members,
        Repositories,
        ScoreSettings,
        Trash,
        Users,
    )
    from .sharing import SharingService
    from .suggestions import HelperService
    from .sync.broadcast import Broadcaster

SETTINGS_KEY = "tutti.settings"
EDIT_LOG_KEY = "tutti.edit_log"
REPOSITORIES_KEY = "tutti.repositories"
HISTORY_KEY = "tutti.history"
HELPER_KEY = "tutti.helper"
BROADCAST_KEY = "tutti.broadcast"
SOCKETIO_KEY = "socketio"  # the key Flask-SocketIO itself uses
OBSERVABILITY_KEY = "tutti.observability"
COMMENTS_KEY = "tutti.comments"
SHARING_KEY = "tutti.sharing"
LIBRARY_KEY = "tutti.library"
JOBS_KEY = "tutti.jobs"
CLASSROOMS_KEY = "tutti.classrooms"


def _app(app: Flask | None) -> Flask:
    return app if app is not None else cast(Flask, current_app._get_current_object())  # type: ignore[attr-defined]


def get_settings(app: Flask | None = None) -> Settings:
    return cast("Settings", _app(app).extensions[SETTINGS_KEY])


def get_edit_log(app: Flask | None = None) -> EditLog:
    """The edit-log use case shared by HTTP views and socket handlers."""
    return cast("EditLog", _app(app).extensions[EDIT_LOG_KEY])


def _repositories(app: Flask | None) -> Repositories:
    return cast("Repositories", _app(app).extensions[REPOSITORIES_KEY])


def get_users(app: Flask | None = None) -> Users:
    return _repositories(app).users


def get_credentials(app: Flask | None = None) -> Credentials:
    """Log-in sessions and API tokens (revocable server-side)."""
    return _repositories(app).credentials


def get_members(app: Flask | None = None) -> Members:
    return _repositories(app).members


def get_score_settings(app: Flask | None = None) -> ScoreSettings:
    return _repositories(app).settings


def get_access_versions(app: Flask | None = None) -> AccessVersions:
    return _repositories(app).access


def get_trash(app: Flask | None = None) -> Trash:
    return _repositories(app).trash


def get_sharing(app: Flask | None = None) -> SharingService:
    """Members, share links and requests for access (``server.sharing``)."""
    return cast("SharingService", _app(app).extensions[SHARING_KEY])


def get_library(app: Flask | None = None) -> Library:
    """A person's scores: search, rename, duplicate, trash (``server.library``)."""
    return cast("Library", _app(app).extensions[LIBRARY_KEY])


def get_history(app: Flask | None = None) -> HistoryService:
    """The history use case (it keeps each score's history view in memory)."""
    return cast("HistoryService", _app(app).extensions[HISTORY_KEY])


def get_helper(app: Flask | None = None) -> HelperService:
    """The voicing helper's use case (sharing the history use case's views)."""
    return cast("HelperService", _app(app).extensions[HELPER_KEY])


def get_comments(app: Flask | None = None) -> CommentService:
    """The comments use case (threads, resolve, mentions, notifications)."""
    return cast("CommentService", _app(app).extensions[COMMENTS_KEY])


def get_classrooms(app: Flask | None = None) -> ClassroomService:
    """The classrooms use case (classes, assignments, submissions)."""
    return cast("ClassroomService", _app(app).extensions[CLASSROOMS_KEY])


def get_broadcaster(app: Flask | None = None) -> Broadcaster:
    """Emits server -> client events to a score's room (see ``server.sync.broadcast``)."""
    return cast("Broadcaster", _app(app).extensions[BROADCAST_KEY])


def get_observability(app: Flask | None = None) -> Observability:
    """This process's metrics (``/metrics``), fed by the sync layer."""
    return cast("Observability", _app(app).extensions[OBSERVABILITY_KEY])


def get_jobs(app: Flask | None = None) -> Jobs:
    """The job pool's calls (exports, voicing) for this app's database."""
    return cast("Jobs", _app(app).extensions[JOBS_KEY])


def get_socketio(app: Flask | None = None) -> SocketIO:
    return cast("SocketIO", _app(app).extensions[SOCKETIO_KEY])


def get_extension(name: str, app: Flask | None = None) -> Any:
    return _app(app).extensions[name]
