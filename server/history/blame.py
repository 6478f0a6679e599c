"""Per-element blame: who created each note, lyric, chord symbol and dynamic, who changed it last.

``Blame`` is an incremental structure: each committed edit updates it from the
facts of the bars the edit could reach, so a query never replays the log, and
it serialises to JSON for checkpoints. Pure: must not import Flask, SQL or Socket.IO.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from server.score import apply_edit, clone
from server.score.model import Doc

from .facts import EVERYTHING, Facts, facts
from .records import EditRecord, Stamp, reverted_seqs, stamp_of
from .tracker import Op, Pending, Step, Tracker

INITIAL = Stamp(0, None, "", "initial")
# Removed elements remembered so that an exact restore gets its old blame back. Older ones
# are folded into counters: an unbounded graveyard made 100k-edit checkpoints 20 MB.
GRAVE_LIMIT = 5000
# Earlier states of elements (content and credit), so that a restore or revert putting one
# back credits its writer again; the oldest are forgotten first, for the same reason.
PAST_LIMIT = 5000
KINDS = ("note", "lyric", "mark", "spanner", "harmony", "dynamic")


def lyric_id(event_id: str, verse: str) -> str:
    """Lyrics have no ID of their own; ``#`` never occurs in element IDs."""
    return f"{event_id}#{verse}"


def mark_id(event_id: str, mark: str) -> str:
    """Nor do marks (``e1#staccato``; a verse is a digit, a mark a word)."""
    return f"{event_id}#{mark}"


def elements(found: Facts) -> dict[str, tuple[str, dict[str, Any]]]:
    """The blamed elements in some facts: id -> (kind, properties)."""
    note_event: dict[str, str] = {}
    for key, value in found.items():
        if key[0] == "event" and key[2] == "notes":
            for nid in value:
                note_event[nid] = key[1]
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    for key, value in found.items():
        kind = key[0]
        if kind == "note" and key[2] == "pitch":
            nid = key[1]
            eid = note_event.get(nid)
            props = {
                "pitch": value,
                "tie": found.get(("note", nid, "tie")),
                "duration": found.get(("event", eid, "dur")),
                "event": eid,
            }
            out[nid] = ("note", props)
        elif kind == "event" and key[2] == "lyric":
            out[lyric_id(key[1], key[3])] = ("lyric", {"text": value})
        elif kind == "event" and key[2] == "mark":
            out[mark_id(key[1], key[3])] = ("mark", {"mark": key[3], "value": value})
        elif kind == "spanner":
            out[key[1]] = ("spanner", {"kind": value[0], "start": value[1], "end": value[2]})
        elif kind in ("harmony", "dynamic"):
            prop = "symbol" if kind == "harmony" else "mark"
            out[value[0]] = (kind, {prop: value[1], "position": key[1:]})
    return out


@dataclass(frozen=True)
class Credit:
    """Who an element's content is credited to: its writers, and who last restored it."""

    created: Stamp
    changed: Stamp | None = None
    changed_props: tuple[str, ...] = ()
    restored_by: Stamp | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"created": self.created.to_json()}
        if self.changed:
            out["changed"] = self.changed.to_json()
            out["changed_props"] = list(self.changed_props)
        if self.restored_by:
            out["restored_by"] = self.restored_by.to_json()
        return out

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Credit:
        return cls(
            created=Stamp.from_json(raw["created"]),
            changed=Stamp.from_json(raw["changed"]) if raw.get("changed") else None,
            changed_props=tuple(raw.get("changed_props", ())),
            restored_by=Stamp.from_json(raw["restored_by"]) if raw.get("restored_by") else None,
        )


