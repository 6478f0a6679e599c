"""``Members``: who belongs to a score with which role, and the scores of a person.
Validates a role against the stored set; ranking roles is ``server.auth.roles``' job.
Imports nothing above the persistence package."""

from __future__ import annotations

from typing import Any

from ..errors import ScoreNotFound
from . import repository
from .db import Database
from .models import ROLES
from .sharing import change_member


class Members:
    """Score memberships."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def role_of(self, score_id: str, user_id: int) -> str | None:
        with self.db.read() as conn:
            return repository.role_of(conn, score_id, user_id)

    def set_member(self, score_id: str, user_id: int, role: str | None) -> None:
        """Grant ``role`` (owner, editor, commenter, viewer) by hand; ``None`` removes the
        member. ``LastOwner`` when the score would be left without an owner."""
        if role is not None and role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}")
        with self.db.write() as conn:
            if repository.head_seq(conn, score_id) is None:
                raise ScoreNotFound(score_id)
            change_member(conn, score_id, user_id, role)

    def members(self, score_id: str) -> list[dict[str, Any]]:
        """id, name, display_name, colour, role, link_id (NULL: by hand), by name."""
        with self.db.read() as conn:
            return repository.members(conn, score_id)

    def scores_for(self, user_id: int) -> list[dict[str, Any]]:
        """The scores ``user_id`` is a member of, newest first, with their role."""
        with self.db.read() as conn:
            return repository.scores_for(conn, user_id)
