"""``Repositories``: one of each record repository over one ``Database``, for wiring
(``create_app``, the CLI, tests). Callers take the repositories they need from it, never
the bundle itself."""

from __future__ import annotations

from dataclasses import dataclass

from .classrooms import Classrooms
from .comments import Comments, Notifications
from .credentials import Credentials
from .db import Database
from .history_store import HistoryCheckpoints
from .members import Members
from .preferences import UserPreferences
from .score_settings import ScoreSettings
from .sharing import AccessRequests, AccessVersions, ShareLinks, Trash
from .suggestions import Suggestions
from .users import Users
from .versions import Versions


@dataclass(frozen=True)
class Repositories:
    users: Users
    members: Members
    settings: ScoreSettings
    versions: Versions
    suggestions: Suggestions
    preferences: UserPreferences
    checkpoints: HistoryCheckpoints
    links: ShareLinks
    requests: AccessRequests
    trash: Trash
    access: AccessVersions
    credentials: Credentials
    comments: Comments
    notifications: Notifications
    classrooms: Classrooms

    @classmethod
    def over(cls, db: Database) -> Repositories:
        return cls(
            users=Users(db),
            members=Members(db),
            settings=ScoreSettings(db),
            versions=Versions(db),
            suggestions=Suggestions(db),
            preferences=UserPreferences(db),
            checkpoints=HistoryCheckpoints(db),
            links=ShareLinks(db),
            requests=AccessRequests(db),
            trash=Trash(db),
            access=AccessVersions(db),
            credentials=Credentials(db),
            comments=Comments(db),
            notifications=Notifications(db),
            classrooms=Classrooms(db),
        )
