"""Selective revert: the ops of a *new* edit that undo chosen past edits where nobody built on them.

A key (one property of one element) changed by a reverted edit is restored only
if no later, non-reverted edit changed the same key; otherwise the later value
is kept and the user is told. Stored inverses are used whole where they restore
exactly those keys; elsewhere finer ops are built and checked key by key.
Pure: must not import Flask, SQL or Socket.IO.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from server.score import InvalidOp, MissingTarget, clone
from server.score.form import FORM_FIELDS
from server.score.model import Doc

from .context import Context, pitch_name
from .facts import EVERYTHING, Changes, Facts, Key, facts, thaw_dur
from .records import EditRecord, reverted_seqs
from .revert_text import key_label
from .tracker import Op, Step, Tracker


@dataclass
class RevertPlan:
    """The ops of the reverting edit and what the user should be told."""

    ops: list[Op] = field(default_factory=list)
    reverted: list[int] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    kept: list[Key] = field(default_factory=list)  # changed later by others: left alone
    unrestored: list[Key] = field(default_factory=list)  # free, but could not be put back
    restored: list[Key] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.ops


@dataclass
class _Touch:
    seq: int
    target: bool
    before: Any
    author: str
    reverts: tuple[int, ...] = ()
    after: Any = None
    version: int | None = None  # a restore: the version it put back

    def undoes(self, seq: int) -> bool:
        return seq in self.reverts


def _echoed(touches: list[_Touch], i: int) -> int | None:
    """The earlier touch whose value a restore or revert at ``i`` put back (an index), if
    that value was written inside the window; a restore of version v puts back the value
    of the last touch up to v, a revert the newest value equal to it it did not revert."""
    touch = touches[i]
    if touch.version is not None:
        j = max((k for k in range(i) if touches[k].seq <= touch.version), default=None)
        return j if j is not None and touches[j].after == touch.after else None
    if touch.reverts:
        return max(
            (
                k
                for k in range(i)
                if touches[k].after == touch.after and touches[k].seq not in touch.reverts
            ),
            default=None,
        )
    return None


def _runs(touches: list[_Touch]) -> list[int | None]:
    """Per touch: None if it is another person's, else the index of the first target of
    the run of targets it continues. A restore or revert that put back a target's value
    continues that target's run: reverting the target reaches the restored value too."""
    runs: list[int | None] = []
    for i, touch in enumerate(touches):
        if touch.target:
            runs.append(runs[i - 1] if i and runs[i - 1] is not None else i)
            continue
        j = _echoed(touches, i)
        runs.append(runs[j] if j is not None else None)
    return runs


@dataclass
class _OpUndo:
    """One op of a reverted edit: its own inverse and the keys it changed (before values)."""

    inverse: list[Op]
    before: dict[Key, Any]


def _unwind(
    doc_now: Doc, edits: Sequence[EditRecord], targets: set[int]
) -> tuple[dict[int, Changes], dict[int, list[_OpUndo]]]:
    """Changes (before, after) of every edit since the oldest target, found by undoing from
    now; and, for each target, its ops one by one (replayed on the document before it)."""
    doc = clone(doc_now)
    tracker = Tracker(doc)
    out: dict[int, Changes] = {}
    per_op: dict[int, list[_OpUndo]] = {}
    oldest = min(targets)
    for edit in reversed(edits):
        if edit.seq < oldest:
            break
        step = tracker.unapply(doc, edit.inverse)
        out[edit.seq] = {k: (after, before) for k, (before, after) in step.changes.items()}
        if edit.seq in targets:
            per_op[edit.seq] = _split(doc, tracker, edit.ops)
    return out, per_op


def _split(doc: Doc, tracker: Tracker, ops: list[Op]) -> list[_OpUndo]:
    """Replay an edit op by op to learn each op's own inverse and changes, then undo it:
    ``doc`` ends as it began (the document before the edit)."""
    out: list[_OpUndo] = []
    for op in ops:
        try:
            result, step = tracker.apply(doc, [op])
        except (InvalidOp, MissingTarget):
            continue
        if result.inverse:
            out.append(_OpUndo(result.inverse, {k: b for k, (b, _) in step.changes.items()}))
    for undo in reversed(out):
        tracker.unapply(doc, undo.inverse)
    return out


