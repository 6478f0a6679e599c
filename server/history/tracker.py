"""Per-edit change tracking: which scope an op group can reach, and what it changed there.

A ``Tracker`` keeps an index from event and note IDs to their bar, so the facts
taken before and after an edit cover only the bars it can reach; this keeps
blame and replay cheap on long histories. Pure: must not import Flask, SQL or Socket.IO.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from server.score import apply_edit, apply_op
from server.score.model import Doc, measure_index
from server.score.ops import EditResult

from .facts import EVERYTHING, Changes, Facts, Key, Scope, diff_facts, facts

Op = dict[str, Any]
Place = tuple[str, str]  # (part id, measure id)

EVENT_OPS = ("set_duration", "set_notes", "delete_event", "set_lyric", "add_note")
NOTE_OPS = ("remove_note", "set_pitch", "set_tie")
BAR_OPS = ("write_event", "set_voice", "set_bar", "set_chord_symbol", "set_dynamic", "set_clef")


def locations(found: Facts) -> dict[str, Place]:
    """Event and note IDs of some facts, each with the bar it sits in."""
    out: dict[str, Place] = {}
    for key, value in found.items():
        if key[0] == "voice":
            for eid in value:
                out[eid] = (key[1], key[2])
    for key, value in found.items():
        if key[0] == "event" and key[2] == "notes" and key[1] in out:
            for nid in value:
                out[nid] = out[key[1]]
    return out


def _time_span(doc: Doc, measure_id: Any) -> set[str]:
    """Measures whose length a time change at ``measure_id`` can alter."""
    try:
        index = measure_index(doc, measure_id)
    except KeyError:
        return set()
    span = {doc["measures"][index]["id"]}
    for m in doc["measures"][index + 1 :]:
        if "time" in m:
            break
        span.add(m["id"])
    return span


def op_scope(doc: Doc, op: Any, where: dict[str, Place]) -> Scope:
    """The regions ``op`` may change when applied to ``doc`` (whose IDs ``where`` locates)."""
    if not isinstance(op, dict):
        return Scope()
    name = op.get("op")
    scope = Scope()
    if name in BAR_OPS:
        if isinstance(op.get("part"), str) and isinstance(op.get("measure"), str):
            scope.bars.add((op["part"], op["measure"]))
    elif name in EVENT_OPS:
        place = where.get(op.get("event"))  # type: ignore[arg-type]
        if place:
            scope.bars.add(place)
    elif name in NOTE_OPS:
        place = where.get(op.get("note"))  # type: ignore[arg-type]
        if place:
            scope.bars.add(place)
    elif name == "transpose":
        for nid in op.get("notes") or []:
            place = where.get(nid) if isinstance(nid, str) else None
            if place:
                scope.bars.add(place)
    elif name in ("set_key", "set_tempo", "set_form"):
        scope.measures = True
    elif name == "set_time":
        scope.measures = True
        scope.measure_bars |= _time_span(doc, op.get("measure"))
    elif name == "insert_measures":
        scope.measures = True
        for spec in op.get("measures") or []:
            if isinstance(spec, dict) and isinstance(spec.get("id"), str):
                scope.measure_bars.add(spec["id"])
    elif name == "remove_measures":
        scope.measures = True
        scope.measure_bars |= {m for m in op.get("ids") or [] if isinstance(m, str)}
    elif name in ("add_part", "remove_part"):
        scope.parts = True
        raw = op.get("part")
        pid = raw.get("id") if isinstance(raw, dict) else raw
        if isinstance(pid, str):
            scope.part_bars.add(pid)
    elif name == "set_part":
        scope.parts = True
    elif name == "set_meta":
        scope.meta = True
    elif name in ("set_spanner", "remove_spanner"):
        scope.spanners = True
    else:  # replace_document, or anything unforeseen: take no chances
        scope.everything = True
    return scope


@dataclass
class Pending:
    """Facts taken before an edit, waiting for the facts after it."""

    scope: Scope
    before: Facts


@dataclass
class Step:
    """The facts of an edit's scope before and after it."""

    before: Facts
    after: Facts

    @property
    def changes(self) -> Changes:
        return diff_facts(self.before, self.after)


class Tracker:
    """Follows one document through edits, reporting each edit's changed facts."""

    def __init__(self, doc: Doc) -> None:
        self.where: dict[str, Place] = locations(facts(doc))

    def scope(self, doc: Doc, ops: Sequence[Any]) -> Scope:
        # Any op may shrink or remove a spanner whose end it takes away.
        scope = Scope(spanners=bool(doc.get("spanners")))
        for op in ops:
            scope.update(op_scope(doc, op, self.where))
            if scope.everything:
                break
        return scope

    def prepare(self, doc: Doc, ops: Sequence[Any]) -> Pending:
        """Call before applying ``ops`` to ``doc``."""
        scope = self.scope(doc, ops)
        return Pending(scope, facts(doc, scope))

    def finish(self, pending: Pending, doc: Doc) -> Step:
        """Call after the ops were applied; returns the step and re-indexes."""
        after = facts(doc, pending.scope)
        if pending.scope.everything:
            self.where = locations(after)
        else:
            for eid in locations(pending.before):
                self.where.pop(eid, None)
            self.where.update(locations(after))
        return Step(pending.before, after)

    def apply(self, doc: Doc, ops: list[Op]) -> tuple[EditResult, Step]:
        """``apply_edit`` with tracking; a refused edit raises and changes nothing."""
        pending = self.prepare(doc, ops)
        result = apply_edit(doc, ops)
        return result, self.finish(pending, doc)

    def unapply(self, doc: Doc, inverse: list[Op]) -> Step:
        """Apply a stored inverse (undo) with tracking: the step runs from after to before."""
        pending = self.prepare(doc, inverse)
        for op in inverse:
            apply_op(doc, op)
        return self.finish(pending, doc)


def op_keys(doc: Doc, op: Op) -> set[Key]:
    """The fine-grained keys ``op`` changes when applied to ``doc`` (left unchanged)."""
    from server.score import clone

    scratch = clone(doc)
    _, step = Tracker(scratch).apply(scratch, [op])
    return set(step.changes)


def whole_changes(doc: Doc, ops: list[Op]) -> tuple[EditResult, Changes]:
    """The reference: apply ``ops`` and diff the whole document (slow, obviously right)."""
    before = facts(doc, EVERYTHING)
    result = apply_edit(doc, ops)
    return result, diff_facts(before, facts(doc, EVERYTHING))
