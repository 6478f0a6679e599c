"""``HistoryView``: one score's history, replayed once and kept current, for the API layer.

It follows the log edit by edit (``append``), keeping the head document, the
blame, each edit's description and the bars it touched, and a snapshot every
``checkpoint_every`` edits so ``doc_at`` replays at most that many edits.
Pure: must not import Flask, SQL or Socket.IO.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from server.score import apply_edit, clone, invert
from server.score.model import Doc

from .blame import Blame
from .contributions import AuthorSummary, contributions
from .describe import describe_edit
from .diff import MusicalDiff, musical_diff
from .entries import GROUP_WINDOW, HistoryEntry, expand_entry, group_entries
from .facts import Changes
from .records import EditRecord
from .revert import RevertPlan, plan_restore, plan_revert
from .tracker import Place, locations

ANY_PART = "*"


def places_of(
    changes: Changes, where_before: dict[str, Place], where_after: dict[str, Place]
) -> set[Place]:
    """The bars an edit's changes fall in; a measure-wide change is (``"*"``, measure)."""
    out: set[Place] = set()
    for key in changes:
        kind = key[0]
        if kind in ("voice", "harmony", "dynamic", "clef"):
            out.add((key[1], key[2]))
        elif kind in ("note", "event"):
            place = where_after.get(key[1]) or where_before.get(key[1])
            if place:
                out.add(place)
        elif kind == "measure":
            out.add((ANY_PART, key[1]))
    return out


