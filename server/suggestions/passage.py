"""The pure half of the helper: a passage's chord symbols, the request, the engine's
alternatives, tweaks, pitch spelling and the ``write_event`` ops of an accepted voicing.

Works on documents only: no Flask, Socket.IO, SQL or ``EditLog``.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ..errors import TuttiError
from ..score import Doc
from ..score.durations import dur_value, format_fraction, rest_durations
from ..score.model import all_ids, find_part, lengths, with_offsets
from ..score.pitch import STEP_SEMITONES, STEPS, to_midi
from ..voicing import ChordSpec, VoicingError, parse_symbol, suggest

TARGETS: dict[str, tuple[str, ...]] = {
    "satb": ("soprano", "alto", "tenor", "bass"),
    "piano": ("part",),
    "guitar": ("part",),
}
MAX_K = 8
MAX_CHORDS = 64
MAX_TWEAKS = 64
# The letter distance of each chord role from the root, to spell notes as the chord reads.
_ROLE_LETTERS = {
    "root": 0,
    "ninth": 1,
    "third": 2,
    "eleventh": 3,
    "fifth": 4,
    "thirteenth": 5,
    "seventh": 6,
}
_SHARPS = tuple(zip("CCDDEFFGGAAB", (0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 1, 0), strict=True))
_FLATS = tuple(zip("CDDEEFGGAABB", (0, -1, 0, -1, 0, 0, -1, 0, -1, 0, -1, 0), strict=True))


class HelperError(TuttiError):
    """A refused helper action: snake_case ``code``, readable ``message``, extra fields."""


# --- the passage ------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """One chord symbol's span: from its offset to the next symbol or the barline."""

    measure: str
    number: int  # 1-based position of the measure
    offset: Fraction
    end: Fraction
    symbol: str

    def to_json(self) -> dict[str, Any]:
        return {
            "measure": self.measure,
            "number": self.number,
            "offset": format_fraction(self.offset),
            "end": format_fraction(self.end),
            "symbol": self.symbol,
        }


def measure_range(doc: Doc, first: str, last: str) -> list[str]:
    ids = [m["id"] for m in doc["measures"]]
    if first not in ids or last not in ids:
        raise HelperError("bad_request", "the passage names a measure that is not in the score")
    a, b = ids.index(first), ids.index(last)
    if a > b:
        raise HelperError("bad_request", "the passage must start before it ends")
    return ids[a : b + 1]


def chord_slots(doc: Doc, first: str, last: str, source_part: str | None = None) -> list[Slot]:
    """The chord symbols of measures ``first..last`` (all parts, first part wins a tie)."""
    measures = measure_range(doc, first, last)
    sizes = lengths(doc)
    numbers = {m["id"]: i + 1 for i, m in enumerate(doc["measures"])}
    parts = [p for p in doc["parts"] if source_part in (None, p["id"])]
    slots: list[Slot] = []
    for mid in measures:
        found: dict[Fraction, str] = {}
        for part in parts:
            for harmony in part["bars"].get(mid, {}).get("harmonies", []):
                found.setdefault(Fraction(harmony["offset"]), str(harmony["symbol"]))
        starts = sorted(found)
        for i, offset in enumerate(starts):
            end = starts[i + 1] if i + 1 < len(starts) else sizes[mid]
            slots.append(Slot(mid, numbers[mid], offset, end, found[offset]))
    return slots


def parse_all(slots: list[Slot]) -> list[ChordSpec]:
    """Every symbol parsed; all unparseable ones are listed in one error."""
    specs: list[ChordSpec] = []
    bad: list[dict[str, Any]] = []
    for slot in slots:
        try:
            specs.append(parse_symbol(slot.symbol))
        except VoicingError as exc:
            bad.append({"symbol": slot.symbol, "measure": slot.number, "message": exc.message})
    if bad:
        names = ", ".join(f"{b['symbol']!r} (m. {b['measure']})" for b in bad)
        raise HelperError(
            "unknown_chord_symbol", f"cannot read chord symbols: {names}", symbols=bad
        )
    return specs


def sounding_top(doc: Doc, part_id: str, measure: str, offset: Fraction) -> int | None:
    """The highest note of ``part_id`` voice 1 sounding at ``offset`` (None for a rest)."""
    part = find_part(doc, part_id)
    events = (part or {}).get("bars", {}).get(measure, {}).get("voices", {}).get("1", [])
    for start, event in with_offsets(events):
        if start <= offset < start + dur_value(event["dur"]):
            notes = event.get("notes") or []
            return max(to_midi(n) for n in notes) if notes else None
    return None


