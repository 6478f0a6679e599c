"""Ops on rhythm and notes: write, delete, durations, chords, pitches, ties, lyrics, marks.

Entering an event overwrites whatever time it lands on and refills any partly
covered neighbour with rests, so every voice stays exactly one measure long.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ..durations import dur_value, validate_dur
from ..errors import InvalidOp, MissingTarget
from ..model import (
    MARKS,
    REST_MARKS,
    Doc,
    Event,
    find_event,
    find_note,
    length_of,
    mark_problem,
    rests,
    voice_length,
    with_offsets,
)
from ..pitch import sort_key, transpose_pitch, validate_pitch
from ._common import (
    Op,
    bar_of,
    check_voice_size,
    clean_event,
    clean_lyrics,
    clean_note,
    clean_notes,
    element_id,
    event_ids,
    field,
    fraction,
    require_unused,
    snapshot,
    voice_name,
)


def overwrite(events: list[Event], start: Fraction, new: Event, taken: set[str]) -> list[Event]:
    """``events`` with ``new`` written at ``start``; partly covered events become rests."""
    end = start + dur_value(new["dur"])
    out: list[Event] = []
    inserted = False
    for offset, event in with_offsets(events):
        event_end = offset + dur_value(event["dur"])
        if event_end <= start or offset >= end:
            if offset >= end and not inserted:
                out.append(new)
                inserted = True
            out.append(event)
            continue
        if offset < start:
            out += rests(start - offset, f"{new['id']}.a", taken, offset)
        if not inserted:
            out.append(new)
            inserted = True
        if event_end > end:
            out += rests(event_end - end, f"{new['id']}.b", taken, end)
    if not inserted:
        out.append(new)
    return out


def _set_voice_inverse(part: dict[str, Any], measure: str, voice: str, old: Any) -> list[Op]:
    return [
        {"op": "set_voice", "part": part["id"], "measure": measure, "voice": voice, "events": old}
    ]


def write_event(doc: Doc, op: Op) -> list[Op]:
    part, measure, bar = bar_of(doc, op)
    voice = voice_name(op)
    offset = fraction(op, "offset")
    event = clean_event(op.get("event"))
    taken = require_unused(doc, event_ids([event]))
    length = length_of(doc, measure)
    if offset + dur_value(event["dur"]) > length:
        raise InvalidOp(f"write_event: the event does not fit in measure {measure}")
    old = bar["voices"].get(voice)
    current = old if old is not None else rests(length, f"{event['id']}.v", taken)
    bar["voices"][voice] = check_voice_size(overwrite(current, offset, event, taken), "write_event")
    return _set_voice_inverse(part, measure, voice, snapshot(old))


def set_voice(doc: Doc, op: Op) -> list[Op]:
    part, measure, bar = bar_of(doc, op)
    voice = voice_name(op)
    old = bar["voices"].get(voice)
    raw = op.get("events")
    if raw is None:
        if voice == "1":
            raise InvalidOp("set_voice: voice 1 cannot be removed")
        bar["voices"].pop(voice, None)
        return _set_voice_inverse(part, measure, voice, snapshot(old))
    if not isinstance(raw, list) or len(raw) > 256:
        raise InvalidOp("set_voice: events must be a list of at most 256 events")
    events = [clean_event(e) for e in raw]
    require_unused(doc, event_ids(events), except_ids=set(event_ids(old or [])))
    if voice_length(events) != length_of(doc, measure):
        raise InvalidOp(f"set_voice: the events do not fill measure {measure} exactly")
    bar["voices"][voice] = events
    return _set_voice_inverse(part, measure, voice, snapshot(old))


def _event(doc: Doc, op: Op) -> tuple[dict[str, Any], str, str, list[Event], Event]:
    event_id = element_id(op, "event")
    found = find_event(doc, event_id)
    if found is None:
        raise MissingTarget(f"event {event_id} no longer exists")
    return found


def _note(doc: Doc, op: Op) -> tuple[Event, dict[str, Any]]:
    note_id = element_id(op, "note")
    found = find_note(doc, note_id)
    if found is None:
        raise MissingTarget(f"note {note_id} no longer exists")
    return found


def set_duration(doc: Doc, op: Op) -> list[Op]:
    part, measure, voice, events, event = _event(doc, op)
    try:
        dur = validate_dur(op.get("dur"))
    except ValueError as exc:
        raise InvalidOp(f"set_duration: {exc}") from exc
    offset = next(o for o, e in with_offsets(events) if e is event)
    if offset + dur_value(dur) > length_of(doc, measure):
        raise InvalidOp(f"set_duration: the new duration does not fit in measure {measure}")
    old = snapshot(events)
    taken = require_unused(doc, [])
    index = events.index(event)
    cleared = events[:index] + rests(dur_value(event["dur"]), f"{event['id']}.d", taken, offset)
    cleared += events[index + 1 :]
    resized = dict(event, dur=dur)
    part["bars"][measure]["voices"][voice] = check_voice_size(
        overwrite(cleared, offset, resized, taken), "set_duration"
    )
    return _set_voice_inverse(part, measure, voice, old)


def set_notes(doc: Doc, op: Op) -> list[Op]:
    *_, event = _event(doc, op)
    notes = clean_notes(op.get("notes"))
    require_unused(doc, [n["id"] for n in notes], except_ids={n["id"] for n in event["notes"]})
    old = snapshot(event["notes"])
    event["notes"] = notes
    inverse: list[Op] = [{"op": "set_notes", "event": event["id"], "notes": old}]
    if not notes and "lyrics" in event:
        lyrics = event.pop("lyrics")
        inverse += [
            {"op": "set_lyric", "event": event["id"], "verse": int(v), "text": t}
            for v, t in lyrics.items()
        ]
    if not notes and "marks" in event:
        # A rest keeps only a fermata; the note's other marks come back with its inverse.
        dropped = {k: v for k, v in event["marks"].items() if k not in REST_MARKS}
        kept = {k: v for k, v in event["marks"].items() if k in REST_MARKS}
        if kept:
            event["marks"] = kept
        else:
            del event["marks"]
        inverse += [
            {"op": "set_mark", "event": event["id"], "mark": k, "value": v}
            for k, v in dropped.items()
        ]
    return inverse


def delete_event(doc: Doc, op: Op) -> list[Op]:
    """Delete the notes of an event: it becomes a rest of the same length."""
    *_, event = _event(doc, op)
    return set_notes(doc, {"op": "set_notes", "event": event["id"], "notes": []})


def add_note(doc: Doc, op: Op) -> list[Op]:
    *_, event = _event(doc, op)
    note = clean_note(op.get("note"))
    require_unused(doc, [note["id"]])
    if any(sort_key(n)[0] == sort_key(note)[0] for n in event["notes"]):
        raise InvalidOp("add_note: that pitch is already in the chord")
    if len(event["notes"]) >= 16:
        raise InvalidOp("add_note: a chord holds at most 16 notes")
    event["notes"] = sorted(event["notes"] + [note], key=sort_key)
    return [{"op": "remove_note", "note": note["id"]}]


def remove_note(doc: Doc, op: Op) -> list[Op]:
    event, note = _note(doc, op)
    if len(event["notes"]) == 1:
        return set_notes(doc, {"op": "set_notes", "event": event["id"], "notes": []})
    event["notes"] = [n for n in event["notes"] if n is not note]
    return [{"op": "add_note", "event": event["id"], "note": snapshot(note)}]


def set_pitch(doc: Doc, op: Op) -> list[Op]:
    event, note = _note(doc, op)
    pitch = {"step": op.get("step"), "alter": op.get("alter", 0), "octave": op.get("octave")}
    try:
        validate_pitch(pitch)
    except ValueError as exc:
        raise InvalidOp(f"set_pitch: {exc}") from exc
    others = [sort_key(n)[0] for n in event["notes"] if n is not note]
    if sort_key(pitch)[0] in others:
        raise InvalidOp("set_pitch: that pitch is already in the chord")
    inverse = {"op": "set_pitch", "note": note["id"]}
    inverse.update({k: note[k] for k in ("step", "alter", "octave")})
    note.update(pitch)
    event["notes"].sort(key=sort_key)
    return [inverse]


def transpose(doc: Doc, op: Op) -> list[Op]:
    """Transpose notes by letter steps and semitones; notes gone meanwhile are skipped."""
    note_ids = field(op, "notes", list)
    diatonic = field(op, "diatonic", int)
    chromatic = field(op, "chromatic", int)
    if abs(diatonic) > 21 or abs(chromatic) > 36:
        raise InvalidOp("transpose: interval larger than three octaves")
    moves: dict[str, tuple[Event, dict[str, Any], dict[str, Any]]] = {}
    for note_id in note_ids:
        hit = find_note(doc, note_id) if isinstance(note_id, str) else None
        if hit is None or note_id in moves:
            continue
        try:
            moves[note_id] = (hit[0], hit[1], transpose_pitch(hit[1], diatonic, chromatic))
        except ValueError as exc:
            raise InvalidOp(f"transpose: {exc}") from exc
    if not moves:
        raise MissingTarget("transpose: none of the notes exist any more")
    # Check every touched chord before changing anything: nothing is half-applied.
    for event in {id(e): e for e, _, _ in moves.values()}.values():
        midis = [sort_key(moves[n["id"]][2] if n["id"] in moves else n)[0] for n in event["notes"]]
        if len(set(midis)) != len(midis):
            raise InvalidOp("transpose: two notes of a chord would land on one pitch")
    for event, note, pitch in moves.values():
        note.update(pitch)
        event["notes"].sort(key=sort_key)
    # Spelled transposition is exactly reversible (same letter steps, same semitones back),
    # and moving the notes together avoids transient clashes inside a chord.
    back = {"op": "transpose", "notes": list(moves), "diatonic": -diatonic, "chromatic": -chromatic}
    return [back]


def set_tie(doc: Doc, op: Op) -> list[Op]:
    _, note = _note(doc, op)
    tie = field(op, "tie", bool)
    old = bool(note.get("tie", False))
    if tie:
        note["tie"] = True
    else:
        note.pop("tie", None)
    return [{"op": "set_tie", "note": note["id"], "tie": old}]


def set_lyric(doc: Doc, op: Op) -> list[Op]:
    *_, event = _event(doc, op)
    verse = op.get("verse", 1)
    text = field(op, "text", str)
    lyric = clean_lyrics({str(verse): text}) if isinstance(verse, int) else None
    if lyric is None:
        raise InvalidOp("set_lyric: verse must be an integer 1..9")
    if text and not event["notes"]:
        raise InvalidOp("set_lyric: lyrics go on notes, not on rests")
    lyrics = event.setdefault("lyrics", {})
    old = lyrics.pop(str(verse), "")
    lyrics.update(lyric)
    if not lyrics:
        del event["lyrics"]
    return [{"op": "set_lyric", "event": event["id"], "verse": verse, "text": old}]


def set_mark(doc: Doc, op: Op) -> list[Op]:
    """Put an articulation or ornament on an event (``value`` null removes it)."""
    *_, event = _event(doc, op)
    name = field(op, "mark", str)
    value = op.get("value")
    if name not in MARKS:
        raise InvalidOp(f"set_mark: unknown mark {name!r} (one of {', '.join(MARKS)})")
    if value is not None:
        problem = mark_problem(name, value, bool(event["notes"]))
        if problem is not None:
            raise InvalidOp(f"set_mark: {problem}")
    marks = event.get("marks", {})
    old = marks.get(name)
    if value is None:
        marks.pop(name, None)
    else:
        marks[name] = value
    if marks:
        event["marks"] = dict(sorted(marks.items()))
    else:
        event.pop("marks", None)
    return [{"op": "set_mark", "event": event["id"], "mark": name, "value": old}]


HANDLERS = {
    "write_event": write_event,
    "set_voice": set_voice,
    "set_duration": set_duration,
    "set_notes": set_notes,
    "delete_event": delete_event,
    "add_note": add_note,
    "remove_note": remove_note,
    "set_pitch": set_pitch,
    "transpose": transpose,
    "set_tie": set_tie,
    "set_lyric": set_lyric,
    "set_mark": set_mark,
}
