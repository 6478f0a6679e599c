"""``HistoryView``: one score's history, replayed once and kept current, for the API layer.

It follows the log edit by edit (``append``), keeping the head document, the
blame, each edit's description and the bars it touched, and a snapshot every
``checkpoint_every`` edits so ``doc_at`` replays at most that many edits. A view
resumed from a checkpoint reads old edits and snapshots only when a query needs them
(``lazy``), and ``window`` follows just the newest edits, for a page of entries.
Pure: must not import Flask, SQL or Socket.IO.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Iterator, MutableMapping, Sequence
from datetime import datetime
from typing import Any

from server.score import apply_edit, clone, invert
from server.score.model import Doc
from server.score.size import doc_bytes

from .blame import Blame
from .contributions import AuthorSummary, contributions
from .describe import describe_edit
from .diff import MusicalDiff, musical_diff
from .entries import GROUP_WINDOW, HistoryEntry, expand_entry, group_newest_first
from .facts import Changes
from .lazy import BySeq, EditPages, Snapshots, count_upto
from .records import EditRecord
from .revert import RevertPlan, plan_restore, plan_revert
from .tracker import Place, locations

ANY_PART = "*"
#: Memory per followed edit: its record (ops and inverse), description and places.
EDIT_BYTES = 1500


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


class IncompleteWindow(LookupError):
    """A window's entries would reach back before its first edit: widen the window."""


