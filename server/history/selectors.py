"""Selectors over edit records, to choose what to revert or show: by author, origin, time, seq.

Each returns the matching seqs in order. Selection by measure needs to know
where edits landed: see ``HistoryView.seqs_touching``.
Pure: must not import Flask, SQL or Socket.IO.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from .records import EditRecord


def by_author(edits: Iterable[EditRecord], author_id: Any) -> list[int]:
    """Edits made (or, for helper edits, accepted) by one person."""
    return [e.seq for e in edits if e.author_id == author_id]


def by_origin(edits: Iterable[EditRecord], *origins: str) -> list[int]:
    """E.g. ``by_origin(edits, "helper")``: every accepted helper suggestion."""
    return [e.seq for e in edits if e.origin in origins]


def in_time_range(
    edits: Iterable[EditRecord], since: datetime | None = None, until: datetime | None = None
) -> list[int]:
    """Edits with ``since <= created_at <= until`` (either bound optional)."""
    return [
        e.seq
        for e in edits
        if (since is None or e.created_at >= since) and (until is None or e.created_at <= until)
    ]


def in_seq_range(edits: Iterable[EditRecord], first: int, last: int) -> list[int]:
    return [e.seq for e in edits if first <= e.seq <= last]


def matching(
    edits: Iterable[EditRecord],
    *,
    author_id: Any = None,
    origin: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[int]:
    """All given conditions at once (None means "any")."""
    return [
        e.seq
        for e in edits
        if (author_id is None or e.author_id == author_id)
        and (origin is None or e.origin == origin)
        and (since is None or e.created_at >= since)
        and (until is None or e.created_at <= until)
    ]
