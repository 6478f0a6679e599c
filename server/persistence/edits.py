"""``CommittedEdit``: one row of the edit log as the rest of the server sees it, and its
converters (``from_row``: a row of ``repository`` -> the domain object; ``to_wire``: the
JSON clients receive). Plain data: no SQLAlchemy beyond what the row already is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .chain import as_utc, iso


@dataclass(frozen=True)
class CommittedEdit:
    """One row of the log, as the rest of the server sees it."""

    score_id: str
    seq: int
    author_id: int
    author_name: str
    client_id: str | None
    client_seq: int | None
    ops: list[dict[str, Any]]
    inverse: list[dict[str, Any]]
    skipped: list[dict[str, Any]]
    origin: str
    meta: dict[str, Any]
    created_at: datetime
    duplicate: bool = False

    def to_wire(self) -> dict[str, Any]:
        """The JSON sent to clients (the inverse stays on the server)."""
        return {
            "score": self.score_id,
            "seq": self.seq,
            "author": {"id": self.author_id, "name": self.author_name},
            "client_id": self.client_id,
            "client_seq": self.client_seq,
            "ops": self.ops,
            "skipped": self.skipped,
            "origin": self.origin,
            "meta": self.meta,
            "at": iso(self.created_at),
        }

    @classmethod
    def from_row(cls, row: dict[str, Any], *, duplicate: bool = False) -> CommittedEdit:
        return cls(
            score_id=row["score_id"],
            seq=int(row["seq"]),
            author_id=int(row["author_id"]),
            author_name=row["author_name"],
            client_id=row["client_id"],
            client_seq=None if row["client_seq"] is None else int(row["client_seq"]),
            ops=row["ops"],
            inverse=row["inverse"],
            skipped=row["skipped"],
            origin=row["origin"],
            meta=row["meta"],
            created_at=as_utc(row["created_at"]),
            duplicate=duplicate,
        )