@dataclass(frozen=True)
class Past:
    """A state an element was in from edit ``since`` until edit ``until`` changed it."""

    since: int
    until: int
    content: dict[str, Any]
    credit: Credit

    def to_json(self) -> dict[str, Any]:
        return {
            "since": self.since,
            "until": self.until,
            "content": _jsonable(self.content),
            **self.credit.to_json(),
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Past:
        return cls(raw["since"], raw["until"], _unjson(raw["content"]), Credit.from_json(raw))


@dataclass
class ElementBlame:
    """The attribution of one element; ``changed`` is None while it is as created.

    ``restored_by`` names the restore or revert that put the current content back (its
    writers keep the credit); ``since`` is the seq its current state began at and ``past``
    its earlier states, oldest first (see ``Blame.past_limit``).
    """

    id: str
    kind: str
    created: Stamp
    changed: Stamp | None = None
    changed_props: tuple[str, ...] = ()
    removed: Stamp | None = None
    content: dict[str, Any] | None = None  # kept only while removed, to recognise a restore
    restored_by: Stamp | None = None
    since: int = 0
    past: list[Past] = field(default_factory=list)

    @property
    def last(self) -> Stamp:
        return self.changed or self.created

    @property
    def via_helper(self) -> bool:
        return self.created.via_helper

    @property
    def credit(self) -> Credit:
        return Credit(self.created, self.changed, self.changed_props, self.restored_by)

    def take(self, credit: Credit) -> None:
        self.created, self.changed = credit.created, credit.changed
        self.changed_props, self.restored_by = credit.changed_props, credit.restored_by

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "kind": self.kind, **self.credit.to_json()}
        if self.removed:
            out["removed"] = self.removed.to_json()
        if self.content is not None:
            out["content"] = _jsonable(self.content)
        if self.since:
            out["since"] = self.since
        if self.past:
            out["past"] = [p.to_json() for p in self.past]
        return out

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> ElementBlame:
        entry = cls(
            id=raw["id"],
            kind=raw["kind"],
            created=Stamp.from_json(raw["created"]),
            removed=Stamp.from_json(raw["removed"]) if raw.get("removed") else None,
            content=_unjson(raw["content"]) if raw.get("content") is not None else None,
            since=raw.get("since", 0),
            past=[Past.from_json(p) for p in raw.get("past", ())],
        )
        entry.take(Credit.from_json(raw))
        return entry


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return {"t": [_jsonable(v) for v in value]}
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def _unjson(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"t"} and isinstance(value["t"], list):
            return tuple(_unjson(v) for v in value["t"])
        return {k: _unjson(v) for k, v in value.items()}
    return value