def spell_midi(midi: int, spec: ChordSpec | None, key: int) -> dict[str, Any]:
    """Step, alter, octave for a MIDI number: by its role in the chord, else by key sign."""
    pc = midi % 12
    step, alter = (_FLATS if key < 0 else _SHARPS)[pc]
    if spec is not None and spec.symbol and spec.symbol[0].upper() in STEPS:
        role = spec.role_of(pc)
        if role in _ROLE_LETTERS:
            letter = STEPS[(STEPS.index(spec.symbol[0].upper()) + _ROLE_LETTERS[role]) % 7]
            diff = (pc - STEP_SEMITONES[letter]) % 12
            diff = diff - 12 if diff > 6 else diff
            if abs(diff) <= 2:
                step, alter = letter, diff
    octave = (midi - alter - STEP_SEMITONES[step]) // 12 - 1
    return {"step": step, "alter": alter, "octave": octave}


# --- requests ----------------------------------------------------------------------------


@dataclass(frozen=True)
class VoicingRequest:
    target: str
    first: str
    last: str
    parts: dict[str, str]  # voice name -> part id
    melody_part: str | None
    k: int

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "first": self.first,
            "last": self.last,
            "parts": self.parts,
            "melody_part": self.melody_part,
            "k": self.k,
        }

    @property
    def written_voices(self) -> tuple[str, ...]:
        """SATB with a kept melody leaves the soprano part as it is."""
        voices = TARGETS[self.target]
        if self.target == "satb" and self.melody_part is not None:
            return tuple(v for v in voices if v != "soprano")
        return voices


def parse_request(doc: Doc, raw: Any) -> VoicingRequest:
    """``{target, first, last, parts: {voice: part_id}, melody_part?, k?}``, checked."""
    if not isinstance(raw, dict):
        raise HelperError("bad_request", "send a JSON object {target, first, last, parts}")
    target = raw.get("target")
    if target not in TARGETS:
        raise HelperError("bad_request", f"target must be one of {sorted(TARGETS)}")
    first, last = raw.get("first"), raw.get("last", raw.get("first"))
    if not isinstance(first, str) or not isinstance(last, str):
        raise HelperError("bad_request", "first and last must be measure ids")
    measure_range(doc, first, last)
    k = raw.get("k", 3)
    if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= MAX_K:
        raise HelperError("bad_request", f"k must be 1..{MAX_K}")
    part_ids = {p["id"] for p in doc["parts"]}
    melody = raw.get("melody_part")
    if melody is not None and melody not in part_ids:
        raise HelperError("bad_request", "melody_part is not a part of this score")
    parts = raw.get("parts")
    if target == "satb" and melody is not None and isinstance(parts, dict):
        parts = {**parts, "soprano": melody}
    if not isinstance(parts, dict) or set(parts) != set(TARGETS[target]):
        raise HelperError("bad_request", f"parts must map {list(TARGETS[target])} to part ids")
    if not all(p in part_ids for p in parts.values()) or len(set(parts.values())) != len(parts):
        raise HelperError("bad_request", "parts must name distinct parts of this score")
    if target != "satb" and melody == parts["part"]:
        raise HelperError("bad_request", "the kept melody cannot be the part being voiced")
    return VoicingRequest(target, first, last, dict(parts), melody, k)


def compute(doc: Doc, req: VoicingRequest) -> dict[str, Any]:
    """The engine's k alternatives for the passage, as stored in a suggestion's result."""
    slots = chord_slots(doc, req.first, req.last)
    if not slots:
        raise HelperError("no_chords", "the passage has no chord symbols to voice")
    if len(slots) > MAX_CHORDS:
        raise HelperError("bad_request", f"at most {MAX_CHORDS} chords at a time")
    specs = parse_all(slots)
    progression: list[Any] = []
    for slot, spec in zip(slots, specs, strict=True):
        top = (
            None
            if req.melody_part is None or spec.is_rest
            else sounding_top(doc, req.melody_part, slot.measure, slot.offset)
        )
        fixed_key = "soprano" if req.target == "satb" else "melody"
        item: dict[str, Any] = {"symbol": slot.symbol}
        if top is not None:
            item["fixed"] = {fixed_key: top}
        progression.append(item)
    try:
        found = suggest(progression, target=req.target, k=req.k)
    except VoicingError as exc:
        raise HelperError(exc.code, exc.message) from None
    alternatives = []
    for s in found:
        data = s.to_dict()
        if req.target == "satb":
            # A no-chord (N.C.) comes back with every voice None: it is written as rests.
            notes = [
                {v: [int(c[v])] if c[v] is not None else [] for v in TARGETS["satb"]}
                for c in s.chords
            ]
        else:
            notes = [{"part": sorted(int(x) for x in v)} for v in s.voicings]
        alternatives.append(
            {
                "rank": data["rank"],
                "cost": data["cost"],
                "breakdown": data["breakdown"],
                "per_chord": data["per_chord"],
                "explanation": data["explanation"],
                "notes": notes,
                "render": data["chords"],
            }
        )
    return {"slots": [s.to_json() for s in slots], "alternatives": alternatives}


