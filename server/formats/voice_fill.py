"""Laying imported notes out as one voice of one bar: exact, complete, tie-split.

Items (start, length, pitches) come in from the reader in whole notes; out come
events that fill the bar exactly, rests in the gaps, ties where a note had to be
split, and the part of a note that crosses the barline to carry into the next
bar. Pure: no music21.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

from ..score.durations import rest_durations
from ..score.pitch import sort_key, to_midi
from .notation import notate, snap
from .report import Report

Event = dict[str, Any]

OVERLAP = "overlapping notes in one voice were shortened or dropped"
BEYOND = "music beyond the end of the bar was cut"
APPROXIMATED = "durations that cannot be written were approximated"
UNISON = "repeated pitches within one chord were merged"


@dataclass
class Item:
    """A note, chord or rest as read from the file (pitch dicts carry ``tie``, no ids)."""

    offset: Fraction
    length: Fraction
    notes: list[dict[str, Any]]
    lyrics: dict[str, str] = field(default_factory=dict)
    hint: dict[str, Any] | None = None
    hidden: bool = False  # a rest the file does not print (a spacer)
    marks: dict[str, Any] = field(default_factory=dict)  # articulations and ornaments
    source: int | None = None  # the music21 element's id(), to anchor spanners on


def build_voice(
    items: list[Item],
    length: Fraction,
    prefix: str,
    report: Report,
    measure: int,
    anchors: dict[int, tuple[str, str]] | None = None,
) -> tuple[list[Event], list[Item]]:
    """Events filling ``length`` exactly and the items carried over the barline.

    If some length cannot be written, the whole voice is snapped to a fine grid
    and laid out again, so the bar stays complete and the change is reported.
    ``anchors`` gets, per item ``source``, the first and last event it became (an item
    carried on from the bar before keeps its first).
    """
    findings: list[str] = []
    local: dict[int, tuple[str, str]] = {}
    try:
        events, carry = _layout(items, length, prefix, findings, local)
    except ValueError:
        findings = [APPROXIMATED]
        snapped = []
        for item in items:
            start, end = snap(item.offset), snap(item.offset + item.length)
            if end > start:
                snapped.append(replace(item, offset=start, length=end - start, hint=None))
        carry_items: list[Item] = []
        local = {}
        events, carry_items = _layout(snapped, length, prefix, findings, local)
        carry = carry_items
    for message in findings:
        report.add(message, measure)
    if anchors is not None:
        for source, (first, last) in local.items():
            anchors[source] = (anchors[source][0] if source in anchors else first, last)
    return events, carry


def _layout(
    items: list[Item],
    length: Fraction,
    prefix: str,
    findings: list[str],
    anchors: dict[int, tuple[str, str]],
) -> tuple[list[Event], list[Item]]:
    events: list[Event] = []
    carry: list[Item] = []
    position = Fraction(0)
    last: tuple[Fraction, Fraction, Event] | None = None  # start, end, sole event

    def new_id() -> str:
        return f"{prefix}e{len(events)}"

    def add_rests(start: Fraction, end: Fraction) -> None:
        for dur in rest_durations(end - start, start):
            events.append({"id": new_id(), "dur": dur, "notes": []})

    for item in sorted(items, key=lambda i: i.offset):
        start, end = item.offset, item.offset + item.length
        if start >= length:
            findings.append(BEYOND)
            continue
        if start < position:
            if last and last[0] == start and last[1] == end and item.notes and last[2]["notes"]:
                # Two notes struck together in one voice are a chord (MIDI does this).
                _merge_chord(last[2], item.notes, findings)
                if item.source is not None:
                    anchors[item.source] = (last[2]["id"], last[2]["id"])
                if item.marks:
                    last[2]["marks"] = dict(
                        sorted({**last[2].get("marks", {}), **item.marks}.items())
                    )
                continue
            findings.append(OVERLAP)
            if end <= position:
                continue
            start = position
        if start > position:
            add_rests(position, start)
        carried = end > length and bool(item.notes)
        if end > length:
            if carried:
                notes = [dict(n) for n in item.notes]
                carry.append(Item(Fraction(0), end - length, notes, source=item.source))
            else:
                findings.append(BEYOND)
            end = length
        exact = start == item.offset and end == item.offset + item.length
        durs = notate(end - start, item.hint if exact else None)
        first = len(events)
        for k, dur in enumerate(durs):
            event_id = new_id()
            tie_all = carried or k < len(durs) - 1
            notes = _notes(item.notes, event_id, tie_all, findings)
            event: Event = {"id": event_id, "dur": dur, "notes": notes}
            if k == 0 and item.lyrics and notes:
                event["lyrics"] = dict(item.lyrics)
            if k == 0 and item.marks:
                event["marks"] = dict(item.marks)
            events.append(event)
        last = (start, end, events[first]) if len(durs) == 1 else None
        if item.source is not None:
            anchors[item.source] = (events[first]["id"], events[-1]["id"])
        position = end
    if position < length:
        add_rests(position, length)
    return events, carry


def _notes(
    raw: list[dict[str, Any]], event_id: str, tie_all: bool, findings: list[str]
) -> list[dict[str, Any]]:
    by_midi: dict[int, dict[str, Any]] = {}
    for source in raw:
        note = {k: source[k] for k in ("step", "alter", "octave")}
        if tie_all or source.get("tie"):
            note["tie"] = True
        midi = to_midi(note)
        if midi in by_midi:
            findings.append(UNISON)
            continue
        by_midi[midi] = note
    notes = sorted(by_midi.values(), key=sort_key)
    for j, note in enumerate(notes):
        note["id"] = f"{event_id}n{j}"
    return [{"id": n["id"], **{k: v for k, v in n.items() if k != "id"}} for n in notes]


def _merge_chord(event: Event, extra: list[dict[str, Any]], findings: list[str]) -> None:
    merged = [{k: v for k, v in n.items() if k != "id"} for n in event["notes"]] + extra
    event["notes"] = _notes(merged, event["id"], False, findings)