def _desired(
    edits: Sequence[EditRecord], changes: dict[int, Changes], targets: set[int]
) -> tuple[
    dict[Key, Any], dict[int, dict[Key, Any]], list[tuple[Key, int, str]], dict[int, set[Key]]
]:
    """Per key: the value to restore; per target: its restorable keys; the conflicts; and
    per target the keys the revert reaches (its own, and where a restore put its value back)."""
    touches: dict[Key, list[_Touch]] = {}
    for edit in edits:
        if edit.seq not in changes:
            continue
        meta = edit.meta if isinstance(edit.meta, dict) else {}
        version = meta.get("version") if edit.origin == "restore" else None
        if not isinstance(version, int) or isinstance(version, bool):
            version = None
        for key, (before, after) in changes[edit.seq].items():
            touches.setdefault(key, []).append(
                _Touch(
                    edit.seq,
                    edit.seq in targets,
                    before,
                    edit.author_name,
                    tuple(reverted_seqs(edit)) if edit.origin == "revert" else (),
                    after,
                    version if edit.seq not in targets else None,
                )
            )
    desired: dict[Key, Any] = {}
    per_target: dict[int, dict[Key, Any]] = {t: {} for t in targets}
    reach: dict[int, set[Key]] = {t: set() for t in targets}
    conflicts: list[tuple[Key, int, str]] = []
    for key, seq_touches in touches.items():
        if not any(t.target for t in seq_touches):
            continue
        runs = _runs(seq_touches)
        last_other = max((i for i, r in enumerate(runs) if r is None), default=-1)
        free = list(range(last_other + 1, len(seq_touches)))
        # Targets whose value a free restore or revert put back are reached through it.
        echoed = {runs[i] for i in free}
        for i, touch in enumerate(seq_touches[: last_other + 1]):
            if not touch.target:
                continue
            if runs[i] in echoed:
                reach[touch.seq].add(key)
                continue
            later = seq_touches[last_other]
            author = later.author if not later.undoes(touch.seq) else ""
            conflicts.append((key, touch.seq, author))
        if free:
            first = runs[free[0]]
            assert first is not None
            desired[key] = seq_touches[first].before
            for i in free:
                touch = seq_touches[i]
                if touch.target:
                    per_target[touch.seq][key] = touch.before
                    reach[touch.seq].add(key)
    return desired, per_target, conflicts, reach


