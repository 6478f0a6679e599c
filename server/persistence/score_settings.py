"""``ScoreSettings``: a score's row (title, owner, head seq) and its settings (the
helper switch), merged over ``DEFAULT_SETTINGS``. Imports nothing above the persistence
package."""

from __future__ import annotations

from typing import Any

from ..errors import ScoreNotFound
from . import repository
from .db import Database

DEFAULT_SETTINGS: dict[str, Any] = {"helper_enabled": False}


class ScoreSettings:
    """Per-score information and settings."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def score_info(self, score_id: str) -> dict[str, Any]:
        """id, title, owner_id, head_seq, settings, created_at."""
        with self.db.read() as conn:
            row = repository.score_row(conn, score_id)
        if row is None:
            raise ScoreNotFound(score_id)
        return row

    def get_settings(self, score_id: str) -> dict[str, Any]:
        with self.db.read() as conn:
            settings = repository.get_settings(conn, score_id)
        if settings is None:
            raise ScoreNotFound(score_id)
        return {**DEFAULT_SETTINGS, **settings}

    def update_settings(self, score_id: str, **changes: Any) -> dict[str, Any]:
        """Merge ``changes`` into the score's settings; returns the new settings."""
        with self.db.write() as conn:
            settings = repository.get_settings(conn, score_id)
            if settings is None:
                raise ScoreNotFound(score_id)
            merged = {**DEFAULT_SETTINGS, **settings, **changes}
            repository.put_settings(conn, score_id, merged)
        return merged
