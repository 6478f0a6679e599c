"""``HistoryService``: the history use cases of the product (entries, blame, versions, diffs,
selective revert, restore, exports) over the ``EditLog``, the record repositories it needs
and ``server.history``.

Keeps one ``HistoryView`` per recently used score (``HistoryViews``), advanced with the new
edits, so queries never replay the log; views are resumed from (and saved to) checkpoints in
the database so a new process does not replay either, and a resumed view reads old edits
and snapshots only when a query needs them. A page of recent entries, asked before the
score's view is built, is answered from a window of the newest edits instead. No Flask,
Socket.IO or SQL: the web layer calls this and broadcasts the edits it returns.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .auth.roles import require
from .editing import CommittedEdit, EditLog
from .errors import TuttiError
from .history import HistoryView, by_author, by_origin, in_time_range, to_csv, to_json
from .history.entries import HistoryEntry
from .history.lazy import EditPages, Snapshots, count_upto
from .history.records import ORIGINS
from .history.undone import revert_outcome, undone_by
from .history.view import IncompleteWindow
from .persistence import HistoryCheckpoints, Members, Repositories, Users, Versions
from .score import InvalidOp
from .score.model import Doc

#: History views kept in memory (one per score recently asked about).
MAX_VIEWS = 16
#: Byte budget of one process's history views (estimated: ``HistoryView.approx_bytes``).
VIEWS_BYTES = 256 * 1024 * 1024
#: A view's size is estimated again once it is this many edits past its last estimate.
RESIZE_EVERY = 50
PAUSE_EVERY = 200
#: Edits read from the log per query while building a view (a pause between pages: reading
#: and parsing 100,000 rows in one go would hold the event loop for seconds).
EDITS_PAGE = 1000
#: A page of entries asked before the view is built replays this many of the newest edits
#: (times the page size), doubled until the page is complete, up to ``WINDOW_MAX`` edits;
#: past that the view is built (resumed) instead.
WINDOW_PER_ENTRY = 2
WINDOW_MAX = 4096
#: Save a view's checkpoint once it is this many edits past the last one stored.
CHECKPOINT_EVERY = 1000
#: Bump when ``HistoryView.state()`` (or this envelope) changes shape: older checkpoints
#: are then ignored and the log is replayed once.
CHECKPOINT_FORMAT = 2  # 2: blame keeps earlier states (restored credit)
#: A resumed view gets stored snapshots this far apart, so ``doc_at`` replays at most
#: half of it (the spacing of a replayed view's own checkpoints).
SNAPSHOT_SPACING = 500

#: What each role check guards, for the refusal's message.
_ACTIONS = {"viewer": "read this score's history", "editor": "change this score's history",
            "owner": "manage this score"}  # fmt: skip

log = logging.getLogger(__name__)


class HistoryError(TuttiError):
    """A refused history request: ``code`` is snake_case, ``message`` is for people."""


class StaleCheckpoint(ValueError):
    """A stored checkpoint that does not belong to this log or this code (never used)."""


class HistoryViews:
    """One ``HistoryView`` per score, built once and fed each new edit (most recent last).

    Shared by every use case that reads history in this process (the helper's service may
    use ``get`` too); ``lock`` serialises work on the views. A view is built from the
    score's newest stored checkpoint when there is a sound one (else by replaying the log)
    and a new checkpoint is stored every ``checkpoint_every`` edits (``None``: never).
    """

    def __init__(
        self,
        scores: EditLog,
        checkpoints: HistoryCheckpoints,
        max_views: int = MAX_VIEWS,
        *,
        cache_bytes: int = VIEWS_BYTES,
        pause: Callable[[], None] | None = None,
        checkpoint_every: int | None = CHECKPOINT_EVERY,
        snapshot_spacing: int = SNAPSHOT_SPACING,
    ) -> None:
        self.scores = scores
        self.checkpoints = checkpoints
        self.max_views = max_views
        self.cache_bytes = cache_bytes
        # Per score: (seq, estimated bytes) of its view, re-estimated as it moves on.
        self._sizes: dict[str, tuple[int, int]] = {}
        # Building a view replays the whole log (about a minute at 100,000 edits): ``pause``
        # (the server passes ``socketio.sleep``) is called every ``PAUSE_EVERY`` edits so a
        # cooperative server keeps serving sockets meanwhile.
        self.pause = pause
        self.checkpoint_every = checkpoint_every
        self.snapshot_spacing = snapshot_spacing
        self.lock = threading.RLock()
        self._views: OrderedDict[str, HistoryView] = OrderedDict()
        # Windows of the newest edits that answered pages while a score had no view.
        self._windows: OrderedDict[str, HistoryView] = OrderedDict()
        # Per score: the seq of the newest checkpoint this process stored or resumed from.
        self._saved: dict[str, int] = {}
        self._resumed: dict[str, int] = {}

    def _build(self, score_id: str) -> HistoryView:
        view = self._resume(score_id)
        if view is None:
            view = HistoryView(self.scores.doc_at(score_id, 0))
        for n, edit in enumerate(self._edits(score_id, view.seq, None), 1):
            view.append(edit)
            if self.pause is not None and n % PAUSE_EVERY == 0:
                self.pause()
        return view

    def _edits(self, score_id: str, after: int, upto: int | None) -> Iterator[CommittedEdit]:
        """Edits ``after < seq <= upto`` (None: the head now), ``EDITS_PAGE`` per query."""
        last = self.scores.head_seq(score_id) if upto is None else upto
        for start in range(after + 1, last + 1, EDITS_PAGE):
            if start > after + 1:
                self._pause()
            yield from self.scores.edits(
                score_id, from_seq=start, to_seq=min(start + EDITS_PAGE - 1, last)
            )

    def _resume(self, score_id: str) -> HistoryView | None:
        """The view rebuilt from the newest stored checkpoint, or None (then: replay).

        Checkpoints are a cache: whatever is wrong with one (unreadable, another format,
        not this log) is logged and the log is replayed instead.
        """
        self._saved[score_id] = self._resumed[score_id] = 0
        if self.checkpoint_every is None:
            return None
        try:
            found = self.checkpoints.latest_history_checkpoint(
                score_id, pause=self.pause, lazy=True
            )
            if found is None:
                return None
            seq, stored = found
            view = self._from_checkpoint(score_id, seq, stored)
        except Exception as exc:  # any damage at all: replaying is always right
            log.warning("score %s: history checkpoint not used (%s); replaying", score_id, exc)
            return None
        self._saved[score_id] = self._resumed[score_id] = seq
        return view

    def resumed_from(self, score_id: str) -> int:
        """The checkpoint seq the score's view was last built from (0: it replayed the log)."""
        return self._resumed.get(score_id, 0)

    def _from_checkpoint(self, score_id: str, seq: int, stored: dict[str, Any]) -> HistoryView:
        if stored.get("format") != CHECKPOINT_FORMAT:
            raise StaleCheckpoint(f"format {stored.get('format')!r}, not {CHECKPOINT_FORMAT}")
        state = stored.get("view")
        if stored.get("score_id") != score_id or not isinstance(state, dict):
            raise StaleCheckpoint("not a checkpoint of this score")
        if stored.get("seq") != seq or state.get("seq") != seq or seq < 1:
            raise StaleCheckpoint(f"seq {stored.get('seq')!r} stored under {seq}")
        # The edit's chain hash covers the whole log up to it: same hash, same history.
        if self.checkpoints.edit_hash_at(score_id, seq) != stored.get("log_hash"):
            raise StaleCheckpoint(f"edit {seq} is not the one the checkpoint was built on")
        if self.scores.head_seq(score_id) < seq:
            raise StaleCheckpoint(f"the log ends before {seq}")
        # Each step below runs in one go; pausing between them keeps sockets served. Old
        # edits and snapshots are read only when a query needs them (``EditPages``).
        doc = self.scores.doc_at(score_id, seq)
        self._pause()
        edits = EditPages(
            lambda first, last: self.scores.edits(score_id, from_seq=first, to_seq=last),
            seq,
            pause=self.pause,
        )
        marks = self.checkpoints.spaced_snapshot_seqs(score_id, seq, self.snapshot_spacing)
        snapshots = Snapshots(lazy=marks, load=lambda at: self.checkpoints.snapshot(score_id, at))
        return HistoryView.resume(state, doc, edits, snapshots=snapshots)

    def _pause(self) -> None:
        if self.pause is not None:
            self.pause()

    def _save_if_due(self, score_id: str, view: HistoryView) -> None:
        """Store the view's state when it is ``checkpoint_every`` edits past the last one."""
        every = self.checkpoint_every
        if every is None or view.seq - self._saved.get(score_id, 0) < every:
            return
        # Tried once per interval even if it fails: a cache must never make requests fail.
        self._saved[score_id] = view.seq
        try:
            stored = {
                "format": CHECKPOINT_FORMAT,
                "score_id": score_id,
                "seq": view.seq,
                "log_hash": self.checkpoints.edit_hash_at(score_id, view.seq),
                "view": view.state(),
            }
            self._pause()
            self.checkpoints.save_history_checkpoint(score_id, view.seq, stored, pause=self.pause)
        except Exception as exc:  # the next interval tries again
            log.warning("score %s: history checkpoint not saved (%s)", score_id, exc)

    def cached(self, score_id: str) -> HistoryView | None:
        """The score's view brought to the head if this process holds one, else None."""
        with self.lock:
            if score_id not in self._views:
                return None
            return self.get(score_id)

    def window(self, score_id: str, size: int) -> HistoryView:
        """A ``HistoryView.window`` holding at least the newest ``size`` edits; the document
        before them comes from the log's nearest snapshot. Kept (like the views) and fed
        new edits, so the next page request replays only what was committed since."""
        with self.lock:
            found = self._windows.pop(score_id, None)
            if found is not None:
                for edit in self.scores.edits_since(score_id, found.seq):
                    found.append(edit)
                if found.window_start > 0 and found.seq - found.window_start < size:
                    found = None  # too short for this page: a longer one below
            if found is None:
                start = max(0, self.scores.head_seq(score_id) - size)
                doc = self.scores.doc_at(score_id, start)
                found = HistoryView.window(doc, start, self.scores.edits_since(score_id, start))
            self._windows[score_id] = found
            while len(self._windows) > self.max_views:
                self._windows.popitem(last=False)
            return found

    def get(self, score_id: str) -> HistoryView:
        """The score's view at the current head (raises ``ScoreNotFound``)."""
        with self.lock:
            view = self._views.get(score_id)
            if view is None:
                view = self._build(score_id)
                self._views[score_id] = view
                self._windows.pop(score_id, None)  # the view answers pages from now on
            else:
                self._views.move_to_end(score_id)
                for edit in self.scores.edits_since(score_id, view.seq):
                    view.append(edit)
            self._evict(score_id, view)
            self._save_if_due(score_id, view)
            return view

    def _evict(self, score_id: str, view: HistoryView) -> None:
        """Drop the least recently used views beyond ``max_views`` or while their estimated
        sizes add up to more than ``cache_bytes``; never the one just asked for."""
        seen = self._sizes.get(score_id)
        if seen is None or view.seq - seen[0] >= RESIZE_EVERY:
            self._sizes[score_id] = (view.seq, view.approx_bytes())
        total = sum(self._sizes.get(s, (0, 0))[1] for s in self._views)
        for old in list(self._views):
            if old == score_id:
                continue
            if len(self._views) <= self.max_views and total <= self.cache_bytes:
                break
            del self._views[old]
            total -= self._sizes.pop(old, (0, 0))[1]

    def cached_bytes(self) -> int:
        """The estimated size of the views held (as of their last estimates)."""
        with self.lock:
            return sum(self._sizes.get(s, (0, 0))[1] for s in self._views)