class _Scratch:
    """The document being reverted, with its facts kept current, and checked trial ops."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.tracker = Tracker(doc)
        self.facts: Facts = facts(doc, EVERYTHING)
        self.ops: list[Op] = []

    def try_ops(self, ops: list[Op], allowed: dict[Key, Any]) -> bool:
        """Apply ``ops`` if every key they change lands on its allowed value; else undo."""
        try:
            result, step = self.tracker.apply(self.doc, ops)
        except (InvalidOp, MissingTarget):
            return False
        changes = step.changes
        ok = bool(changes) and all(
            k in allowed and allowed[k] == a for k, (_, a) in changes.items()
        )
        if not ok:
            self.tracker.unapply(self.doc, result.inverse)
            return False
        self._note(step)
        self.ops.extend(ops)
        return True

    def _note(self, step: Step) -> None:
        for key, (_, after) in step.changes.items():
            if after is None:
                self.facts.pop(key, None)
            else:
                self.facts[key] = after


def plan_revert(
    doc_now: Doc, edits_all: Sequence[EditRecord], target_seqs: Iterable[int]
) -> RevertPlan:
    """Plan a new edit reverting ``target_seqs``; ``edits_all`` must lead up to ``doc_now``."""
    edits = sorted(edits_all, key=lambda e: e.seq)
    known = {e.seq for e in edits}
    targets = {s for s in target_seqs if s in known}
    plan = RevertPlan()
    if not targets:
        return plan
    changes, per_op = _unwind(doc_now, edits, targets)
    desired, per_target, conflicts, reach = _desired(edits, changes, targets)
    scratch = _Scratch(clone(doc_now))
    # Whole inverses first, newest first: exact, and they keep rests' and elements' IDs.
    # An edit's stored inverse when all its keys are free, else each free op's own inverse.
    for edit in reversed(edits):
        if edit.seq not in targets or not edit.inverse:
            continue
        mine = per_target[edit.seq]
        if len(mine) == len(changes[edit.seq]) and scratch.try_ops(list(edit.inverse), mine):
            continue
        for undo in reversed(per_op[edit.seq]):
            if all(k in mine for k in undo.before):
                scratch.try_ops(undo.inverse, undo.before)
    pending = {k: v for k, v in desired.items() if scratch.facts.get(k) != v}
    thinned = _fine_ops(scratch, pending, desired, {c[0] for c in conflicts})
    pending = {k: v for k, v in desired.items() if scratch.facts.get(k) != v}
    plan.ops = scratch.ops
    plan.kept = sorted({c[0] for c in conflicts}, key=repr)
    plan.unrestored = sorted(pending, key=repr)
    plan.restored = sorted((k for k in desired if k not in pending), key=repr)
    # A chord that lost the reverted notes is not "kept" as it was: its notes' own
    # messages say what stayed.
    thinned_chords = {("event", eid, "notes") for eid in thinned}
    told = [c for c in conflicts if c[0] not in thinned_chords]
    plan.conflicts = _messages(doc_now, told, plan.unrestored, desired, changes)
    restored = set(plan.restored)
    plan.reverted = sorted(
        t for t in targets if not changes[t] or any(k in restored for k in reach[t])
    )
    return plan


def _bar(key: Key, context: Context) -> tuple[str, str] | None:
    if key[0] in ("voice", "harmony", "dynamic", "clef"):
        return key[1], key[2]
    if key[0] in ("note", "event"):
        return context.locate(key[1])
    return None


def _messages(
    doc_now: Doc,
    conflicts: list[tuple[Key, int, str]],
    unrestored: list[Key],
    desired: dict[Key, Any],
    changes: dict[int, Changes],
) -> list[str]:
    """What to tell the user: one line per kept change, no line twice."""
    context = Context(doc_now)
    messages: list[str] = []
    told: set[tuple[str, str]] = set()
    part_index = {p["id"]: i for i, p in enumerate(doc_now["parts"])}

    def order(key: Key) -> tuple[int, int, str]:
        bar = _bar(key, context)
        if bar is None:
            return (0, 0, repr(key))
        return (context.number(bar[1]) or 0, part_index.get(bar[0], -1), repr(key))

    # Sorted by measure and part: stable across runs and easy to read.
    conflicts = sorted(conflicts, key=lambda c: (order(c[0]), c[1]))
    unrestored = sorted(unrestored, key=order)
    gone: dict[int, str] = {}  # seq -> who removed what it changed (said if nothing else is)
    for key, seq, author in conflicts:
        if key[0] in ("event", "note") and context.locate(key[1]) is None:
            if key[0] == "note" and key[2] == "pitch" and changes[seq][key][1] is not None:
                name = pitch_name(changes[seq][key][1])
                if not author:
                    messages.append(f"{name} (from edit {seq}): edit {seq} was already reverted")
                else:
                    messages.append(f"{name} (from edit {seq}) was removed later by {author}")
            gone.setdefault(seq, author)
            continue  # an event gone since: the message about its bar covers it
        bar = _bar(key, context)
        if bar:
            told.add(bar)
        label = key_label(doc_now, key, context)
        if not author:  # the later edit was itself a revert of this one
            messages.append(f"{label}: edit {seq} was already reverted")
            continue
        messages.append(f"{label} was changed later by {author}; kept")
    for key in unrestored:
        bar = _bar(key, context)
        if key[0] in ("event", "note") and (bar is None or desired[key] is None):
            continue  # part of something that stays or cannot come back: said elsewhere
        if bar in told:
            continue  # this bar already has its explanation
        label = key_label(doc_now, key, context)
        messages.append(f"{label}: later changes depend on it; kept")
    if not messages:
        # Only elements removed since (e.g. a redo of an undone note whose beat a
        # collaborator wrote over): the user must still hear why nothing came back.
        for seq, author in sorted(gone.items()):
            if author:
                messages.append(f"what edit {seq} changed was removed later by {author}; kept")
            else:
                messages.append(f"edit {seq} was already reverted")
    return list(dict.fromkeys(messages))


def _build_event(found: Facts, eid: str, lyrics: dict[str, dict[str, str]]) -> dict[str, Any]:
    marks = {k[3]: v for k, v in found.items() if k[:3] == ("event", eid, "mark")}
    notes = [_note_of(found, nid) for nid in found[("event", eid, "notes")]]
    event: dict[str, Any] = {"id": eid, "dur": thaw_dur(found[("event", eid, "dur")])}
    event["notes"] = notes
    if lyrics.get(eid):
        event["lyrics"] = dict(lyrics[eid])
    if marks:
        event["marks"] = dict(sorted(marks.items()))
    return event


def _fine_ops(
    scratch: _Scratch, pending: dict[Key, Any], desired: dict[Key, Any], held: set[Key]
) -> set[str]:
    """Finer ops for keys the whole inverses did not restore, each checked before it stays."""
    # Overlay of what the document should hold, to rebuild voices and chords from.
    merged: Facts = dict(scratch.facts)
    for key, value in desired.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    lyrics: dict[str, dict[str, str]] = {}
    for key, value in merged.items():
        if key[0] == "event" and key[2] == "lyric":
            lyrics.setdefault(key[1], {})[key[3]] = value
    allowed = dict(desired)
    # Spanners last: their ends must be back first.
    order = ("meta", "part", "measure", "clef", "voice", "event", "note", "harmony", "dynamic")
    order_with_spanners = (*order, "spanner")
    for kind in order_with_spanners:
        for key in sorted((k for k in pending if k[0] == kind), key=repr):
            if scratch.facts.get(key) == desired[key]:
                continue
            try:
                ops = _op_for(key, desired[key], merged, lyrics, scratch.facts)
            except (KeyError, TypeError, ValueError):
                ops = None
            if ops:
                scratch.try_ops(ops, allowed)
    return _thin_events(scratch, allowed, desired, held)


def _thin_events(
    scratch: _Scratch, allowed: dict[Key, Any], desired: dict[Key, Any], held: set[Key]
) -> set[str]:
    """Events still holding notes the reverted edits wrote that nobody changed since (the
    event must stay: a later edit changed one of its notes, its chord or its bar): those
    notes are removed, the rest kept. A helper chord someone tweaked loses its untouched
    helper notes this way; an event the reverted edit created becomes a rest. A note whose
    length someone changed since (its event's duration is ``held``) was changed, as blame
    says: it stays. Returns the IDs of the events thinned."""
    gone = {k for k, v in desired.items() if k[0] == "note" and v is None}
    notes: dict[str, set[Key]] = {}
    for key in scratch.facts:
        if key[0] == "note":
            notes.setdefault(key[1], set()).add(key)
    removable = {nid for nid, keys in notes.items() if keys <= gone}
    thinned: set[str] = set()
    if not removable:
        return thinned
    for key, current in list(scratch.facts.items()):
        if key[0] != "event" or key[2] != "notes" or not set(current) & removable:
            continue
        if key in desired and desired[key] == current:
            continue  # the chord is as it should be: its notes stay with it
        if ("event", key[1], "dur") in held:
            continue
        keep = tuple(nid for nid in current if nid not in removable)
        relaxed = dict(allowed)
        relaxed[key] = keep
        kept = [_note_of(scratch.facts, nid) for nid in keep]
        if scratch.try_ops([{"op": "set_notes", "event": key[1], "notes": kept}], relaxed):
            thinned.add(key[1])
    return thinned


def _note_of(found: Facts, nid: str) -> dict[str, Any]:
    step, alter, octave = found[("note", nid, "pitch")]
    note: dict[str, Any] = {"id": nid, "step": step, "alter": alter, "octave": octave}
    if found.get(("note", nid, "tie")):
        note["tie"] = True
    return note


def _op_for(
    key: Key, value: Any, merged: Facts, lyrics: dict[str, dict[str, str]], now: Facts
) -> list[Op] | None:
    kind = key[0]
    if kind == "meta":
        return [{"op": "set_meta", key[1]: value if value is not None else ""}]
    if kind in ("part", "measure") and key[2] == "after":
        return _remove_structure(key, value, now)
    if kind == "part" and value is not None and ("part", key[1], "after") in now:
        return [{"op": "set_part", "part": key[1], key[2]: value}]
    if kind == "measure" and key[2] in FORM_FIELDS:
        shown = list(value) if isinstance(value, tuple) else value
        return [{"op": "set_form", "measure": key[1], "field": key[2], "value": shown}]
    if kind == "measure":
        shown = list(value) if isinstance(value, tuple) else value
        return [{"op": f"set_{key[2]}", "measure": key[1], key[2]: shown}]
    if kind == "clef":
        return [{"op": "set_clef", "part": key[1], "measure": key[2], "clef": value}]
    if kind == "voice":
        events = None if value is None else [_build_event(merged, e, lyrics) for e in value]
        return [
            {
                "op": "set_voice",
                "part": key[1],
                "measure": key[2],
                "voice": key[3],
                "events": events,
            }
        ]
    if kind == "event" and key[2] == "notes" and value is not None:
        event = _build_event(merged, key[1], lyrics)
        ops: list[Op] = [{"op": "set_notes", "event": key[1], "notes": event["notes"]}]
        ops += [
            {"op": "set_lyric", "event": key[1], "verse": int(v), "text": t}
            for v, t in event.get("lyrics", {}).items()
        ]
        ops += [
            {"op": "set_mark", "event": key[1], "mark": m, "value": v}
            for m, v in event.get("marks", {}).items()
        ]
        return ops
    if kind == "event" and key[2] == "lyric":
        return [{"op": "set_lyric", "event": key[1], "verse": int(key[3]), "text": value or ""}]
    if kind == "event" and key[2] == "mark":
        return [{"op": "set_mark", "event": key[1], "mark": key[3], "value": value}]
    if kind == "note" and value is not None:
        if key[2] == "pitch":
            step, alter, octave = value
            return [
                {"op": "set_pitch", "note": key[1], "step": step, "alter": alter, "octave": octave}
            ]
        return [{"op": "set_tie", "note": key[1], "tie": bool(value)}]
    if kind == "spanner":
        if value is None:
            return [{"op": "remove_spanner", "id": key[1]}]
        spanner = {"id": key[1], "kind": value[0], "start": value[1], "end": value[2]}
        return [{"op": "set_spanner", "spanner": spanner}]
    if kind in ("harmony", "dynamic"):
        name, field_name = (
            ("set_chord_symbol", "symbol") if kind == "harmony" else ("set_dynamic", "mark")
        )
        base = {"op": name, "part": key[1], "measure": key[2], "offset": key[3]}
        clear = {**base, field_name: None}
        if value is None:
            return [clear]
        put = {**base, field_name: value[1], "id": value[0]}
        current = now.get(key)
        return [put] if current is None else [clear, put]
    return None


def _remove_structure(key: Key, value: Any, now: Facts) -> list[Op] | None:
    """Remove a measure or part the reverted edit added. Putting back removed ones is left
    to stored inverses, which hold their whole content."""
    if value is not None or (key[0], key[1], "after") not in now:
        return None
    if key[0] == "part":
        return [{"op": "remove_part", "part": key[1]}]
    ops: list[Op] = [{"op": "remove_measures", "ids": [key[1]]}]
    following = next(
        (k[1] for k, v in now.items() if k[0] == "measure" and k[2] == "after" and v == key[1]),
        None,
    )
    if following is not None:
        # Removing a measure pins the next one's inherited attributes; unpin them again.
        ops += [
            {"op": f"set_{attr}", "measure": following, attr: None}
            for attr in ("time", "key", "tempo")
            if ("measure", following, attr) not in now
        ]
    return ops


def plan_restore(doc_now: Doc, doc_then: Doc) -> list[Op]:
    """Ops restoring the whole score to an earlier version: one ``replace_document``."""
    if doc_now == doc_then:
        return []
    return [{"op": "replace_document", "doc": clone(doc_then)}]