def apply_tweaks(notes: list[dict[str, list[int]]], tweaks: Any) -> list[dict[str, list[int]]]:
    """``[{chord, voice, note?, semitones}]``: move single notes of an alternative."""
    if not isinstance(tweaks, list) or len(tweaks) > MAX_TWEAKS:
        raise HelperError("bad_request", f"tweaks must be a list of at most {MAX_TWEAKS}")
    out = [{v: list(ms) for v, ms in chord.items()} for chord in notes]
    for t in tweaks:
        if not isinstance(t, dict):
            raise HelperError("bad_request", "each tweak is {chord, voice, note?, semitones}")
        chord, voice, index, step = (
            t.get("chord"),
            t.get("voice"),
            t.get("note", 0),
            t.get("semitones"),
        )
        if not isinstance(chord, int) or isinstance(chord, bool) or not 0 <= chord < len(out):
            raise HelperError("bad_request", "tweak: chord is out of range")
        if (
            voice not in out[chord]
            or not isinstance(index, int)
            or isinstance(index, bool)
            or not 0 <= index < len(out[chord][voice])
        ):
            raise HelperError("bad_request", "tweak: no such voice or note in that chord")
        if not isinstance(step, int) or isinstance(step, bool) or not -12 <= step <= 12:
            raise HelperError("bad_request", "tweak: semitones must be -12..12")
        moved = out[chord][voice][index] + step
        if not 21 <= moved <= 108:
            raise HelperError("bad_request", "tweak: the note leaves the keyboard's range")
        out[chord][voice][index] = moved
    return out


def build_ops(
    doc: Doc,
    req: VoicingRequest,
    result: dict[str, Any],
    notes: list[dict[str, list[int]]],
    prefix: str,
) -> list[dict[str, Any]]:
    """``write_event`` ops with fresh IDs putting ``notes`` into the target parts, voice 1.

    A span that is not one notated value becomes tied notes (rests for N.C.).
    """
    taken = set(all_ids(doc))
    counter = iter(range(1, 1_000_000))

    def fresh(kind: str) -> str:
        while True:
            candidate = f"{prefix}{kind}{next(counter)}"
            if candidate not in taken:
                taken.add(candidate)
                return candidate

    keys: dict[str, int] = {}
    key = 0
    for m in doc["measures"]:
        key = m.get("key", key)
        keys[m["id"]] = key
    ops: list[dict[str, Any]] = []
    for raw, chord in zip(result["slots"], notes, strict=True):
        offset, end = Fraction(raw["offset"]), Fraction(raw["end"])
        spec = parse_symbol(raw["symbol"])
        try:
            pieces = rest_durations(end - offset, offset)
        except ValueError as exc:
            raise HelperError("bad_request", f"m. {raw['number']}: {exc}") from None
        for voice in req.written_voices:
            midis = sorted(set(chord.get(voice, [])))
            position = offset
            for i, dur in enumerate(pieces):
                tie = {"tie": True} if i + 1 < len(pieces) else {}
                event_notes = [
                    {"id": fresh("n"), **spell_midi(m, spec, keys[raw["measure"]]), **tie}
                    for m in midis
                ]
                ops.append(
                    {
                        "op": "write_event",
                        "part": req.parts[voice],
                        "measure": raw["measure"],
                        "offset": format_fraction(position),
                        "voice": "1",
                        "event": {"id": fresh("e"), "dur": dur, "notes": event_notes},
                    }
                )
                position += dur_value(dur)
    return ops


__all__ = [
    "MAX_K",
    "TARGETS",
    "HelperError",
    "Slot",
    "VoicingRequest",
    "apply_tweaks",
    "build_ops",
    "chord_slots",
    "compute",
    "parse_request",
    "spell_midi",
]
