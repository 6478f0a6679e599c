"""``UserPreferences``: per-user choices merged over ``DEFAULT_USER_PREFERENCES`` (the
voicing helper is off until the person turns it on). Imports nothing above the persistence
package."""

from __future__ import annotations

from typing import Any

from ..errors import UserNotFound
from . import repository
from .db import Database

#: Per-user choices; the voicing helper is off until the person turns it on.
DEFAULT_USER_PREFERENCES: dict[str, Any] = {"helper_opt_in": False}


class UserPreferences:
    """Every user's preferences."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def get_user_preferences(self, user_id: int) -> dict[str, Any]:
        """The user's preferences merged over the defaults (helper off until turned on)."""
        with self.db.read() as conn:
            return {**DEFAULT_USER_PREFERENCES, **repository.get_preferences(conn, user_id)}

    def update_user_preferences(self, user_id: int, **changes: Any) -> dict[str, Any]:
        """Merge ``changes`` into the user's preferences; returns the new preferences."""
        with self.db.write() as conn:
            if repository.user_by_id(conn, user_id) is None:
                raise UserNotFound(user_id)
            merged = {
                **DEFAULT_USER_PREFERENCES,
                **repository.get_preferences(conn, user_id),
                **changes,
            }
            repository.put_preferences(conn, user_id, merged)
        return merged
