"""Per-student contribution numbers of one classroom score, from its edit log and blame:
edits, notes written, notes still standing, notes from accepted helper suggestions, time
active and last activity. Pure: imports only ``server.history``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from ..history import contributions
from ..history.blame import Blame
from ..history.records import EditRecord

#: Gaps between one person's edits longer than this are a pause, not work: each edit
#: counts the time since that person's previous edit up to this much.
IDLE_S = 300.0
#: The columns of a student's numbers, in export order.
NUMBERS = ("edits", "notes_written", "notes_standing", "helper_notes", "time_active_s")


def time_active(times: Sequence[datetime], idle_s: float = IDLE_S) -> float:
    """Seconds of work in one person's edit times (oldest first): the gaps between
    consecutive edits, each capped at ``idle_s``."""
    return float(
        sum(min((b - a).total_seconds(), idle_s) for a, b in zip(times, times[1:], strict=False))
    )


def numbers(edits: Iterable[EditRecord], blame: Blame) -> dict[Any, dict[str, Any]]:
    """author id -> their numbers (``NUMBERS`` and ``last_activity``), for every author
    of an edit. Helper material counts for the person who accepted it."""
    edits = list(edits)
    times: dict[Any, list[datetime]] = {}
    for edit in edits:
        times.setdefault(edit.author_id, []).append(edit.created_at)
    out: dict[Any, dict[str, Any]] = {}
    for summary in contributions(edits, blame):
        stamps = times.get(summary.author_id, [])
        out[summary.author_id] = {
            "edits": summary.edits,
            "notes_written": summary.notes_written,
            "notes_standing": summary.notes_standing,
            "helper_notes": summary.helper_notes_accepted,
            "time_active_s": time_active(stamps),
            "last_activity": stamps[-1] if stamps else None,
        }
    return out


def empty() -> dict[str, Any]:
    """The numbers of a student who has not edited."""
    return {**{key: 0 for key in NUMBERS}, "time_active_s": 0.0, "last_activity": None}
