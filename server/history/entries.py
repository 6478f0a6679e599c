"""History entries: consecutive small edits of one author grouped into one line of history.

Edits group while the author stays the same, no one else edits in between,
each follows the previous within ``window`` seconds and all are plain human
edits of at most ``max_ops`` ops (helper, revert, import and restore edits and big
edits always stand alone). ``expand_entry`` lists the single edits of one entry, so any
one of them can be shown and reverted alone.
Pure: must not import Flask, SQL or Socket.IO.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .records import EditRecord, reverted_seqs

GROUP_WINDOW = 60.0
SMALL_EDIT = 20  # ops; a bigger edit (a paste, an import) gets its own line


@dataclass
class HistoryEntry:
    """One line of history: one edit, or a run of small edits by one author."""

    seqs: list[int]
    author_id: Any
    author_name: str
    origin: str
    started_at: datetime
    ended_at: datetime
    descriptions: list[str] = field(default_factory=list)
    op_count: int = 0
    reverts: list[int] = field(default_factory=list)

    @property
    def first_seq(self) -> int:
        return self.seqs[0]

    @property
    def last_seq(self) -> int:
        return self.seqs[-1]

    @property
    def summary(self) -> str:
        if len(self.descriptions) == 1:
            return self.descriptions[0]
        more = len(self.descriptions) - 1
        return f"{self.descriptions[0]} (+{more} more edit{'s' if more > 1 else ''})"

    def to_json(self) -> dict[str, Any]:
        return {
            "seqs": self.seqs,
            "author_id": self.author_id,
            "author_name": self.author_name,
            "origin": self.origin,
            "started_at": self.started_at.isoformat(),
            "ended_at": self.ended_at.isoformat(),
            "summary": self.summary,
            "descriptions": self.descriptions,
            "op_count": self.op_count,
            "reverts": self.reverts,
        }


def _joins(earlier: EditRecord, later: EditRecord, window: float, max_ops: int) -> bool:
    """Whether two consecutive edits belong to one entry (a pairwise rule, so entries are
    the same whichever end the grouping starts from)."""
    if earlier.origin != "human" or later.origin != "human":
        return False
    if later.author_id != earlier.author_id:
        return False
    if _size(earlier) > max_ops or _size(later) > max_ops:
        return False
    return (later.created_at - earlier.created_at).total_seconds() <= window


def _size(edit: EditRecord) -> int:
    return len(edit.ops) if isinstance(edit.ops, list) else 0


def _entry(run: list[EditRecord], describe: Callable[[EditRecord], str]) -> HistoryEntry:
    first, last = run[0], run[-1]
    return HistoryEntry(
        seqs=[e.seq for e in run],
        author_id=first.author_id,
        author_name=first.author_name,
        origin=first.origin,
        started_at=first.created_at,
        ended_at=last.created_at,
        descriptions=[describe(e) for e in run],
        op_count=sum(_size(e) for e in run),
        reverts=reverted_seqs(first) if len(run) == 1 else [],
    )


def group_entries(
    edits: Sequence[EditRecord],
    describe: Callable[[EditRecord], str],
    *,
    window: float = GROUP_WINDOW,
    max_ops: int = SMALL_EDIT,
    limit: int | None = None,
) -> list[HistoryEntry]:
    """Entries for ``edits`` (in seq order), oldest first; ``describe`` names one edit.

    With ``limit``, only the newest ``limit`` entries, found walking back from the end,
    so a page of recent history costs the page, not the whole log.
    """
    return group_newest_first(
        reversed(edits), describe, window=window, max_ops=max_ops, limit=limit
    )


def group_newest_first(
    edits: Iterable[EditRecord],
    describe: Callable[[EditRecord], str],
    *,
    window: float = GROUP_WINDOW,
    max_ops: int = SMALL_EDIT,
    limit: int | None = None,
) -> list[HistoryEntry]:
    """``group_entries`` of edits given newest first; with ``limit`` it stops reading
    ``edits`` one edit past the oldest entry it returns (a lazy source stays unread)."""
    runs: list[list[EditRecord]] = []
    for edit in edits:
        if runs and _joins(edit, runs[-1][0], window, max_ops):
            runs[-1].insert(0, edit)
            continue
        if limit is not None and len(runs) == limit:
            break
        runs.append([edit])
    return [_entry(run, describe) for run in reversed(runs)]


def expand_entry(
    edits: Sequence[EditRecord],
    describe: Callable[[EditRecord], str],
    seq: int,
    *,
    window: float = GROUP_WINDOW,
    max_ops: int = SMALL_EDIT,
) -> list[HistoryEntry] | None:
    """One entry per edit of the entry of ``edits`` that holds edit ``seq`` (None if no edit
    has that seq): the rule is pairwise, so the group is found around it, not from the start."""
    seqs = [e.seq for e in edits]
    i = bisect.bisect_left(seqs, seq)
    if i == len(seqs) or seqs[i] != seq:
        return None
    first = last = i
    while first > 0 and _joins(edits[first - 1], edits[first], window, max_ops):
        first -= 1
    while last + 1 < len(edits) and _joins(edits[last], edits[last + 1], window, max_ops):
        last += 1
    return [_entry([edit], describe) for edit in edits[first : last + 1]]
