"""Musical diff between two versions: notes, lyrics, chord symbols, dynamics, measures, parts.

Elements are matched by ID. Every change is an entry with the element ID (so
the UI can highlight it) and its place (part, measure); ``lines`` reads as a
summary, ordered by measure then part. Pure: must not import Flask, SQL or Socket.IO.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from server.score.model import Doc, effective_attr

from .blame import elements
from .context import Context, dur_name, key_name, mark_text, pitch_name, spanner_text
from .facts import EVERYTHING, facts, thaw_dur
from .tracker import locations

ATTR_LABELS = {"time": "time signature", "key": "key signature", "tempo": "tempo"}


@dataclass
class DiffEntry:
    """One change: ``kind`` note|lyric|harmony|dynamic|measure|part|meta, ``change``
    added|removed|changed, and for changes the ``fields`` as {name: [old, new]}."""

    kind: str
    change: str
    id: str
    part: str | None = None
    measure: str | None = None
    number: int | None = None
    fields: dict[str, list[Any]] = field(default_factory=dict)
    text: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "change": self.change,
            "id": self.id,
            "part": self.part,
            "measure": self.measure,
            "number": self.number,
            "fields": self.fields,
            "text": self.text,
        }


@dataclass
class MusicalDiff:
    entries: list[DiffEntry] = field(default_factory=list)

    @property
    def lines(self) -> list[str]:
        return [e.text for e in self.entries]

    @property
    def empty(self) -> bool:
        return not self.entries

    def by_place(self) -> dict[tuple[str | None, str | None], list[DiffEntry]]:
        out: dict[tuple[str | None, str | None], list[DiffEntry]] = {}
        for entry in self.entries:
            out.setdefault((entry.part, entry.measure), []).append(entry)
        return out

    def ids(self, change: str | None = None) -> list[str]:
        return [e.id for e in self.entries if change is None or e.change == change]

    def to_json(self) -> dict[str, Any]:
        return {"lines": self.lines, "entries": [e.to_json() for e in self.entries]}


def _show(prop: str, value: Any) -> str:
    if value is None:
        return "none"
    if prop == "pitch":
        return pitch_name(value)
    if prop == "duration":
        return dur_name(thaw_dur(value))
    if prop == "tie":
        return "tied" if value else "not tied"
    if prop == "position":
        return f"offset {value[2]}"
    return str(value)


def _element_entries(a: Doc, b: Doc, out: list[DiffEntry]) -> None:
    fa, fb = facts(a, EVERYTHING), facts(b, EVERYTHING)
    ea, eb = elements(fa), elements(fb)
    wa, wb = locations(fa), locations(fb)
    ca, cb = Context(a, wa), Context(b, wb)

    def place(eid: str, kind: str, props: dict[str, Any], where: dict[str, Any]) -> tuple[Any, Any]:
        if kind in ("harmony", "dynamic"):
            return props["position"][0], props["position"][1]
        anchor = eid.split("#")[0] if kind in ("lyric", "mark") else eid
        if kind == "spanner":
            anchor = props["start"]
        found = where.get(anchor)
        return (found[0], found[1]) if found else (None, None)

    def name(kind: str, eid: str, props: dict[str, Any]) -> str:
        if kind == "note":
            return pitch_name(props["pitch"])
        if kind == "lyric":
            return f'lyric "{props["text"]}"'
        if kind == "mark":
            return mark_text(props["mark"], props["value"])
        if kind == "spanner":
            return spanner_text(props["kind"])
        what = "chord symbol" if kind == "harmony" else "dynamic"
        value = props.get("symbol", props.get("mark"))
        return f"{what} {value}"

    for eid in sorted(set(ea) | set(eb)):
        old, new = ea.get(eid), eb.get(eid)
        src = new or old
        assert src is not None
        kind, props = src
        part, measure = place(eid, kind, props, wb if new else wa)
        context = cb if new else ca
        entry = DiffEntry(kind, "changed", eid, part, measure, context.number(measure))
        where = context.place(part, measure)
        if old is None:
            entry.change = "added"
            extra = f" ({dur_name(thaw_dur(props['duration']))})" if kind == "note" else ""
            entry.text = f"{where}: added {name(kind, eid, props)}{extra}"
        elif new is None:
            entry.change = "removed"
            entry.text = f"{where}: removed {name(kind, eid, props)}"
        else:
            diffs = {
                p: [old[1].get(p), v]
                for p, v in new[1].items()
                if p != "event" and old[1].get(p) != v
            }
            if not diffs:
                continue
            entry.fields = diffs
            what = name(kind, eid, old[1])
            parts = [f"{_show(p, o)} → {_show(p, n)}" for p, (o, n) in diffs.items()]
            entry.text = f"{where}: {what}: " + ", ".join(parts)
        out.append(entry)


def _structure_entries(a: Doc, b: Doc, out: list[DiffEntry]) -> None:
    ca = Context(a)
    for key in ("title", "composer"):
        if a.get(key, "") != b.get(key, ""):
            out.append(
                DiffEntry(
                    "meta",
                    "changed",
                    key,
                    fields={key: [a.get(key, ""), b.get(key, "")]},
                    text=f'{key}: "{a.get(key, "")}" → "{b.get(key, "")}"',
                )
            )
    ids_a = [m["id"] for m in a["measures"]]
    index_a = {mid: i for i, mid in enumerate(ids_a)}
    for i, m in enumerate(b["measures"]):
        mid = m["id"]
        if mid not in index_a:
            out.append(
                DiffEntry("measure", "added", mid, None, mid, i + 1, text=f"added m. {i + 1}")
            )
            continue
        fields = {}
        for attr in ATTR_LABELS:
            old, new = effective_attr(a, index_a[mid], attr), effective_attr(b, i, attr)
            if old != new:
                fields[attr] = [old, new]
        if fields:
            shown = ", ".join(
                f"{ATTR_LABELS[k]} {_attr(k, o)} → {_attr(k, n)}" for k, (o, n) in fields.items()
            )
            out.append(
                DiffEntry(
                    "measure", "changed", mid, None, mid, i + 1, fields, f"m. {i + 1}: {shown}"
                )
            )
    ids_b = {m["id"] for m in b["measures"]}
    for mid in ids_a:
        if mid not in ids_b:
            number = ca.number(mid)
            out.append(
                DiffEntry(
                    "measure",
                    "removed",
                    mid,
                    None,
                    mid,
                    number,
                    text=f"removed m. {number} (as numbered before)",
                )
            )
    parts_a = {p["id"]: p for p in a["parts"]}
    parts_b = {p["id"]: p for p in b["parts"]}
    for pid, part in parts_b.items():
        if pid not in parts_a:
            out.append(
                DiffEntry("part", "added", pid, pid, text=f'added the part "{part.get("name")}"')
            )
            continue
        fields = {
            k: [parts_a[pid].get(k), part.get(k)]
            for k in ("name", "instrument", "clef", "transposition")
            if parts_a[pid].get(k) != part.get(k)
        }
        if fields:
            shown = ", ".join(f"{k} {o!r} → {n!r}" for k, (o, n) in fields.items())
            out.append(
                DiffEntry(
                    "part",
                    "changed",
                    pid,
                    pid,
                    fields=fields,
                    text=f'part "{ca.part(pid)}": {shown}',
                )
            )
    for pid, part in parts_a.items():
        if pid not in parts_b:
            out.append(
                DiffEntry(
                    "part", "removed", pid, pid, text=f'removed the part "{part.get("name")}"'
                )
            )


def _attr(attr: str, value: Any) -> str:
    if attr == "time" and isinstance(value, list):
        return f"{value[0]}/{value[1]}"
    if attr == "key":
        return key_name(value)
    return str(value)


def musical_diff(before: Doc, after: Doc) -> MusicalDiff:
    """What changed from ``before`` to ``after``, by element, measure and part."""
    structure: list[DiffEntry] = []
    _structure_entries(before, after, structure)
    found: list[DiffEntry] = []
    _element_entries(before, after, found)
    part_order = {p["id"]: i for i, p in enumerate(after["parts"] + before["parts"])}
    found.sort(key=lambda e: (e.number or 0, part_order.get(e.part or "", 99), e.kind, e.id))
    return MusicalDiff(structure + found)