class HistoryView:
    """The history of one score: blame, entries, versions, reverts, diffs and summaries."""

    def __init__(
        self, initial_doc: Doc, edits: Iterable[EditRecord] = (), *, checkpoint_every: int = 500
    ) -> None:
        self.head = clone(initial_doc)
        self.edits: list[EditRecord] | EditPages = []
        self.checkpoint_every = checkpoint_every
        self._blame = Blame.start(self.head)
        self.descriptions: MutableMapping[int, str] = {}
        self.places: MutableMapping[int, frozenset[Place]] = {}
        self._snapshots = Snapshots({0: clone(initial_doc)})
        self.window_start = 0  # edits before this one are not in the view (see ``window``)
        for edit in sorted(edits, key=lambda e: e.seq):
            self.append(edit)

    @property
    def seq(self) -> int:
        if isinstance(self.edits, EditPages):
            return len(self.edits)  # seqs 1..len: no need to read the last page
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
            self._snapshots.add(edit.seq, clone(self.head))

    def approx_bytes(self) -> int:
        """Estimated memory of this view: the head and each snapshot held, the blame
        (about half a document more) and the edits (measured: ``bench/memory_bench.py``)."""
        docs = doc_bytes(self.head) * (3 + 2 * self._snapshots.held()) // 2
        # A lazy view holds only the pages of edits read so far.
        held = self.edits.loaded if isinstance(self.edits, EditPages) else len(self.edits)
        return docs + EDIT_BYTES * held

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
        edits: Iterable[EditRecord] | EditPages,
        *,
        snapshots: Iterable[tuple[int, Doc]] | Snapshots = (),
        checkpoint_every: int = 500,
    ) -> HistoryView:
        """A view from a saved ``state`` and ``doc``, the document at the state's seq.

        ``edits`` is the whole log: those up to the state's seq are attached as they are,
        later ones are replayed; an ``EditPages`` of exactly the state's edits is kept
        as it is (nothing read). ``snapshots`` (seq, document) speed up ``doc_at``;
        without them versions are rebuilt backwards from ``doc`` with the stored inverses.
        """
        view = cls.__new__(cls)
        view.head = clone(doc)
        view.window_start = 0
        view.checkpoint_every = checkpoint_every
        view._blame = Blame.from_json(state["blame"], view.head)
        # Converted per edit when a query reads it (the state may hold Chunks, parsed then).
        view.descriptions = BySeq(state["descriptions"], str)
        view.places = BySeq(state["places"], lambda ps: frozenset((p, m) for p, m in ps))
        at = int(state["seq"])
        if isinstance(snapshots, Snapshots):
            view._snapshots = snapshots
        else:
            view._snapshots = Snapshots({s: clone(d) for s, d in snapshots})
        view._snapshots.add(at, clone(doc))
        if isinstance(edits, EditPages):
            if len(edits) != at:
                raise ValueError(f"{len(edits)} edits given for a state at seq {at}")
            view.edits = edits
            return view
        view.edits = []
        for edit in sorted(edits, key=lambda e: e.seq):
            if edit.seq <= at:
                view.edits.append(edit)
            else:
                view.append(edit)
        return view

    @classmethod
    def window(cls, doc: Doc, start: int, edits: Iterable[EditRecord]) -> HistoryView:
        """A view of only ``edits`` (consecutive, in order), from ``doc``, the document
        after edit ``start``, right before the first of them: its entries, descriptions
        and places of those edits are the full view's (they depend on the document, not
        on older edits), its blame is not (it starts at ``doc``), so it serves a page of
        recent entries only."""
        view = cls(doc)
        view._blame.seq = start  # the view's seq while it holds no edit
        view._snapshots = Snapshots()  # ``doc`` is not the document at seq 0
        view.window_start = start
        for edit in edits:
            view.append(edit)
        return view

    # --- versions -------------------------------------------------------------------

    def doc_at(self, seq: int) -> Doc:
        """The document right after edit ``seq`` (0: the initial snapshot), rebuilt from the
        nearest snapshot: forwards with the ops, or backwards with the stored inverses."""
        if seq >= self.seq:
            return clone(self.head)
        marks = self._snapshots.marks
        below = bisect.bisect_right(marks, seq) - 1
        above = below + 1
        use_above = above < len(marks) and (below < 0 or marks[above] - seq < seq - marks[below])
        if use_above:
            start = marks[above]
            doc = clone(self._snapshots.doc(start))
            first = count_upto(self.edits, seq)
            last = count_upto(self.edits, start)
            for edit in reversed(self.edits[first:last]):
                invert(doc, edit.inverse)
            return doc
        if below < 0:
            raise ValueError(f"no snapshot at or before seq {seq}")
        start = marks[below]
        doc = clone(self._snapshots.doc(start))
        first, last = count_upto(self.edits, start), count_upto(self.edits, seq)
        for edit in self.edits[first:last]:
            apply_edit(doc, edit.ops)
        return doc

    # --- queries ----------------------------------------------------------------------

    def has_edit(self, seq: int) -> bool:
        """Whether edit ``seq`` is in this view's history (reads no edit of a lazy view)."""
        return count_upto(self.edits, seq) - count_upto(self.edits, seq - 1) == 1

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
        A ``window`` raises ``IncompleteWindow`` when the walk back reaches its first edit
        before the page is known to be complete (an edit before it could still belong).
        """
        matches = self._matcher(author_id, origin, since, until, measures, parts)
        end = len(self.edits) if before_seq is None else count_upto(self.edits, before_seq - 1)

        def newest_first() -> Iterator[EditRecord]:
            # Walked back from the end, so a page of recent entries reads only its edits.
            for i in range(end - 1, -1, -1):
                if matches(self.edits[i]):
                    yield self.edits[i]
            if self.window_start > 0:
                raise IncompleteWindow(f"the page reaches back past edit {self.window_start}")

        return group_newest_first(
            newest_first(), lambda e: self.descriptions[e.seq], window=window, limit=limit
        )

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
        matches = self._matcher(author_id, origin, since, until, measures, parts)
        return [e for e in edits if matches(e)]

    def _matcher(
        self,
        author_id: Any,
        origin: str | None,
        since: datetime | None,
        until: datetime | None,
        measures: Sequence[str] | None,
        parts: Sequence[str] | None,
    ) -> Callable[[EditRecord], bool]:
        """Whether an edit passes every given filter (per edit: no other edit is read)."""
        want_m = set(measures) if measures else None
        want_p = set(parts) if parts else None
        where = want_m is not None or want_p is not None

        def matches(e: EditRecord) -> bool:
            return (
                (author_id is None or e.author_id == author_id)
                and (origin is None or e.origin == origin)
                and (since is None or e.created_at >= since)
                and (until is None or e.created_at <= until)
                and (not where or self._touches(e.seq, want_m, want_p))
            )

        return matches

    def seqs_touching(
        self, measures: Sequence[str] | None = None, parts: Sequence[str] | None = None
    ) -> list[int]:
        """Edits that changed something in these measures (IDs) and/or parts."""
        want_m = set(measures) if measures else None
        want_p = set(parts) if parts else None
        return [e.seq for e in self.edits if self._touches(e.seq, want_m, want_p)]

    def _touches(self, seq: int, want_m: set[str] | None, want_p: set[str] | None) -> bool:
        return any(
            (want_m is None or measure in want_m)
            and (want_p is None or part in want_p or part == ANY_PART)
            for part, measure in self.places.get(seq, ())
        )

    def plan_revert(self, seqs: Iterable[int]) -> RevertPlan:
        targets = list(seqs)
        # Unwinding from the head needs only the edits from the oldest target on.
        since = count_upto(self.edits, min(targets) - 1) if targets else len(self.edits)
        return plan_revert(self.head, self.edits[since:], targets)

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
