"""Which edits are undone now: reverted by a revert edit that is itself still in effect.

Undo and redo are chains of reverts (undo reverts an edit, redo reverts that revert,
undo again reverts the redo...), so "is edit N undone?" depends on the whole chain.
Pure: must not import Flask, SQL or Socket.IO.
"""

from __future__ import annotations

from collections.abc import Iterable

from .records import EditRecord, reverted_seqs


def undone_by(edits: Iterable[EditRecord]) -> dict[int, int]:
    """``seq -> seq of the revert edit that undid it`` for every edit undone now.

    A revert edit is in effect unless a later revert in effect undid it (a redo). A
    revert always comes after what it reverts, so one pass from the newest edit back
    decides each edit after every edit that could undo it.
    """
    reverters: dict[int, list[int]] = {}
    ordered = sorted(edits, key=lambda e: e.seq)
    for edit in ordered:
        if edit.origin == "revert":
            for target in reverted_seqs(edit):
                if target < edit.seq:  # a revert can only name the past
                    reverters.setdefault(target, []).append(edit.seq)
    out: dict[int, int] = {}
    for edit in reversed(ordered):
        live = [r for r in reverters.get(edit.seq, ()) if r not in out]
        if live:
            out[edit.seq] = max(live)
    return out


#: What a revert did, as the ``outcome`` field of its report.
OUTCOMES = ("reverted", "partly_reverted", "already_reverted", "kept_by_others", "unchanged")


def revert_outcome(
    requested: Iterable[int], changed: bool, conflicts: list[str], already: Iterable[int]
) -> str:
    """One word for clients to speak from (an undo shows "That edit was already undone").

    ``changed``: a revert edit was stored. Without one, every requested edit already
    undone means ``already_reverted``; conflicts mean later changes of others kept it all.
    """
    if changed:
        return "partly_reverted" if conflicts else "reverted"
    if set(requested) <= set(already):
        return "already_reverted"
    return "kept_by_others" if conflicts else "unchanged"
