"""``Suggestions``: the voicing helper's suggestions, stored outside the score (request,
result, status and who decided). Imports nothing above the persistence package."""

from __future__ import annotations

from typing import Any

from ..errors import ScoreNotFound
from . import repository
from .db import Database
from .models import SUGGESTION_STATUSES


class Suggestions:
    """Helper suggestions of every score."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def create_suggestion(
        self,
        score_id: str,
        requested_by: int,
        request: dict[str, Any],
        result: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        with self.db.write() as conn:
            if repository.head_seq(conn, score_id) is None:
                raise ScoreNotFound(score_id)
            return repository.create_suggestion(conn, score_id, requested_by, request, result)

    def get_suggestion(self, suggestion_id: int) -> dict[str, Any] | None:
        with self.db.read() as conn:
            return repository.suggestion_by_id(conn, suggestion_id)

    def suggestions(self, score_id: str, status: str | None = None) -> list[dict[str, Any]]:
        with self.db.read() as conn:
            return repository.suggestions_of(conn, score_id, status)

    def set_suggestion_result(self, suggestion_id: int, result: dict[str, Any]) -> bool:
        with self.db.write() as conn:
            return repository.set_suggestion_result(conn, suggestion_id, result)

    def decide_suggestion(
        self,
        suggestion_id: int,
        status: str,
        decided_by: int,
        accepted_seq: int | None = None,
    ) -> dict[str, Any] | None:
        """Accept, reject or withdraw a pending suggestion; None if it was already decided."""
        if status not in SUGGESTION_STATUSES or status == "pending":
            raise ValueError(f"status must be one of {SUGGESTION_STATUSES[1:]}")
        with self.db.write() as conn:
            if not repository.decide_suggestion(
                conn, suggestion_id, status, decided_by, accepted_seq
            ):
                return None
            return repository.suggestion_by_id(conn, suggestion_id)
