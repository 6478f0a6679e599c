"""Spelled pitches (step, alteration, octave): validation, MIDI numbers, transposition."""

from __future__ import annotations

from typing import Any

STEPS = "CDEFGAB"
STEP_SEMITONES = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
MAX_ALTER = 2


def validate_pitch(note: dict[str, Any]) -> None:
    step, alter, octave = note.get("step"), note.get("alter", 0), note.get("octave")
    if not isinstance(step, str) or step not in STEP_SEMITONES:
        raise ValueError(f"step must be one of A-G, got {step!r}")
    if not isinstance(alter, int) or isinstance(alter, bool) or abs(alter) > MAX_ALTER:
        raise ValueError(f"alter must be an integer -2..2, got {alter!r}")
    if not isinstance(octave, int) or isinstance(octave, bool) or not 0 <= octave <= 9:
        raise ValueError(f"octave must be 0..9, got {octave!r}")
    midi = to_midi(note)
    if not 0 <= midi <= 127:
        raise ValueError(f"pitch {spell(note)} is outside the MIDI range")


def to_midi(note: dict[str, Any]) -> int:
    """MIDI number of a spelled pitch; C4 = 60."""
    return 12 * (int(note["octave"]) + 1) + STEP_SEMITONES[note["step"]] + int(note.get("alter", 0))


def spell(note: dict[str, Any]) -> str:
    """Human name such as ``C#4`` or ``Bb3``."""
    alter = int(note.get("alter", 0))
    accidental = "#" * alter if alter > 0 else "b" * -alter
    return f"{note['step']}{accidental}{note['octave']}"


def sort_key(note: dict[str, Any]) -> tuple[int, int]:
    """Notes of a chord are kept low to high; enharmonic ties broken by letter."""
    return (to_midi(note), int(note["octave"]) * 7 + STEPS.index(note["step"]))


def transpose_pitch(note: dict[str, Any], diatonic: int, chromatic: int) -> dict[str, Any]:
    """Transpose by an interval given as letter steps and semitones (M2 = 1, 2).

    >>> transpose_pitch({"step": "B", "alter": 0, "octave": 3}, 1, 2)
    {'step': 'C', 'alter': 1, 'octave': 4}
    """
    index = int(note["octave"]) * 7 + STEPS.index(note["step"]) + diatonic
    octave, step_index = divmod(index, 7)
    step = STEPS[step_index]
    target = to_midi(note) + chromatic
    natural = 12 * (octave + 1) + STEP_SEMITONES[step]
    result = {"step": step, "alter": target - natural, "octave": octave}
    validate_pitch(result)
    return result
