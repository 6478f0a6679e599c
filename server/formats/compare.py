"""ID-free views of a document for comparing imports and exports (round-trip checks).

``musical_content`` keeps what notation carries (positions, notated durations, spelled
pitches, ties, lyrics, articulations and ornaments, spanners by where their ends are,
symbols, bar attributes and form (repeats, endings, barlines), the clef in force per bar);
``sounding_notes`` keeps only what a MIDI file can: onset, MIDI pitch and length, with
ties merged. Pure.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ..score.durations import dur_value, measure_length
from ..score.form import FORM_FIELDS, unrolled
from ..score.model import Doc, effective_attr, sounding_share
from ..score.pitch import to_midi
from ..score.spanners import ends, places


def musical_content(doc: Doc) -> dict[str, Any]:
    """Everything musical in ``doc``, in document order, without IDs."""
    measures = [
        {attr: effective_attr(doc, i, attr) for attr in ("time", "key", "tempo")}
        # An end repeat is drawn as such whatever the barline style under it says.
        | {f: m[f] for f in FORM_FIELDS if f in m and not (f == "barline" and "repeat_end" in m)}
        for i, m in enumerate(doc["measures"])
    ]
    parts = []
    for part in doc["parts"]:
        bars = []
        clef = part["clef"]
        for m in doc["measures"]:
            bar = part["bars"][m["id"]]
            clef = bar.get("clef", clef)  # the clef in force, however it was written
            voices = {}
            for name, events in sorted(bar["voices"].items()):
                rows = []
                offset = Fraction(0)
                for event in events:
                    pitches = tuple(
                        (n["step"], n.get("alter", 0), n["octave"], bool(n.get("tie")))
                        for n in event["notes"]
                    )
                    lyrics = tuple(sorted(event.get("lyrics", {}).items()))
                    marks = tuple(sorted(event.get("marks", {}).items()))
                    dur = tuple(sorted(event["dur"].items()))
                    rows.append((offset, dur, pitches, lyrics, marks))
                    offset += dur_value(event["dur"])
                voices[name] = rows
            bars.append(
                {
                    "voices": voices,
                    "harmonies": [(h["offset"], h["symbol"]) for h in bar.get("harmonies", [])],
                    "dynamics": [(d["offset"], d["mark"]) for d in bar.get("dynamics", [])],
                    "clef": clef,
                }
            )
        info = {k: part[k] for k in ("name", "instrument", "transposition")}
        parts.append({"info": info, "bars": bars})
    where = places(doc, ends(doc))
    part_index = {p["id"]: i for i, p in enumerate(doc["parts"])}

    def at(event_id: str) -> tuple[Any, ...]:
        part, voice, _, index, offset = where[event_id]
        return (part_index[part], index, voice, offset)

    spanners = sorted(
        (sp["kind"], at(sp["start"]), at(sp["end"])) for sp in doc.get("spanners", [])
    )
    return {"title": doc.get("title"), "measures": measures, "parts": parts, "spanners": spanners}


def sounding_notes(doc: Doc, *, played: bool = True) -> list[list[tuple[Fraction, int, Fraction]]]:
    """Per part, sorted (onset, MIDI pitch, length) in whole notes, tied notes merged,
    repeats taken and a staccato as long as it is played (``score.form.unrolled``,
    ``score.model.sounding_share``) unless ``played`` is false (then as written, once)."""
    if played:
        doc = unrolled(doc)
    starts: list[Fraction] = []
    position = Fraction(0)
    for i in range(len(doc["measures"])):
        starts.append(position)
        position += measure_length(effective_attr(doc, i, "time"))
    out = []
    for part in doc["parts"]:
        notes: list[tuple[Fraction, int, Fraction]] = []
        for voice in sorted({v for bar in part["bars"].values() for v in bar["voices"]}):
            held: dict[int, tuple[Fraction, Fraction]] = {}  # pitch -> (onset, length so far)
            tie_before = False  # the previous event of the voice ties on (as writer.py sees it)
            for i, m in enumerate(doc["measures"]):
                at = starts[i]
                for event in part["bars"][m["id"]]["voices"].get(voice, []):
                    length = dur_value(event["dur"])
                    tie_after = any(n.get("tie") for n in event["notes"])
                    shortened = played and not (tie_before or tie_after)
                    share = sounding_share(event) if shortened else Fraction(1)
                    tie_before = tie_after
                    for n in event["notes"]:
                        pitch = to_midi(n)
                        onset, so_far = held.pop(pitch, (at, Fraction(0)))
                        if onset + so_far != at:  # a tie that does not reach this note
                            notes.append((onset, pitch, so_far))
                            onset, so_far = at, Fraction(0)
                        if n.get("tie"):
                            held[pitch] = (onset, so_far + length)
                        else:
                            notes.append((onset, pitch, so_far + length * share))
                    at += length
            notes += [(onset, pitch, length) for pitch, (onset, length) in held.items()]
        out.append(sorted(notes))
    return out
