"""Shared validation helpers for op handlers: typed field access with clear errors."""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

from ..durations import parse_fraction, validate_dur
from ..errors import InvalidOp, MissingTarget
from ..limits import MAX_EVENTS_PER_VOICE, text_problem
from ..model import VOICES, Doc, Event, all_ids, copy_json, find_part, marks_problem
from ..pitch import sort_key, validate_pitch

Op = dict[str, Any]
ID_PATTERN = re.compile(r"[A-Za-z0-9_.:~-]{1,64}")
MAX_LYRIC = 64


def field(op: Op, name: str, kind: type | tuple[type, ...], *, optional: bool = False) -> Any:
    """``op[name]`` checked against ``kind``; booleans never pass for ints."""
    if name not in op or op[name] is None:
        if optional:
            return None
        raise InvalidOp(f"{op.get('op')}: missing field {name!r}")
    value = op[name]
    if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
        raise InvalidOp(f"{op.get('op')}: field {name!r} has the wrong type")
    if not isinstance(value, kind):
        raise InvalidOp(f"{op.get('op')}: field {name!r} has the wrong type")
    return value


def element_id(op: Op, name: str) -> str:
    value = field(op, name, str)
    if not ID_PATTERN.fullmatch(value):
        raise InvalidOp(f"{op.get('op')}: {name} {value!r} is not a valid id")
    return str(value)


def check_id(value: Any, what: str) -> str:
    if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
        raise InvalidOp(f"{what} id {value!r} is not valid (1-64 of A-Z a-z 0-9 _ . : ~ -)")
    return value


def fraction(op: Op, name: str) -> Fraction:
    try:
        return parse_fraction(op.get(name))
    except ValueError as exc:
        raise InvalidOp(f"{op.get('op')}: {name}: {exc}") from exc


def voice_name(op: Op) -> str:
    voice = str(op.get("voice", "1"))
    if voice not in VOICES:
        raise InvalidOp(f"{op.get('op')}: voice must be one of {VOICES}")
    return voice


def part_of(doc: Doc, op: Op) -> dict[str, Any]:
    part_id = element_id(op, "part")
    part = find_part(doc, part_id)
    if part is None:
        raise MissingTarget(f"part {part_id} no longer exists")
    return part


def bar_of(doc: Doc, op: Op) -> tuple[dict[str, Any], str, dict[str, Any]]:
    part = part_of(doc, op)
    measure_id = element_id(op, "measure")
    bar = part["bars"].get(measure_id)
    if bar is None:
        raise MissingTarget(f"measure {measure_id} no longer exists")
    return part, measure_id, bar


def clean_note(raw: Any, what: str = "note") -> dict[str, Any]:
    """A validated note in canonical form (``tie`` only when true)."""
    if not isinstance(raw, dict):
        raise InvalidOp(f"{what} must be an object")
    unknown = set(raw) - {"id", "step", "alter", "octave", "tie"}
    if unknown:
        raise InvalidOp(f"{what}: unknown fields {sorted(unknown)}")
    note = {
        "id": check_id(raw.get("id"), what),
        "step": raw.get("step"),
        "alter": raw.get("alter", 0),
        "octave": raw.get("octave"),
    }
    try:
        validate_pitch(note)
    except ValueError as exc:
        raise InvalidOp(f"{what}: {exc}") from exc
    tie = raw.get("tie", False)
    if not isinstance(tie, bool):
        raise InvalidOp(f"{what}: tie must be true or false")
    if tie:
        note["tie"] = True
    return note


def clean_notes(raw: Any) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or len(raw) > 16:
        raise InvalidOp("notes must be a list of at most 16 notes")
    notes = [clean_note(n) for n in raw]
    midis = [sort_key(n)[0] for n in notes]
    if len(set(midis)) != len(midis):
        raise InvalidOp("a chord cannot hold the same pitch twice")
    return sorted(notes, key=sort_key)


def clean_lyrics(raw: Any) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise InvalidOp("lyrics must be an object of verse -> text")
    out = {}
    for verse, text in raw.items():
        if not str(verse).isdigit() or not 1 <= int(verse) <= 9:
            raise InvalidOp(f"lyric verse must be 1..9, got {verse!r}")
        problem = text_problem(text, "lyric text", MAX_LYRIC)
        if problem is not None:
            raise InvalidOp(problem)
        if text:
            out[str(int(verse))] = text
    return out


def clean_event(raw: Any) -> Event:
    """A validated event in canonical form."""
    if not isinstance(raw, dict):
        raise InvalidOp("event must be an object")
    unknown = set(raw) - {"id", "dur", "notes", "lyrics", "marks"}
    if unknown:
        raise InvalidOp(f"event: unknown fields {sorted(unknown)}")
    try:
        dur = validate_dur(raw.get("dur"))
    except ValueError as exc:
        raise InvalidOp(f"event: {exc}") from exc
    event: Event = {"id": check_id(raw.get("id"), "event"), "dur": dur}
    event["notes"] = clean_notes(raw.get("notes", []))
    lyrics = clean_lyrics(raw.get("lyrics"))
    if lyrics:
        if not event["notes"]:
            raise InvalidOp("lyrics go on notes, not on rests")
        event["lyrics"] = lyrics
    marks = raw.get("marks")
    if marks is not None and marks != {}:
        problem = marks_problem(marks, bool(event["notes"]))
        if problem is not None:
            raise InvalidOp(f"event: {problem}")
        event["marks"] = dict(sorted(marks.items()))
    return event


def check_voice_size(events: list[Event], what: str) -> list[Event]:
    """``events`` unless a voice would hold more than the limit (see ``score.limits``)."""
    if len(events) > MAX_EVENTS_PER_VOICE:
        raise InvalidOp(
            f"{what}: a voice holds at most {MAX_EVENTS_PER_VOICE} notes and rests per bar"
        )
    return events


def event_ids(events: list[Event]) -> list[str]:
    ids = []
    for event in events:
        ids.append(event["id"])
        ids.extend(n["id"] for n in event["notes"])
    return ids


def require_unused(doc: Doc, new_ids: list[str], *, except_ids: set[str] | None = None) -> set[str]:
    """Refuse IDs already in the document; returns the taken set for filler IDs."""
    if len(set(new_ids)) != len(new_ids):
        raise InvalidOp("the same id is used twice in one op")
    taken = set(all_ids(doc)) - (except_ids or set())
    clash = [i for i in new_ids if i in taken]
    if clash:
        raise InvalidOp(f"id {clash[0]!r} is already used in this score")
    taken.update(new_ids)
    return taken


def snapshot(value: Any) -> Any:
    """A private copy for an inverse, so later mutation cannot alter history."""
    return copy_json(value)
