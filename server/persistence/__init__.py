"""Persistence: the only package that imports SQLAlchemy. Tables (``models``), engines
and migrations (``db``), queries returning plain data (``repository``, ``records``), the
edit log's keyed hash chain and head/snapshot signatures (``chain``), the row <-> domain
converter of an edit (``edits``) and one small repository class per concern: ``Users``,
``Members``, ``ScoreSettings``, ``Versions``, ``Suggestions``, ``UserPreferences``,
``HistoryCheckpoints``, ``Comments``, ``Notifications``, for sharing ``ShareLinks``,
``AccessRequests``, ``Trash``, ``AccessVersions``, and ``Classrooms`` (bundled for wiring
by ``Repositories``).

The edit log itself (``server.editing.EditLog``) holds a ``Database`` and passes its
connections to ``repository`` functions.
"""

from __future__ import annotations

from . import repository
from .chain import GENESIS_HASH, LogSigner, as_utc, edit_hash, iso
from .classrooms import Classrooms
from .comments import Comments, Notifications
from .credentials import Credentials
from .db import Database, display_url, init_db, normalise_url, open_database, schema_head
from .edits import CommittedEdit
from .history_store import HistoryCheckpoints
from .members import Members
from .models import LINK_ROLES, ORIGINS, ROLES, SUGGESTION_STATUSES
from .preferences import DEFAULT_USER_PREFERENCES, UserPreferences
from .repositories import Repositories
from .repository import DuplicateEdit, NameTaken
from .score_settings import DEFAULT_SETTINGS, ScoreSettings
from .sharing import TRASH_DAYS, AccessRequests, AccessVersions, LastOwner, ShareLinks, Trash
from .suggestions import Suggestions
from .users import Users
from .versions import Versions

__all__ = [
    "Classrooms",
    "TRASH_DAYS",
    "AccessRequests",
    "AccessVersions",
    "LastOwner",
    "ShareLinks",
    "Trash",
    "Credentials",
    "DEFAULT_SETTINGS",
    "DEFAULT_USER_PREFERENCES",
    "Comments",
    "CommittedEdit",
    "HistoryCheckpoints",
    "Members",
    "Notifications",
    "Repositories",
    "ScoreSettings",
    "Suggestions",
    "UserPreferences",
    "Users",
    "Versions",
    "GENESIS_HASH",
    "LINK_ROLES",
    "ORIGINS",
    "ROLES",
    "SUGGESTION_STATUSES",
    "Database",
    "LogSigner",
    "DuplicateEdit",
    "NameTaken",
    "as_utc",
    "display_url",
    "edit_hash",
    "init_db",
    "iso",
    "normalise_url",
    "open_database",
    "repository",
    "schema_head",
]