@dataclass
class Filters:
    """What ``GET /history`` and revert selectors accept (all optional)."""

    author_id: int | None = None
    origin: str | None = None
    parts: list[str] = field(default_factory=list)
    from_measure: str | None = None  # measure number (1-based) or ID, in the current score
    to_measure: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def measure_ids(doc: Doc, first: str | None, last: str | None) -> list[str] | None:
    """IDs of the measures ``first..last`` (numbers or IDs; either end open), or None."""
    if first is None and last is None:
        return None
    ids = [m["id"] for m in doc["measures"]]

    def index(value: str | None, default: int) -> int:
        if value is None or value == "":
            return default
        if value in ids:
            return ids.index(value)
        if value.isdigit() and 1 <= int(value) <= len(ids):
            return int(value) - 1
        raise HistoryError("bad_request", f"no measure {value!r} in this score")

    lo, hi = index(first, 0), index(last, len(ids) - 1)
    return ids[min(lo, hi) : max(lo, hi) + 1]


class HistoryService:
    """History actions on one ``EditLog``; every method checks the caller's role."""

    def __init__(
        self,
        scores: EditLog,
        *,
        users: Users,
        members: Members,
        versions: Versions,
        views: HistoryViews,
    ) -> None:
        self.scores = scores
        self.users = users
        self.members = members
        self.version_store = versions  # ``versions`` is the use case's own method
        self.views = views
        self._people: dict[int, dict[str, Any]] = {}

    @classmethod
    def over(
        cls, scores: EditLog, repos: Repositories, views: HistoryViews | None = None
    ) -> HistoryService:
        """Wired from ``repos`` (the repositories it needs), with its own views by default."""
        if views is None:
            views = HistoryViews(scores, repos.checkpoints)
        return cls(
            scores, users=repos.users, members=repos.members, versions=repos.versions, views=views
        )

    # --- who ------------------------------------------------------------------------------

    def require(self, score_id: str, user_id: int, needed: str) -> str:
        """The caller's role; ``AuthError("forbidden")`` unless it grants ``needed``."""
        return require(self.members.role_of(score_id, user_id), needed, _ACTIONS[needed])

    def person(self, user_id: Any) -> dict[str, Any]:
        """``{id, name, colour}`` of a user (cached: names and colours rarely change)."""
        if user_id is None:
            return {"id": None, "name": "", "colour": "#888888"}
        uid = int(user_id)
        if uid not in self._people:
            row = self.users.user_by_id(uid) or {}
            self._people[uid] = {
                "id": uid,
                "name": str(row.get("display_name") or row.get("name") or f"user {uid}"),
                "colour": str(row.get("colour") or "#888888"),
            }
        return self._people[uid]

    def _authors(self, ids: Sequence[Any]) -> dict[str, dict[str, Any]]:
        return {str(i): self.person(i) for i in sorted({i for i in ids if i is not None})}

    # --- reading --------------------------------------------------------------------------

    def _select(self, view: HistoryView, f: Filters) -> list[int]:
        """Seqs of the edits matching every filter, in order."""
        edits = view.edits
        chosen = set(e.seq for e in edits)
        if f.author_id is not None:
            chosen &= set(by_author(edits, f.author_id))
        if f.origin is not None:
            chosen &= set(by_origin(edits, f.origin))
        if f.since is not None or f.until is not None:
            chosen &= set(in_time_range(edits, f.since, f.until))
        measures = measure_ids(view.head, f.from_measure, f.to_measure)
        if measures is not None or f.parts:
            chosen &= set(view.seqs_touching(measures, f.parts or None))
        return sorted(chosen)

    def history(
        self,
        score_id: str,
        user_id: int,
        f: Filters,
        *,
        group: bool = True,
        limit: int | None = None,
        before_seq: int | None = None,
        expand: int | None = None,
    ) -> dict[str, Any]:
        """History entries, newest last, with author colours.

        ``expand``: instead, one entry per edit of the entry (under the same filters and
        grouping) that holds edit ``expand``, so each can be seen and reverted alone.
        """
        self.require(score_id, user_id, "viewer")
        if f.origin is not None and f.origin not in ORIGINS:
            raise HistoryError("bad_request", f"origin must be one of {ORIGINS}")
        filters: dict[str, Any] = {
            "author_id": f.author_id,
            "origin": f.origin,
            "since": f.since,
            "until": f.until,
            "parts": f.parts or None,
            "window": 60.0 if group else -1.0,
        }

        def query(view: HistoryView) -> list[HistoryEntry]:
            measures = measure_ids(view.head, f.from_measure, f.to_measure)
            if expand is None:
                return view.entries(
                    **filters, measures=measures, limit=limit, before_seq=before_seq
                )
            expanded = view.expand(expand, **filters, measures=measures)
            if expanded is None:
                raise HistoryError("not_found", f"no edit {expand} matches these filters")
            return expanded

        with self.views.lock:
            view = self.views.cached(score_id)
            page = view is None and expand is None and bool(limit)
            found = self._recent(score_id, query, limit or 0) if page else None
            if found is None:
                view = self.views.get(score_id)
                found = query(view), view.seq
        entries, head = found
        out = []
        for entry in entries:
            raw = entry.to_json()
            raw["author"] = self.person(entry.author_id)
            out.append(raw)
        result: dict[str, Any] = {"head": head, "entries": out}
        if expand is not None:
            result["expanded"] = [s for entry in entries for s in entry.seqs]
        return result

    def _recent(
        self, score_id: str, query: Callable[[HistoryView], list[HistoryEntry]], limit: int
    ) -> tuple[list[HistoryEntry], int] | None:
        """A page of ``limit`` entries from windows of the newest edits, or None when it
        reaches back further than ``WINDOW_MAX`` edits. A window's page is the full view's
        unless the window says it is incomplete (``IncompleteWindow``)."""
        size = WINDOW_PER_ENTRY * limit
        while size <= WINDOW_MAX:
            view = self.views.window(score_id, size)
            try:
                return query(view), view.seq
            except IncompleteWindow:
                size *= 2
        return None

    def blame(self, score_id: str, user_id: int) -> dict[str, Any]:
        """Every element's blame, the authorship colour map and the people in it."""
        self.require(score_id, user_id, "viewer")
        with self.views.lock:
            view = self.views.get(score_id)
            b = view.blame()
            elements = {eid: _element(e) for eid, e in b.live.items()}
            colours = b.colours()
            head = view.seq
        authors = self._authors(list(colours.values()))
        return {
            "head": head,
            "elements": elements,
            "colours": {eid: str(a) for eid, a in colours.items() if a is not None},
            "authors": authors,
        }

    def blame_of(self, score_id: str, user_id: int, element_id: str) -> dict[str, Any]:
        self.require(score_id, user_id, "viewer")
        with self.views.lock:
            view = self.views.get(score_id)
            entry = view.blame().get(element_id)
            head = view.seq
        if entry is None:
            raise HistoryError("not_found", f"no element {element_id!r} in the score now")
        found = _element(entry)
        for key in ("created", "changed", "restored_by"):
            if key in found:
                found[key]["author"] = self.person(found[key]["author_id"])
        return {"head": head, "element": found}

    def doc_at(self, score_id: str, user_id: int, seq: int | None) -> tuple[Doc, int, int]:
        """(document after ``seq``, seq, head); ``None`` means the head."""
        self.require(score_id, user_id, "viewer")
        with self.views.lock:
            view = self.views.get(score_id)
            head = view.seq
            at = head if seq is None else seq
            if not 0 <= at <= head:
                raise HistoryError("bad_request", f"seq must be 0..{head}")
            return view.doc_at(at), at, head

    def diff(self, score_id: str, user_id: int, seq_a: int, seq_b: int | None) -> dict[str, Any]:
        self.require(score_id, user_id, "viewer")
        with self.views.lock:
            view = self.views.get(score_id)
            head = view.seq
            b = head if seq_b is None else seq_b
            for s in (seq_a, b):
                if not 0 <= s <= head:
                    raise HistoryError("bad_request", f"seq must be 0..{head}")
            result = view.diff(seq_a, b)
        return {
            "from": seq_a,
            "to": b,
            "head": head,
            **result.to_json(),
            "added": result.ids("added"),
            "removed": result.ids("removed"),
            "changed": result.ids("changed"),
        }

    def contributions(self, score_id: str, user_id: int) -> dict[str, Any]:
        self.require(score_id, user_id, "viewer")
        with self.views.lock:
            view = self.views.get(score_id)
            summaries = [a.to_json() for a in view.contributions()]
            head = view.seq
        for s in summaries:
            s["person"] = self.person(s.get("author_id"))
        return {"head": head, "authors": summaries}

    def export(self, score_id: str, user_id: int, fmt: str) -> str | list[dict[str, Any]]:
        """The whole history as CSV text or JSON-ready rows."""
        self.require(score_id, user_id, "viewer")
        if fmt not in ("csv", "json"):
            raise HistoryError("bad_request", "format must be csv or json")
        with self.views.lock:
            rows = self.views.get(score_id).rows()
        return to_csv(rows) if fmt == "csv" else to_json(rows)

    # --- versions -------------------------------------------------------------------------

    def versions(self, score_id: str, user_id: int) -> list[dict[str, Any]]:
        self.require(score_id, user_id, "viewer")
        return [self._version(row) for row in self.version_store.versions(score_id)]

    def _version(self, row: dict[str, Any]) -> dict[str, Any]:
        item = {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row.items()}
        item["author"] = self.person(item.get("author_id"))
        return item

    def create_version(
        self, score_id: str, user_id: int, label: Any, seq: Any = None
    ) -> dict[str, Any]:
        self.require(score_id, user_id, "editor")
        if not isinstance(label, str) or not label.strip() or len(label) > 200:
            raise HistoryError("bad_request", "a version needs a label of 1..200 characters")
        if seq is not None and (not isinstance(seq, int) or isinstance(seq, bool)):
            raise HistoryError("bad_request", "seq must be an integer")
        try:
            row = self.version_store.create_version(score_id, label.strip(), user_id, seq)
        except ValueError as exc:
            raise HistoryError("bad_request", str(exc)) from None
        return self._version(row)

    # --- writing --------------------------------------------------------------------------

    def revert(
        self, score_id: str, user_id: int, seqs: list[int] | None, f: Filters | None
    ) -> tuple[dict[str, Any], CommittedEdit | None]:
        """Undo the chosen edits in one new ``revert`` edit by ``user_id``.

        ``seqs`` or the selector ``f`` chooses. Later changes by others are kept and listed
        in ``conflicts``. Returns (report, the committed edit or None when nothing changed).
        """
        self.require(score_id, user_id, "editor")
        with self.views.lock:
            view = self.views.get(score_id)
            if seqs is None:
                assert f is not None
                origins = {e.seq: e.origin for e in view.edits}
                # A selector never undoes a revert or a restore by accident: those are
                # undone only when named by seq.
                seqs = [s for s in self._select(view, f) if origins[s] not in ("revert", "restore")]
            unknown = [s for s in seqs if not view.has_edit(s)]
            if unknown:
                raise HistoryError("bad_request", f"no edit {unknown[0]} in this score")
            if not seqs:
                raise HistoryError("nothing_selected", "no edit matches that selection")
            plan = view.plan_revert(seqs)
            # Only edits after the oldest target can have undone one (or undone a revert).
            since = count_upto(view.edits, min(seqs) - 1)
            undone = undone_by(view.edits[since:])
            report: dict[str, Any] = {
                "requested": seqs,
                "reverted": plan.reverted,
                "conflicts": list(plan.conflicts),
                "already_reverted": [s for s in seqs if s in undone],
                "seq": None,
            }
            if plan.empty:
                report["outcome"] = revert_outcome(
                    seqs, False, plan.conflicts, report["already_reverted"]
                )
                return report, None
            try:
                edit = self.scores.submit(
                    score_id, user_id, plan.ops, origin="revert", meta={"reverts": plan.reverted}
                )
            except InvalidOp as exc:
                raise HistoryError("invalid_op", exc.message) from None
        report["seq"] = edit.seq
        report["outcome"] = revert_outcome(seqs, True, plan.conflicts, report["already_reverted"])
        return report, edit

    def seq_of_own_edit(self, score_id: str, user_id: int, client_id: str, client_seq: int) -> int:
        """The seq of ``user_id``'s edit sent as (``client_id``, ``client_seq``).

        How a client names its own edit before it learnt the edit's seq (an undo pressed
        just after typing). ``not_stored``: no such edit of this user in the log (not
        sent yet, or refused); another user's edit is never found this way.
        """
        self.require(score_id, user_id, "viewer")
        with self.views.lock:
            view = self.views.get(score_id)
            for edit in reversed(view.edits):  # an undo names a recent edit: newest first
                if (
                    getattr(edit, "client_seq", None) == client_seq
                    and getattr(edit, "client_id", None) == client_id
                ):
                    if edit.author_id == user_id:
                        return edit.seq
                    break
        raise HistoryError("not_stored", "that edit is not stored (yet) on the server")

    def restore(
        self, score_id: str, user_id: int, seq: Any
    ) -> tuple[dict[str, Any], CommittedEdit | None]:
        """Make the score as it was after ``seq``, as one new ``restore`` edit."""
        self.require(score_id, user_id, "editor")
        if not isinstance(seq, int) or isinstance(seq, bool):
            raise HistoryError("bad_request", "seq must be an integer")
        with self.views.lock:
            view = self.views.get(score_id)
            if not 0 <= seq <= view.seq:
                raise HistoryError("bad_request", f"seq must be 0..{view.seq}")
            ops = view.plan_restore(seq)
            if not ops:
                return {"restored": seq, "seq": None, "unchanged": True}, None
            meta: dict[str, Any] = {"version": seq}
            label = next(
                (v["label"] for v in self.version_store.versions(score_id) if v["seq"] == seq), None
            )
            if label:
                meta["label"] = label
            try:
                edit = self.scores.submit(score_id, user_id, ops, origin="restore", meta=meta)
            except InvalidOp as exc:
                raise HistoryError("invalid_op", exc.message) from None
        return {"restored": seq, "seq": edit.seq, "unchanged": False}, edit


def _element(entry: Any) -> dict[str, Any]:
    raw: dict[str, Any] = entry.to_json()
    for internal in ("content", "past", "since"):
        raw.pop(internal, None)
    raw["via_helper"] = entry.via_helper
    return raw


__all__ = [
    "Filters",
    "HistoryError",
    "HistoryService",
    "HistoryViews",
    "StaleCheckpoint",
    "measure_ids",
]
