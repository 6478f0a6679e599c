"""``Versions``: named points in a score's history. Imports nothing above the
persistence package."""

from __future__ import annotations

from typing import Any

from ..errors import ScoreNotFound
from . import repository
from .db import Database


class Versions:
    """Named versions of scores."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def create_version(
        self, score_id: str, label: str, author_id: int, seq: int | None = None
    ) -> dict[str, Any]:
        """Name a point in the history (default: the head)."""
        with self.db.write() as conn:
            head = repository.head_seq(conn, score_id)
            if head is None:
                raise ScoreNotFound(score_id)
            seq = head if seq is None else seq
            if not 0 <= seq <= head:
                raise ValueError(f"seq {seq} is outside 0..{head}")
            return repository.create_version(conn, score_id, seq, label, author_id)

    def versions(self, score_id: str) -> list[dict[str, Any]]:
        with self.db.read() as conn:
            return repository.versions_of(conn, score_id)
