"""The score document: a JSON-shaped tree with stable IDs, its lookups and invariants.

A document is plain JSON data so that Python, the browser and the database hold
the very same thing. Shape (defaults are omitted, which keeps equality exact)::

    {"title", "composer",
     "measures": [{"id", "time": [4, 4], "key": 0, "tempo": 120,      # changes only
                   "barline"?, "repeat_start"?, "repeat_end"?, "ending"?}],  # see form.py
     "spanners"?: [{"id", "kind", "start": event_id, "end": event_id}],  # see spanners.py
     "parts": [{"id", "name", "instrument", "clef", "transposition",
                "bars": {measure_id: {"voices": {"1": [event, ...]},
                                      "harmonies": [{"id", "offset", "symbol"}],
                                      "dynamics": [{"id", "offset", "mark"}],
                                      "clef": "bass"}}}]}

    event = {"id", "dur": {"type", "dots"?, "tuplet"?},
             "notes": [{"id", "step", "alter", "octave", "tie"?}],   # [] = rest
             "lyrics"?: {"1": "text"},
             "marks"?: {"staccato": true, "tremolo": 3, ...}}   # see MARKS

Pure: no Flask, SQL or music21.
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from typing import Any

from .durations import (
    dur_value,
    format_fraction,
    measure_length,
    parse_fraction,
    rest_durations,
    validate_dur,
)
from .form import FORM_FIELDS, form_problem
from .limits import (
    MAX_BARS,
    MAX_MEASURES,
    MAX_PARTS,
    MAX_TITLE,
    attr_problem,
    size_problems,
    text_problem,
)
from .pitch import sort_key, validate_pitch
from .spanners import problems as spanner_problems

Doc = dict[str, Any]
Event = dict[str, Any]
Bar = dict[str, Any]

MEASURE_ATTRS = ("time", "key", "tempo")
DEFAULT_ATTRS: dict[str, Any] = {"time": [4, 4], "key": 0, "tempo": 120}
CLEFS = ("treble", "bass", "alto", "tenor", "treble8vb", "percussion")
VOICES = ("1", "2", "3", "4")
# Articulations and ornaments an event may carry: name -> true, except tremolo -> strokes 1..4.
# Only a fermata may sit on a rest; the others belong to notes and chords.
MARKS = (
    "staccato",
    "staccatissimo",
    "accent",
    "tenuto",
    "marcato",
    "fermata",
    "trill",
    "mordent",
    "inverted_mordent",
    "turn",
    "tremolo",
    "arpeggio",
)
REST_MARKS = ("fermata",)
MAX_TREMOLO = 4
# How much of its written length a marked note sounds (MIDI export, playback). A note tied
# to or from another is played at full length: the tie joins them into one sound.
SOUNDING_SHARE = {"staccatissimo": Fraction(1, 4), "staccato": Fraction(1, 2)}


def sounding_share(event: Event) -> Fraction:
    marks = event.get("marks", {})
    return min((SOUNDING_SHARE[k] for k in marks if k in SOUNDING_SHARE), default=Fraction(1))


def new_document(
    *,
    title: str = "Untitled",
    parts: list[dict[str, Any]] | None = None,
    measures: int = 4,
    time: list[int] | None = None,
    key: int = 0,
    tempo: int = 120,
) -> Doc:
    """A fresh score of whole-measure rests. IDs are deterministic (m1.., p1..).

    Raises ``ValueError`` for anything outside ``score.limits`` (checked before a single
    bar is built: a time of [1000000000, 1] would otherwise fill memory with rests).
    """
    parts = parts or [{"name": "Piano", "instrument": "piano"}]
    time = time if time is not None else list(DEFAULT_ATTRS["time"])
    attrs: dict[str, Any] = {"time": time, "key": key, "tempo": tempo}
    problems = [p for a, v in attrs.items() if (p := attr_problem(a, v)) is not None]
    if not isinstance(measures, int) or isinstance(measures, bool) or measures < 1:
        problems.append(f"measures must be a positive whole number, got {measures!r}")
    elif measures * len(parts) > MAX_BARS or measures > MAX_MEASURES:
        problems.append(f"at most {MAX_MEASURES} measures and {MAX_BARS} bars (measures x parts)")
    if len(parts) > MAX_PARTS:
        problems.append(f"at most {MAX_PARTS} parts")
    if (problem := text_problem(title, "title", MAX_TITLE)) is not None:
        problems.append(problem)
    if problems:
        raise ValueError("; ".join(problems))
    doc: Doc = {"title": title, "composer": "", "measures": [], "parts": []}
    measure_ids = [f"m{i + 1}" for i in range(measures)]
    for i, mid in enumerate(measure_ids):
        m: dict[str, Any] = {"id": mid}
        if i == 0:
            m.update(time=list(time), key=key, tempo=tempo)
        doc["measures"].append(m)
    for i, spec in enumerate(parts):
        pid = spec.get("id", f"p{i + 1}")
        part = {
            "id": pid,
            "name": spec.get("name", f"Part {i + 1}"),
            "instrument": spec.get("instrument", "piano"),
            "clef": spec.get("clef", "treble"),
            "transposition": spec.get("transposition", 0),
            "bars": {},
        }
        for mid in measure_ids:
            part["bars"][mid] = empty_bar(doc, mid, f"{mid}.{pid}")
        doc["parts"].append(part)
    return doc


# --- measure attributes -------------------------------------------------------


def measure_index(doc: Doc, measure_id: str) -> int:
    for i, m in enumerate(doc["measures"]):
        if m["id"] == measure_id:
            return i
    raise KeyError(measure_id)


def effective_attr(doc: Doc, index: int, attr: str) -> Any:
    """The time, key or tempo in force at measure ``index`` (last explicit change)."""
    for m in reversed(doc["measures"][: index + 1]):
        if attr in m:
            return m[attr]
    return DEFAULT_ATTRS[attr]


def length_of(doc: Doc, measure_id: str) -> Fraction:
    return measure_length(effective_attr(doc, measure_index(doc, measure_id), "time"))


def lengths(doc: Doc) -> dict[str, Fraction]:
    """Length of every measure, in one pass."""
    out: dict[str, Fraction] = {}
    time = DEFAULT_ATTRS["time"]
    for m in doc["measures"]:
        time = m.get("time", time)
        out[m["id"]] = measure_length(time)
    return out


# --- bars and voices ------------------------------------------------------------


def rests(
    length: Fraction, id_prefix: str, taken: set[str] | None = None, start: Fraction = Fraction(0)
) -> list[Event]:
    """Rests filling ``length`` from ``start``, with deterministic IDs from ``id_prefix``."""
    events = []
    for k, dur in enumerate(rest_durations(length, start)):
        events.append({"id": fresh_id(f"{id_prefix}.r{k}", taken), "dur": dur, "notes": []})
    return events


def fresh_id(candidate: str, taken: set[str] | None) -> str:
    """``candidate`` unless taken; then the first free ``candidate~n`` (deterministic)."""
    if taken is None or candidate not in taken:
        if taken is not None:
            taken.add(candidate)
        return candidate
    n = 1
    while f"{candidate}~{n}" in taken:
        n += 1
    taken.add(f"{candidate}~{n}")
    return f"{candidate}~{n}"


def empty_bar(doc: Doc, measure_id: str, id_prefix: str, taken: set[str] | None = None) -> Bar:
    return {"voices": {"1": rests(length_of(doc, measure_id), id_prefix, taken)}}


def voice_length(events: list[Event]) -> Fraction:
    return sum((dur_value(e["dur"]) for e in events), Fraction(0))


def with_offsets(events: list[Event]) -> Iterator[tuple[Fraction, Event]]:
    offset = Fraction(0)
    for event in events:
        yield offset, event
        offset += dur_value(event["dur"])


# --- lookups ----------------------------------------------------------------------


def find_part(doc: Doc, part_id: str) -> dict[str, Any] | None:
    for part in doc["parts"]:
        if part["id"] == part_id:
            return part  # type: ignore[no-any-return]
    return None


def iter_events(doc: Doc) -> Iterator[tuple[dict[str, Any], str, str, list[Event], Event]]:
    """(part, measure_id, voice, voice's event list, event) for every event."""
    for part in doc["parts"]:
        for mid, bar in part["bars"].items():
            for voice, events in bar["voices"].items():
                for event in events:
                    yield part, mid, voice, events, event


def find_event(
    doc: Doc, event_id: str
) -> tuple[dict[str, Any], str, str, list[Event], Event] | None:
    for found in iter_events(doc):
        if found[4]["id"] == event_id:
            return found
    return None


def find_note(doc: Doc, note_id: str) -> tuple[Event, dict[str, Any]] | None:
    for *_, event in iter_events(doc):
        for note in event["notes"]:
            if note["id"] == note_id:
                return event, note
    return None


def all_ids(doc: Doc) -> list[str]:
    """Every ID in the document, in document order (duplicates included)."""
    ids = [m["id"] for m in doc["measures"]]
    for part in doc["parts"]:
        ids.append(part["id"])
        for bar in part["bars"].values():
            for events in bar["voices"].values():
                for event in events:
                    ids.append(event["id"])
                    ids.extend(n["id"] for n in event["notes"])
            ids.extend(h["id"] for h in bar.get("harmonies", []))
            ids.extend(d["id"] for d in bar.get("dynamics", []))
    ids.extend(sp["id"] for sp in doc.get("spanners", []))
    return ids


def copy_json(value: Any) -> Any:
    """A deep copy of plain JSON data (dicts, lists, scalars).

    Several times faster than ``copy.deepcopy``, which matters because every op
    keeps a private copy of what it replaces for its inverse.
    """
    if isinstance(value, dict):
        return {key: copy_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [copy_json(item) for item in value]
    return value


def clone(doc: Doc) -> Doc:
    return copy_json(doc)  # type: ignore[no-any-return]


def mark_problem(name: Any, value: Any, on_notes: bool) -> str | None:
    """Why ``name: value`` cannot be a mark of an event (with or without notes), or None."""
    if name not in MARKS:
        return f"unknown mark {name!r} (one of {', '.join(MARKS)})"
    if name == "tremolo":
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_TREMOLO:
            return f"tremolo takes 1..{MAX_TREMOLO} strokes"
    elif value is not True:
        return f"mark {name} takes true"
    if not on_notes and name not in REST_MARKS:
        return f"{name} goes on notes, not on rests"
    return None


def marks_problem(marks: Any, on_notes: bool) -> str | None:
    if marks is None:
        return None
    if not isinstance(marks, dict) or not marks:
        return "marks must be a non-empty object of mark -> value"
    for name, value in marks.items():
        if (problem := mark_problem(name, value, on_notes)) is not None:
            return problem
    return None


# --- invariants -----------------------------------------------------------------------


def check_invariants(doc: Doc) -> list[str]:
    """Every way the document is broken; an empty list means it is sound."""
    problems: list[str] = []
    ids = all_ids(doc)
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            problems.append(f"duplicate id {i!r}")
        seen.add(i)
    if not doc["measures"]:
        problems.append("a score needs at least one measure")
    else:
        first = doc["measures"][0]
        problems += [f"first measure lacks {a}" for a in MEASURE_ATTRS if a not in first]
    for measure in doc["measures"]:
        for attr in MEASURE_ATTRS:
            if attr in measure and (problem := attr_problem(attr, measure[attr])) is not None:
                problems.append(f"measure {measure['id']}: {problem}")
        for name in FORM_FIELDS:
            if name in measure and (problem := form_problem(name, measure[name])) is not None:
                problems.append(f"measure {measure['id']}: {problem}")
    problems += size_problems(doc)
    for key in ("title", "composer"):
        if (problem := text_problem(doc.get(key, ""), key, MAX_TITLE)) is not None:
            problems.append(problem)
    if problems:
        return problems  # lengths below assume sane attributes and sizes
    measure_lengths = lengths(doc)
    for part in doc["parts"]:
        if (problem := text_problem(part.get("name", ""), "part name", 64)) is not None:
            problems.append(f"part {part['id']}: {problem}")
        if set(part["bars"]) != set(measure_lengths):
            problems.append(f"part {part['id']} bars do not match the measures")
        for mid, bar in part["bars"].items():
            length = measure_lengths.get(mid)
            if "1" not in bar["voices"]:
                problems.append(f"{part['id']}/{mid} has no voice 1")
            for voice, events in bar["voices"].items():
                if length is not None and voice_length(events) != length:
                    problems.append(
                        f"{part['id']}/{mid} voice {voice} lasts {voice_length(events)}, "
                        f"measure lasts {length}"
                    )
                for event in events:
                    try:
                        if validate_dur(event["dur"]) != event["dur"]:
                            problems.append(f"event {event['id']} duration is not canonical")
                    except ValueError as exc:
                        problems.append(f"event {event['id']}: {exc}")
                    notes = event["notes"]
                    if notes != sorted(notes, key=sort_key):
                        problems.append(f"event {event['id']} notes are not sorted")
                    for note in notes:
                        try:
                            validate_pitch(note)
                        except ValueError as exc:
                            problems.append(f"note {note['id']}: {exc}")
                    if (problem := marks_problem(event.get("marks"), bool(notes))) is not None:
                        problems.append(f"event {event['id']}: {problem}")
            for kind in ("harmonies", "dynamics"):
                items = bar.get(kind, [])
                offsets = [parse_fraction(x["offset"]) for x in items]
                if offsets != sorted(set(offsets)):
                    problems.append(f"{part['id']}/{mid} {kind} not sorted or duplicated")
                if length is not None and any(o >= length for o in offsets):
                    problems.append(f"{part['id']}/{mid} {kind} beyond the measure end")
    return problems + spanner_problems(doc)


__all__ = [
    "Doc",
    "check_invariants",
    "clone",
    "effective_attr",
    "find_event",
    "find_note",
    "find_part",
    "format_fraction",
    "new_document",
]