class HistoryView:
    """The history of one score: blame, entries, versions, reverts, diffs and summaries."""

    def __init__(
        self, initial_doc: Doc, edits: Iterable[EditRecord] = (), *, checkpoint_every: int = 500
    ) -> None:
        self.head = clone(initial_doc)
        self.edits: list[EditRecord] = []
        self.checkpoint_every = checkpoint_every
        self._blame = Blame.start(self.head)
        self.descriptions: dict[int, str] = {}
        self.places: dict[int, frozenset[Place]] = {}
        self._checkpoints: list[tuple[int, Doc]] = [(0, clone(initial_doc))]
        for edit in sorted(edits, key=lambda e: e.seq):
            self.append(edit)

    @property
    def seq(self) -> int:
        return self.edits[-1].seq if self.edits else self._blame.seq

    def append(self, edit: EditRecord) -> None:
        """Follow one more committed edit (in seq order)."""
        if edit.seq <= self.seq:
            raise ValueError(f"edit {edit.seq} is not after {self.seq}")
        tracker = self._blame.tracker
        self.descriptions[edit.seq] = describe_edit(edit, self.head, tracker.where)
        pending = self._blame.prepare(self.head, edit.ops)
        apply_edit(self.head, edit.ops)
        step = tracker.finish(pending, self.head)
        self._blame.record_step(edit, step)
        self.places[edit.seq] = frozenset(
            places_of(step.changes, locations(step.before), locations(step.after))
        )
        self.edits.append(edit)
        if len(self.edits) % self.checkpoint_every == 0:
            self._checkpoints.append((edit.seq, clone(self.head)))

    # --- checkpoints ------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        """Everything replay built, as JSON, to resume without replaying (see ``resume``)."""
        return {
            "seq": self.seq,
            "blame": self._blame.to_json(),
            "descriptions": [[s, t] for s, t in self.descriptions.items()],
            "places": [[s, sorted(p)] for s, p in self.places.items()],
        }

    @classmethod
    def resume(
        cls,
        state: dict[str, Any],
        doc: Doc,
        edits: Iterable[EditRecord],
        *,
        snapshots: Iterable[tuple[int, Doc]] = (),
        checkpoint_every: int = 500,
    ) -> HistoryView:
        """A view from a saved ``state`` and ``doc``, the document at the state's seq.

        ``edits`` is the whole log: those up to the state's seq are attached as they are,
        later ones are replayed. ``snapshots`` (seq, document) speed up ``doc_at``; without
        them versions are rebuilt backwards from ``doc`` with the stored inverses.
        """
        view = cls.__new__(cls)
        view.head = clone(doc)
        view.edits = []
        view.checkpoint_every = checkpoint_every
        view._blame = Blame.from_json(state["blame"], view.head)
        view.descriptions = {int(s): t for s, t in state["descriptions"]}
        view.places = {int(s): frozenset((p, m) for p, m in ps) for s, ps in state["places"]}
        view._checkpoints = sorted({s: clone(d) for s, d in snapshots}.items())
        at = int(state["seq"])
        view._checkpoints = sorted([*view._checkpoints, (at, clone(doc))], key=lambda c: c[0])
        for edit in sorted(edits, key=lambda e: e.seq):
            if edit.seq <= at:
                view.edits.append(edit)
            else:
                view.append(edit)
        return view

    # --- versions -------------------------------------------------------------------

    def doc_at(self, seq: int) -> Doc:
        """The document right after edit ``seq`` (0: the initial snapshot), rebuilt from the
        nearest checkpoint: forwards with the ops, or backwards with the stored inverses."""
        if seq >= self.seq:
            return clone(self.head)
        marks = [s for s, _ in self._checkpoints]
        below = bisect.bisect_right(marks, seq) - 1
        above = below + 1
        seqs = [e.seq for e in self.edits]
        use_above = above < len(marks) and (below < 0 or marks[above] - seq < seq - marks[below])
        if use_above:
            start, snapshot = self._checkpoints[above]
            doc = clone(snapshot)
            first = bisect.bisect_right(seqs, seq)
            last = bisect.bisect_right(seqs, start)
            for edit in reversed(self.edits[first:last]):
                invert(doc, edit.inverse)
            return doc
        if below < 0:
            raise ValueError(f"no snapshot at or before seq {seq}")
        start, snapshot = self._checkpoints[below]
        doc = clone(snapshot)
        for edit in self.edits[bisect.bisect_right(seqs, start) :]:
            if edit.seq > seq:
                break
            apply_edit(doc, edit.ops)
        return doc

    # --- queries ----------------------------------------------------------------------

    def blame(self) -> Blame:
        return self._blame

    def entries(
        self,
        *,
        author_id: Any = None,
        origin: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        measures: Sequence[str] | None = None,
        parts: Sequence[str] | None = None,
        window: float = GROUP_WINDOW,
        limit: int | None = None,
        before_seq: int | None = None,
    ) -> list[HistoryEntry]:
        """History lines, newest last, for the edits matching every given filter.

        ``limit`` and ``before_seq`` page backwards: the newest ``limit`` entries made of
        edits before ``before_seq`` (pass the previous page's first seq for the next page).
        """
        edits = self.edits
        if before_seq is not None:
            edits = edits[: bisect.bisect_left([e.seq for e in edits], before_seq)]
        chosen = self._matching(edits, author_id, origin, since, until, measures, parts)
        return group_entries(chosen, lambda e: self.descriptions[e.seq], window=window, limit=limit)

    def expand(
        self,
        seq: int,
        *,
        author_id: Any = None,
        origin: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        measures: Sequence[str] | None = None,
        parts: Sequence[str] | None = None,
        window: float = GROUP_WINDOW,
    ) -> list[HistoryEntry] | None:
        """One line per edit of the entry (under the same filters) holding edit ``seq``;
        None when no matching edit has that seq."""
        chosen = self._matching(self.edits, author_id, origin, since, until, measures, parts)
        return expand_entry(chosen, lambda e: self.descriptions[e.seq], seq, window=window)

    def _matching(
        self,
        edits: Sequence[EditRecord],
        author_id: Any,
        origin: str | None,
        since: datetime | None,
        until: datetime | None,
        measures: Sequence[str] | None,
        parts: Sequence[str] | None,
    ) -> list[EditRecord]:
        touching = set(self.seqs_touching(measures, parts)) if measures or parts else None
        return [
            e
            for e in edits
            if (author_id is None or e.author_id == author_id)
            and (origin is None or e.origin == origin)
            and (since is None or e.created_at >= since)
            and (until is None or e.created_at <= until)
            and (touching is None or e.seq in touching)
        ]

    def seqs_touching(
        self, measures: Sequence[str] | None = None, parts: Sequence[str] | None = None
    ) -> list[int]:
        """Edits that changed something in these measures (IDs) and/or parts."""
        want_m = set(measures) if measures else None
        want_p = set(parts) if parts else None
        out = []
        for edit in self.edits:
            for part, measure in self.places.get(edit.seq, ()):
                if (want_m is None or measure in want_m) and (
                    want_p is None or part in want_p or part == ANY_PART
                ):
                    out.append(edit.seq)
                    break
        return out

    def plan_revert(self, seqs: Iterable[int]) -> RevertPlan:
        return plan_revert(self.head, self.edits, seqs)

    def plan_restore(self, seq: int) -> list[dict[str, Any]]:
        return plan_restore(self.head, self.doc_at(seq))

    def diff(self, seq_a: int, seq_b: int | None = None) -> MusicalDiff:
        """What changed from version ``seq_a`` to ``seq_b`` (default: now)."""
        after = self.head if seq_b is None else self.doc_at(seq_b)
        return musical_diff(self.doc_at(seq_a), after)

    def contributions(self) -> list[AuthorSummary]:
        return contributions(self.edits, self._blame)

    def rows(self) -> list[dict[str, Any]]:
        from .export import history_rows

        return history_rows(self.edits, self.descriptions)
