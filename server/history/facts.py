"""The document as a flat map of fine-grained facts, and the keys an op touches.

A *fact* is one property of one element, keyed by a tuple such as
``("note", id, "pitch")``; two documents differ exactly where their facts do.
Facts can be taken for a *scope* (a few bars) so per-edit work stays small.
Pure: must not import Flask, SQL or Socket.IO.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from server.score.model import Doc, find_part

Key = tuple[Any, ...]
Facts = dict[Key, Any]
# key -> (before, after); ``None`` stands for "absent".
Changes = dict[Key, tuple[Any, Any]]

META_KEYS = ("title", "composer")
PART_PROPS = ("name", "instrument", "clef", "transposition")
ATTRS = ("time", "key", "tempo", "barline", "repeat_start", "repeat_end", "ending", "rehearsal")


def freeze_dur(dur: dict[str, Any]) -> tuple[Any, ...]:
    tuplet = dur.get("tuplet")
    return (dur["type"], dur.get("dots", 0), tuple(tuplet) if tuplet else None)


def thaw_dur(value: tuple[Any, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {"type": value[0]}
    if value[1]:
        out["dots"] = value[1]
    if value[2]:
        out["tuplet"] = list(value[2])
    return out


def _freeze(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def bar_facts(out: Facts, part_id: str, measure_id: str, bar: dict[str, Any]) -> None:
    """Add the facts of one bar (its voices, events, notes, annotations) to ``out``."""
    if "clef" in bar:
        out[("clef", part_id, measure_id)] = bar["clef"]
    for voice, events in bar["voices"].items():
        out[("voice", part_id, measure_id, voice)] = tuple(e["id"] for e in events)
        for event in events:
            eid = event["id"]
            out[("event", eid, "dur")] = freeze_dur(event["dur"])
            out[("event", eid, "notes")] = tuple(n["id"] for n in event["notes"])
            for verse, text in event.get("lyrics", {}).items():
                out[("event", eid, "lyric", verse)] = text
            for mark, value in event.get("marks", {}).items():
                out[("event", eid, "mark", mark)] = value
            for note in event["notes"]:
                nid = note["id"]
                out[("note", nid, "pitch")] = (note["step"], note.get("alter", 0), note["octave"])
                out[("note", nid, "tie")] = bool(note.get("tie", False))
    for item in bar.get("harmonies", []):
        out[("harmony", part_id, measure_id, item["offset"])] = (item["id"], item["symbol"])
    for item in bar.get("dynamics", []):
        out[("dynamic", part_id, measure_id, item["offset"])] = (item["id"], item["mark"])


@dataclass
class Scope:
    """Which regions of a document an op group may change."""

    everything: bool = False
    meta: bool = False
    measures: bool = False  # measure order and attributes
    parts: bool = False  # part order and properties
    spanners: bool = False  # slurs, hairpins... (any op may shrink one whose end it removes)
    bars: set[tuple[str, str]] = field(default_factory=set)
    part_bars: set[str] = field(default_factory=set)  # every bar of these parts
    measure_bars: set[str] = field(default_factory=set)  # every part's bar of these measures

    def update(self, other: Scope) -> None:
        self.everything |= other.everything
        self.meta |= other.meta
        self.measures |= other.measures
        self.parts |= other.parts
        self.spanners |= other.spanners
        self.bars |= other.bars
        self.part_bars |= other.part_bars
        self.measure_bars |= other.measure_bars

    def bar_list(self, doc: Doc) -> list[tuple[str, str, dict[str, Any]]]:
        """The bars of ``doc`` inside this scope as (part id, measure id, bar)."""
        if self.everything:
            return [(p["id"], m, b) for p in doc["parts"] for m, b in p["bars"].items()]
        out: dict[tuple[str, str], dict[str, Any]] = {}
        for part in doc["parts"]:
            pid = part["id"]
            if pid in self.part_bars:
                out.update({(pid, m): b for m, b in part["bars"].items()})
                continue
            for mid in self.measure_bars:
                if mid in part["bars"]:
                    out[(pid, mid)] = part["bars"][mid]
        for pid, mid in self.bars:
            if (pid, mid) not in out:
                part = find_part(doc, pid)
                if part is not None and mid in part["bars"]:
                    out[(pid, mid)] = part["bars"][mid]
        return [(p, m, b) for (p, m), b in out.items()]


EVERYTHING = Scope(everything=True)


def facts(doc: Doc, scope: Scope = EVERYTHING) -> Facts:
    """The facts of ``doc`` inside ``scope`` (the whole document by default)."""
    out: Facts = {}
    if scope.everything or scope.meta:
        for key in META_KEYS:
            out[("meta", key)] = doc.get(key, "")
    if scope.everything or scope.measures:
        # Order as a linked list ("after" = the previous ID, "" first): inserting or removing
        # a measure touches only its neighbour, so unrelated structure edits do not conflict.
        previous = ""
        for m in doc["measures"]:
            out[("measure", m["id"], "after")] = previous
            previous = m["id"]
            for attr in ATTRS:
                if attr in m:
                    out[("measure", m["id"], attr)] = _freeze(m[attr])
    if scope.everything or scope.parts:
        previous = ""
        for p in doc["parts"]:
            out[("part", p["id"], "after")] = previous
            previous = p["id"]
            for prop in PART_PROPS:
                out[("part", p["id"], prop)] = p.get(prop)
    for pid, mid, bar in scope.bar_list(doc):
        bar_facts(out, pid, mid, bar)
    if scope.everything or scope.spanners:
        for sp in doc.get("spanners", []):
            out[("spanner", sp["id"])] = (sp["kind"], sp["start"], sp["end"])
    return out


def diff_facts(before: Facts, after: Facts) -> Changes:
    """Every key whose value differs, as (before, after); ``None`` means absent."""
    changes: Changes = {}
    for key, value in before.items():
        new = after.get(key)
        if new != value:
            changes[key] = (value, new)
    for key, value in after.items():
        if key not in before:
            changes[key] = (None, value)
    return changes


def touched_keys(doc_before: Doc, doc_after: Doc) -> set[Key]:
    """The fine-grained keys that differ between two whole documents (the reference rule)."""
    return set(diff_facts(facts(doc_before), facts(doc_after)))


def element_of(key: Key) -> tuple[str, str] | None:
    """The element a key belongs to, as (kind, id), for note and event keys."""
    if key[0] in ("note", "event"):
        return key[0], key[1]
    return None


def ids_in(keys: Iterable[Key], kind: str) -> set[str]:
    return {k[1] for k in keys if k[0] == kind}
