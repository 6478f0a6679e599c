"""History entries: consecutive small edits of one author grouped into one line of history.

Edits group while the author stays the same, no one else edits in between,
each follows the previous within ``window`` seconds and all are plain human
edits of at most ``max_ops`` ops (helper, revert, import and restore edits and big
edits always stand alone).
Pure: must not import Flask, SQL or Socket.IO.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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


def _joins(entry: HistoryEntry, edit: EditRecord, window: float, max_ops: int) -> bool:
    if edit.origin != "human" or entry.origin != "human":
        return False
    if len(edit.ops) > max_ops or entry.op_count > max_ops:
        return False
    if edit.author_id != entry.author_id:
        return False
    return (edit.created_at - entry.ended_at).total_seconds() <= window


def group_entries(
    edits: Sequence[EditRecord],
    describe: Callable[[EditRecord], str],
    *,
    window: float = GROUP_WINDOW,
    max_ops: int = SMALL_EDIT,
) -> list[HistoryEntry]:
    """Entries for ``edits`` (in seq order); ``describe`` names one edit."""
    entries: list[HistoryEntry] = []
    for edit in edits:
        text = describe(edit)
        ops = len(edit.ops) if isinstance(edit.ops, list) else 0
        if entries and _joins(entries[-1], edit, window, max_ops):
            entry = entries[-1]
            entry.seqs.append(edit.seq)
            entry.ended_at = edit.created_at
            entry.descriptions.append(text)
            entry.op_count += ops
            continue
        entries.append(
            HistoryEntry(
                seqs=[edit.seq],
                author_id=edit.author_id,
                author_name=edit.author_name,
                origin=edit.origin,
                started_at=edit.created_at,
                ended_at=edit.created_at,
                descriptions=[text],
                op_count=ops,
                reverts=reverted_seqs(edit),
            )
        )
    return entries