@dataclass
class Blame:
    """Blame of the current document, updated edit by edit."""

    tracker: Tracker
    seq: int = 0
    live: dict[str, ElementBlame] = field(default_factory=dict)
    gone: dict[str, ElementBlame] = field(default_factory=dict)
    # author id -> notes they created (a restore of a removed note does not count again)
    written: dict[Any, int] = field(default_factory=dict)
    # Notes forgotten from the graveyard, counted: author id -> {"helper", "helper_changed"},
    # and accepting person -> helper notes (see contributions.py).
    retired: dict[Any, dict[str, int]] = field(default_factory=dict)
    retired_accepted: dict[str, int] = field(default_factory=dict)
    grave_limit: int = GRAVE_LIMIT
    # Element ids, one per state kept in some ``ElementBlame.past``, oldest first.
    history: deque[str] = field(default_factory=deque)
    past_limit: int = PAST_LIMIT

    @classmethod
    def start(cls, doc: Doc, stamp: Stamp = INITIAL) -> Blame:
        """Blame of the document at seq 0: everything in it belongs to the initial snapshot."""
        blame = cls(Tracker(doc), seq=stamp.seq)
        for eid, (kind, _) in elements(facts(doc, EVERYTHING)).items():
            blame.live[eid] = ElementBlame(eid, kind, stamp)
        return blame

    # --- updating -----------------------------------------------------------------

    def prepare(self, doc: Doc, ops: Sequence[Op]) -> Pending:
        """Call with the document *before* an edit is applied to it."""
        return self.tracker.prepare(doc, ops)

    def commit(self, edit: EditRecord, pending: Pending, doc_after: Doc) -> None:
        """Call once the edit has been applied to the document given to ``prepare``."""
        self.record_step(edit, self.tracker.finish(pending, doc_after))

    def record_step(self, edit: EditRecord, step: Step) -> None:
        """Update from a step the tracker of this blame has just finished."""
        self.record(stamp_of(edit), step.before, step.after, source_of(edit))

    def apply(self, edit: EditRecord, doc_before: Doc, doc_after: Doc) -> None:
        """Update from an edit given the documents before and after it."""
        self.commit(edit, self.prepare(doc_before, edit.ops), doc_after)

    def replay(self, doc: Doc, edit: EditRecord) -> None:
        """Apply ``edit.ops`` to ``doc`` (in place) and update the blame."""
        pending = self.prepare(doc, edit.ops)
        apply_edit(doc, edit.ops)
        self.commit(edit, pending, doc)

    def record(
        self, stamp: Stamp, before: Facts, after: Facts, source: Source | None = None
    ) -> None:
        """Attribute the difference between two scoped fact sets to ``stamp``.

        ``source`` says what earlier content a restore or revert puts back: an element
        that changes to (or reappears as) an earlier state of itself gets that state's
        credit back, marked ``restored_by`` this stamp.
        """
        self.seq = max(self.seq, stamp.seq)
        old = elements(before)
        new = elements(after)
        for eid, (kind, props) in new.items():
            previous = old.get(eid)
            if previous is None:
                self._appear(eid, kind, props, stamp, source)
                continue
            changed = tuple(
                p for p in props if p != "event" and props[p] != previous[1].get(p)
            ) or (("position",) if props.get("event") != previous[1].get("event") else ())
            if changed:
                entry = self.live[eid]
                self._remember(entry, previous[1], stamp.seq)
                credit = _earlier(entry, props, source) if source else None
                if credit is None:
                    entry.take(Credit(entry.created, stamp, changed))
                else:
                    entry.take(replace(credit, restored_by=stamp))
                entry.since = stamp.seq
        for eid, (_, props) in old.items():
            if eid not in new:
                entry = self.live.pop(eid)
                entry.removed, entry.content = stamp, props
                self.gone[eid] = entry
        while len(self.gone) > self.grave_limit:
            self._retire(self.gone.pop(next(iter(self.gone))))

    def _remember(self, entry: ElementBlame, content: dict[str, Any], until: int) -> None:
        """Keep the state an element is leaving; the oldest kept states are forgotten first."""
        entry.past.append(Past(entry.since, until, content, entry.credit))
        self.history.append(entry.id)
        while len(self.history) > self.past_limit:
            oldest = self.history.popleft()
            holder = self.live.get(oldest) or self.gone.get(oldest)
            if holder is not None and holder.past:
                holder.past.pop(0)

    def _retire(self, entry: ElementBlame) -> None:
        """Forget a long-removed element, keeping what contribution summaries count."""
        if entry.kind != "note" or not entry.created.via_helper:
            return
        fresh = {"helper": 0, "helper_changed": 0}
        counts = self.retired.setdefault(entry.created.author_id, fresh)
        counts["helper"] += 1
        counts["helper_changed"] += changed_by_people(entry)
        who = entry.created.accepted_by or entry.created.author_name
        self.retired_accepted[who] = self.retired_accepted.get(who, 0) + 1

    def _appear(
        self, eid: str, kind: str, props: dict[str, Any], stamp: Stamp, source: Source | None
    ) -> None:
        buried = self.gone.pop(eid, None)
        entry = ElementBlame(eid, kind, stamp, since=stamp.seq)
        if buried is not None and buried.kind == kind:
            # Any edit bringing an element back exactly as it was buried gives it its old
            # blame back; a restore or revert may also bring back an earlier state of it.
            credit = _earlier(buried, props, source or Source())
            if buried.content is not None and buried.removed is not None:
                self._remember(buried, buried.content, buried.removed.seq)
            buried.removed, buried.content = None, None
            if credit is not None:
                buried.take(replace(credit, restored_by=stamp))
                buried.since = stamp.seq
                self.live[eid] = buried
                return
            entry.past = buried.past  # a later restore may still bring one of them back
        self.live[eid] = entry
        if kind == "note":
            self.written[stamp.author_id] = self.written.get(stamp.author_id, 0) + 1

    # --- queries --------------------------------------------------------------------

    def get(self, element_id: str) -> ElementBlame | None:
        return self.live.get(element_id)

    def lyric(self, event_id: str, verse: int | str) -> ElementBlame | None:
        return self.live.get(lyric_id(event_id, str(verse)))

    def of_kind(self, kind: str) -> Iterable[ElementBlame]:
        return (e for e in self.live.values() if e.kind == kind)

    def colours(self) -> dict[str, Any]:
        """Authorship colours: element id -> id of the author who last wrote it."""
        return {eid: e.last.author_id for eid, e in self.live.items()}

    def summary(self) -> dict[str, tuple[Any, ...]]:
        """A comparable digest (used by tests to compare two blames)."""
        return {
            eid: (e.kind, e.created, e.changed, e.changed_props, e.restored_by)
            for eid, e in self.live.items()
        }

    # --- checkpoints ------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "live": [e.to_json() for e in self.live.values()],
            "gone": [e.to_json() for e in self.gone.values()],
            "written": [[k, v] for k, v in self.written.items()],
            "retired": [[k, v] for k, v in self.retired.items()],
            "retired_accepted": self.retired_accepted,
            "history": list(self.history),
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any], doc: Doc) -> Blame:
        """A checkpoint restored; ``doc`` must be the document at the checkpoint's seq."""
        blame = cls(Tracker(doc), seq=raw["seq"])
        for item in raw["live"]:
            blame.live[item["id"]] = ElementBlame.from_json(item)
        for item in raw["gone"]:
            blame.gone[item["id"]] = ElementBlame.from_json(item)
        blame.written = {k: v for k, v in raw["written"]}
        blame.retired = {k: v for k, v in raw.get("retired", [])}
        blame.retired_accepted = dict(raw.get("retired_accepted", {}))
        blame.history = deque(raw.get("history", ()))
        return blame


