"""Musical names for places and things in a document: "m. 12, Violin", "E4", "quarter note".

Shared by descriptions, revert messages and diffs. Lookups are lazy and
forgiving: a vanished element gets a neutral name, never an exception.
Pure: must not import Flask, SQL or Socket.IO.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from server.score.model import Doc, effective_attr, find_event, find_note
from server.score.pitch import spell

DUR_NAMES = {
    1: "whole",
    2: "half",
    4: "quarter",
    8: "eighth",
    16: "16th",
    32: "32nd",
    64: "64th",
    128: "128th",
}
MAJOR_KEYS = ["Cb", "Gb", "Db", "Ab", "Eb", "Bb", "F", "C", "G", "D", "A", "E", "B", "F#", "C#"]


def dur_name(dur: dict[str, Any]) -> str:
    """``{"type": 8, "dots": 1}`` -> "dotted eighth"."""
    name = DUR_NAMES.get(dur.get("type", 0), "odd")
    dots = dur.get("dots", 0)
    if dots:
        name = ("dotted " if dots == 1 else "double-dotted " if dots == 2 else "triple-dotted ") + (
            name
        )
    tuplet = dur.get("tuplet")
    if tuplet:
        name = ("triplet " if tuplet == [3, 2] else f"{tuplet[0]}:{tuplet[1]} ") + name
    return name


def pitch_name(pitch: Any) -> str:
    """A note dict or a (step, alter, octave) tuple, spelled like "Bb3"."""
    if isinstance(pitch, tuple):
        pitch = {"step": pitch[0], "alter": pitch[1], "octave": pitch[2]}
    try:
        return spell(pitch)
    except (KeyError, TypeError, ValueError):
        return "a note"


def chord_name(notes: list[dict[str, Any]]) -> str:
    return " ".join(pitch_name(n) for n in notes)


def mark_text(mark: Any, value: Any = True) -> str:
    """``"staccato"``, ``"inverted mordent"``, ``"tremolo (3 strokes)"``."""
    name = str(mark).replace("_", " ")
    if mark == "tremolo" and isinstance(value, int) and not isinstance(value, bool):
        return f"{name} ({value} stroke{'s' if value != 1 else ''})"
    return name


SPANNER_NAMES = {
    "slur": "slur",
    "crescendo": "crescendo hairpin",
    "diminuendo": "diminuendo hairpin",
    "8va": "8va line",
    "8vb": "8vb line",
    "15ma": "15ma line",
    "15mb": "15mb line",
    "pedal": "pedal mark",
}


def spanner_text(kind: Any) -> str:
    return SPANNER_NAMES.get(kind, str(kind))


def article(word: str) -> str:
    return "an" if word[:1] in "aeiou8" else "a"


def key_name(fifths: Any) -> str:
    if isinstance(fifths, int) and -7 <= fifths <= 7:
        return f"{MAJOR_KEYS[fifths + 7]} major"
    return str(fifths)


class Context:
    """Names for a document's places, computed on first use."""

    def __init__(self, doc: Doc, where: dict[str, tuple[str, str]] | None = None) -> None:
        self.doc = doc
        self._where = where
        self._numbers: dict[str, int] | None = None
        self._names: dict[str, str] | None = None

    def number(self, measure_id: Any) -> int | None:
        if self._numbers is None:
            self._numbers = {m["id"]: i + 1 for i, m in enumerate(self.doc["measures"])}
        return self._numbers.get(measure_id)

    def measure(self, measure_id: Any) -> str:
        number = self.number(measure_id)
        return f"m. {number}" if number else "a removed measure"

    def part(self, part_id: Any) -> str:
        if self._names is None:
            self._names = {p["id"]: p.get("name") or p["id"] for p in self.doc["parts"]}
        return self._names.get(part_id, "a removed part")

    def place(self, part_id: Any, measure_id: Any) -> str:
        return f"{self.measure(measure_id)}, {self.part(part_id)}"

    def locate(self, element_id: Any) -> tuple[str, str] | None:
        """(part id, measure id) of an event or note."""
        if not isinstance(element_id, str):
            return None
        if self._where is not None:
            return self._where.get(element_id)
        found = find_event(self.doc, element_id)
        if found is None:
            hit = find_note(self.doc, element_id)
            found = find_event(self.doc, hit[0]["id"]) if hit else None
        return (found[0]["id"], found[1]) if found else None

    def place_of(self, element_id: Any) -> str:
        at = self.locate(element_id)
        return self.place(*at) if at else "a removed place"

    def event(self, event_id: Any) -> dict[str, Any] | None:
        at = self.locate(event_id)
        if at is None:
            return None
        bar = self._bar(*at)
        for events in (bar or {}).get("voices", {}).values():
            for event in events:
                if event["id"] == event_id:
                    return event  # type: ignore[no-any-return]
        return None

    def note(self, note_id: Any) -> dict[str, Any] | None:
        at = self.locate(note_id)
        bar = self._bar(*at) if at else None
        for events in (bar or {}).get("voices", {}).values():
            for event in events:
                for note in event["notes"]:
                    if note["id"] == note_id:
                        return note  # type: ignore[no-any-return]
        return None

    def _bar(self, part_id: str, measure_id: str) -> dict[str, Any] | None:
        for part in self.doc["parts"]:
            if part["id"] == part_id:
                return part["bars"].get(measure_id)  # type: ignore[no-any-return]
        return None

    def beat(self, measure_id: Any, offset: Any) -> str:
        """Offset (whole notes) as a beat of the measure's time signature: "beat 2.5"."""
        try:
            index = (self.number(measure_id) or 1) - 1
            beat_type = effective_attr(self.doc, index, "time")[1]
            beat = Fraction(offset) * beat_type + 1
        except (TypeError, ValueError, ZeroDivisionError, IndexError):
            return "a beat"
        text = str(beat.numerator) if beat.denominator == 1 else f"{float(beat):g}"
        return f"beat {text}"

    def event_text(self, event: dict[str, Any] | None) -> str:
        """ "the quarter note E4", "the half rest", "the eighth chord C4 E4"."""
        if not event:
            return "an event"
        name = dur_name(event.get("dur", {}))
        notes = event.get("notes") or []
        if not notes:
            return f"the {name} rest"
        if len(notes) == 1:
            return f"the {name} note {pitch_name(notes[0])}"
        return f"the {name} chord {chord_name(notes)}"


def length_name(dur: dict[str, Any]) -> str:
    return f"{article(dur_name(dur))} {dur_name(dur)}"
