"""Contribution summaries per author, and the provenance of the helper's material.

Counts come from the log (edits) and from the blame (notes written, still
standing, accepted from the helper and whether people changed them since).
Pure: must not import Flask, SQL or Socket.IO.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from .blame import Blame, changed_by_people
from .records import EditRecord


@dataclass
class AuthorSummary:
    """What one person did. Helper material counts for the person who accepted it."""

    author_id: Any
    author_name: str
    edits: int = 0
    helper_edits: int = 0  # accepted helper suggestions
    reverts: int = 0
    notes_written: int = 0  # notes this person's edits created (their own or accepted)
    notes_standing: int = 0  # of those, still in the score
    helper_notes_accepted: int = 0  # notes from accepted helper suggestions, ever
    helper_notes_standing: int = 0
    helper_notes_changed_by_people: int = 0  # later changed or removed by a non-helper edit

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def contributions(edits: Iterable[EditRecord], blame: Blame) -> list[AuthorSummary]:
    """One summary per author, most edits first."""
    out: dict[Any, AuthorSummary] = {}

    def summary(author_id: Any, name: str) -> AuthorSummary:
        if author_id not in out:
            out[author_id] = AuthorSummary(author_id, name)
        return out[author_id]

    for edit in edits:
        row = summary(edit.author_id, edit.author_name)
        row.edits += 1
        row.helper_edits += edit.origin == "helper"
        row.reverts += edit.origin == "revert"
    for author_id, count in blame.written.items():
        if author_id in out:
            out[author_id].notes_written = count
    for entry in list(blame.live.values()) + list(blame.gone.values()):
        created = entry.created
        if entry.kind != "note" or created.author_id not in out:
            continue
        row = out[created.author_id]
        standing = entry.removed is None
        row.notes_standing += standing
        if created.via_helper:
            row.helper_notes_accepted += 1
            row.helper_notes_standing += standing
            row.helper_notes_changed_by_people += changed_by_people(entry)
    for author_id, counts in blame.retired.items():
        if author_id in out:
            out[author_id].helper_notes_accepted += counts["helper"]
            out[author_id].helper_notes_changed_by_people += counts["helper_changed"]
    return sorted(out.values(), key=lambda s: (-s.edits, str(s.author_name)))


def helper_provenance(blame: Blame) -> dict[str, Any]:
    """The helper's share of the score: notes accepted, by whom, and what people did with them."""
    accepted_by: dict[str, int] = {}
    total = standing = changed = 0
    for entry in list(blame.live.values()) + list(blame.gone.values()):
        if entry.kind != "note" or not entry.created.via_helper:
            continue
        total += 1
        standing += entry.removed is None
        changed += changed_by_people(entry)
        who = entry.created.accepted_by or entry.created.author_name
        accepted_by[who] = accepted_by.get(who, 0) + 1
    for counts in blame.retired.values():
        total += counts["helper"]
        changed += counts["helper_changed"]
    for who, count in blame.retired_accepted.items():
        accepted_by[who] = accepted_by.get(who, 0) + count
    return {
        "notes_accepted": total,
        "notes_standing": standing,
        "notes_changed_by_people": changed,
        "accepted_by": accepted_by,
    }