def changed_by_people(entry: ElementBlame) -> bool:
    """Changed or removed by a non-helper edit after it was created."""
    later = [s for s in (entry.changed, entry.removed) if s is not None]
    return any(s.origin != "helper" and s.seq > entry.created.seq for s in later)


@dataclass(frozen=True)
class Source:
    """What earlier content an edit may put back: a restore names the ``version`` it
    restores; a revert names the edits it ``reverts`` (their states are not the source)."""

    version: int | None = None
    reverts: frozenset[int] = frozenset()
    searches: bool = False  # a restore or revert: any earlier state may come back


def source_of(edit: EditRecord) -> Source | None:
    """The source of a restore or revert edit; None for edits that write new material."""
    meta = edit.meta if isinstance(edit.meta, dict) else {}
    if edit.origin == "restore":
        version = meta.get("version")
        if not isinstance(version, int) or isinstance(version, bool):
            version = None
        return Source(version=version, searches=True)
    if edit.origin == "revert":
        return Source(reverts=frozenset(reverted_seqs(edit)), searches=True)
    return None


def _earlier(entry: ElementBlame, props: dict[str, Any], source: Source) -> Credit | None:
    """The credit of the earlier state of ``entry`` that ``props`` puts back, if any.

    A removed element's last state always counts (an exact restore of a deletion); a
    restore or revert also searches older states: first the one at the restored version,
    then the newest with the same content that no reverted edit made.
    """
    states = list(entry.past) if source.searches else []
    if entry.removed is not None and entry.content is not None:
        states.append(Past(entry.since, entry.removed.seq, entry.content, entry.credit))
    if source.version is not None:
        for state in reversed(states):
            if state.since <= source.version < state.until:
                if state.content == props:
                    return state.credit
                break
    for state in reversed(states):
        if state.since not in source.reverts and _same(state.content, props):
            return state.credit
    return None


def _same(content: dict[str, Any] | None, props: dict[str, Any]) -> bool:
    if content is None:
        return False
    # A note may come back in a new event (a restored voice); pitch, tie and length decide.
    return {k: v for k, v in content.items() if k != "event"} == {
        k: v for k, v in props.items() if k != "event"
    }


def blame(initial_doc: Doc, edits: Iterable[EditRecord]) -> Blame:
    """Blame of the document after ``edits`` (in seq order), replayed from seq 0."""
    doc = clone(initial_doc)
    result = Blame.start(doc)
    for edit in edits:
        result.replay(doc, edit)
    return result


def brute_force_blame(initial_doc: Doc, edits: Iterable[EditRecord]) -> Blame:
    """The same, diffing whole documents at every edit: slow, for checking the fast path."""
    doc = clone(initial_doc)
    result = Blame.start(doc)
    for edit in edits:
        before = facts(doc, EVERYTHING)
        apply_edit(doc, edit.ops)
        result.record(stamp_of(edit), before, facts(doc, EVERYTHING), source_of(edit))
    return result
