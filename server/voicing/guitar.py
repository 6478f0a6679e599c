"""Guitar voicing: playable fret shapes in any tuning, with fret span, fingers and mutes.

A candidate row holds one fret per string, lowest string first, ``-1`` for a muted
string. Shapes are a pure function of (chord tones, bass, tuning, limits) and are cached.
Pure numpy; uses the ``rules`` predicates.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from . import rules as r
from .chords import OMIT_WEIGHT, ChordSpec
from .common import (
    Fixed,
    IntArray,
    Terms,
    doubling_cost,
    fixed_text,
    missing_cost,
    outer_voice_terms,
    pc_counts,
    tendency_pcs,
)
from .errors import VoicingError
from .rules import Rules

TUNINGS = {
    "standard": (40, 45, 50, 55, 59, 64),
    "drop_d": (38, 45, 50, 55, 59, 64),
    "dadgad": (38, 45, 50, 55, 57, 62),
    "open_g": (38, 43, 50, 55, 59, 62),
    "open_d": (38, 45, 50, 54, 57, 62),
    "half_step_down": (39, 44, 49, 54, 58, 63),
}
MIN_SOUNDING = 3
COMFORT_SPAN = 4  # frets covered by the fretting hand without a stretch
DEFAULT_WEIGHTS = {
    "incomplete": 6.0,
    "doubling": 0.5,
    "fret_span": 2.0,
    "position": 0.15,
    "muted": 0.6,
    "fingers": 1.0,
    "movement": 0.6,
    "top_leap": 0.5,
    "bass_motion": 0.1,
    "parallel_outer": 6.0,
    "hidden_outer": 1.0,
    "leading_tone": 1.5,
    "seventh": 1.5,
}


class GuitarTarget:
    """Fretted shapes; the chord's bass on the lowest sounding string."""

    name = "guitar"

    def __init__(
        self, rules: Rules | None = None, tuning: Any = None, max_fret: Any = 12, max_span: Any = 5
    ) -> None:
        self.rules = rules if rules is not None else Rules(dict(DEFAULT_WEIGHTS))
        self.tuning = read_tuning(tuning)
        if not isinstance(max_fret, int) or not 3 <= max_fret <= 24:
            raise VoicingError("bad_options", "max_fret must be an integer 3..24")
        if not isinstance(max_span, int) or not 2 <= max_span <= 7:
            raise VoicingError("bad_options", "max_span must be an integer 2..7 (frets covered)")
        self.max_fret, self.max_span = max_fret, max_span
        self._open = np.array(self.tuning, dtype=np.int64)

    def midi(self, frets: IntArray) -> IntArray:
        """MIDI numbers of fret rows (``-1`` stays muted)."""
        return np.where(frets >= 0, frets + self._open, -1)

    def candidates(self, chord: ChordSpec, fixed: Fixed, index: int) -> IntArray:
        if chord.is_rest:
            return np.full((1, len(self.tuning)), -1, dtype=np.int64)
        melody, bass, locked = read_fixed(fixed, index)
        pcs = chord.pcs
        if melody is not None and melody % 12 not in pcs:
            # A melody note outside the chord (passing or suspended tone) is allowed as an
            # extra tone; the filter below keeps it on top.
            pcs = tuple(sorted({*pcs, melody % 12}))
        shapes = fret_shapes(pcs, chord.bass, self.tuning, self.max_fret, self.max_span)
        if shapes.shape[0]:
            notes = self.midi(shapes)
            keep = np.ones(shapes.shape[0], dtype=bool)
            if melody is not None:
                keep &= notes.max(axis=1) == melody
            if bass is not None:
                keep &= np.where(notes >= 0, notes, 999).min(axis=1) == bass
            for note in locked:
                keep &= (notes == note).any(axis=1)
            shapes = shapes[keep]
        if not shapes.shape[0]:
            raise VoicingError(
                "no_voicing",
                f"no playable guitar shape of chord {index + 1} ({chord.label()}) in this tuning"
                + (f" with the fixed notes ({fixed_text(fixed)})" if fixed else ""),
                chord_index=index,
            )
        return shapes

    def unary_terms(self, chord: ChordSpec, cands: IntArray) -> Terms:
        if chord.is_rest:
            return {}
        notes = self.midi(cands)
        counts = pc_counts(notes)
        fretted = cands > 0
        low = np.where(fretted, cands, 99).min(axis=1)
        high = np.where(fretted, cands, -1).max(axis=1)
        span = np.where(fretted.any(axis=1), high - low + 1, 0)
        sounding = cands >= 0
        first = sounding.argmax(axis=1)
        last = cands.shape[1] - 1 - sounding[:, ::-1].argmax(axis=1)
        cols = np.arange(cands.shape[1])[None, :]
        # A mute inside the shape or above it costs a damping finger (inside costs more);
        # strings left out below the bass only thin the sound, so they count half.
        inner_mutes = (~sounding & (cols > first[:, None]) & (cols < last[:, None])).sum(axis=1)
        top_mutes = cands.shape[1] - 1 - last
        below = first
        return {
            "incomplete": missing_cost(chord, counts),
            "doubling": doubling_cost(chord, counts),
            "fret_span": r.excess(span, COMFORT_SPAN).astype(np.float64),
            "position": np.where(fretted.any(axis=1), low, 0).astype(np.float64),
            "muted": (2.0 * inner_mutes + top_mutes + 0.5 * below).astype(np.float64),
            "fingers": r.excess(fingers_needed(cands), 3).astype(np.float64),
        }

    def pair_terms(self, a: ChordSpec, ca: IntArray, b: ChordSpec, cb: IntArray) -> Terms:
        if a.is_rest or b.is_rest:
            return {}
        xa, xb_ = self.midi(ca), self.midi(cb)
        pos_a = _hand_position(ca)[:, None]
        pos_b = _hand_position(cb)[None, :]
        xt = xa.max(axis=1)[:, None]
        yt = xb_.max(axis=1)[None, :]
        xl = np.where(xa >= 0, xa, 999).min(axis=1)[:, None]
        yl = np.where(xb_ >= 0, xb_, 999).min(axis=1)[None, :]
        return {
            "movement": np.abs(pos_b - pos_a),
            **outer_voice_terms(a, b, xl, xt, yl, yt),
        }

    def unary_notes(
        self, index: int, chord: ChordSpec, voicing: tuple[int, ...]
    ) -> list[tuple[str, str]]:
        if chord.is_rest:
            return []
        where = f"chord {index + 1}"
        notes: list[tuple[str, str]] = []
        sounding = [f + o for f, o in zip(voicing, self.tuning, strict=True) if f >= 0]
        present = {m % 12 for m in sounding}
        for pc, role in zip(chord.pcs, chord.roles, strict=True):
            if pc not in present and OMIT_WEIGHT[role] > 1.0:
                notes.append(("incomplete", f"{role} omitted, {where}"))
        fretted = [f for f in voicing if f > 0]
        if fretted and max(fretted) - min(fretted) + 1 > COMFORT_SPAN:
            notes.append(
                ("fret_span", f"stretch over {max(fretted) - min(fretted) + 1} frets, {where}")
            )
        if _fingers_of(voicing) > 3:
            notes.append(("fingers", f"needs all four fingers, {where}"))
        return notes

    def pair_notes(
        self, index: int, a: ChordSpec, va: tuple[int, ...], b: ChordSpec, vb: tuple[int, ...]
    ) -> list[tuple[str, str]]:
        if a.is_rest or b.is_rest:
            return []
        where = f"chord {index}→{index + 1}"
        sa, sb = self.sounding(va), self.sounding(vb)
        notes: list[tuple[str, str]] = []
        args = (sa[0], sa[-1], sb[0], sb[-1])
        if r.parallel_fifths(*args):
            notes.append(("parallel_outer", f"parallel fifths bass–top, {where}"))
        if r.parallel_octaves(*args):
            notes.append(("parallel_outer", f"parallel octaves bass–top, {where}"))
        shift = abs(_position_of(vb) - _position_of(va))
        if shift >= 3:
            notes.append(("movement", f"hand shifts {shift:g} frets, {where}"))
        leading, seventh = tendency_pcs(a, b)
        if leading is not None and sa[-1] % 12 == leading:
            if not r.resolves_up_by_semitone(sa[-1], sb[-1]):
                notes.append(
                    ("leading_tone", f"leading tone not resolved in the top voice, {where}")
                )
        if seventh is not None and sa[-1] % 12 == seventh:
            if not r.resolves_down_by_step(sa[-1], sb[-1]):
                notes.append(("seventh", f"seventh not resolved down in the top voice, {where}"))
        return notes

    def diversity_keys(self, cands: IntArray) -> IntArray:
        """The sounding notes: the same notes on other strings sound the same."""
        keys: IntArray = np.sort(self.midi(cands), axis=1)
        return keys

    def render(self, chord: ChordSpec, voicing: tuple[int, ...]) -> dict[str, Any]:
        if chord.is_rest:
            return {"frets": [None] * len(self.tuning), "midi": []}
        return {
            "frets": [f if f >= 0 else None for f in voicing],
            "midi": list(self.sounding(voicing)),
        }

    def sounding(self, voicing: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(f + o for f, o in zip(voicing, self.tuning, strict=True) if f >= 0)


def _position_of(frets: tuple[int, ...]) -> float:
    """``_hand_position`` for one shape, in plain Python (explanations run per chord).

    >>> _position_of((-1, 3, 2, 0, 1, 0))
    2.0
    """
    fretted = [f for f in frets if f > 0]
    return sum(fretted) / len(fretted) if fretted else 0.0


def _hand_position(frets: IntArray) -> Any:
    """Where the fretting hand sits: mean fretted fret, 0 for an all-open shape."""
    fretted = frets > 0
    total = np.where(fretted, frets, 0).sum(axis=1)
    count = fretted.sum(axis=1)
    return np.where(count > 0, total / np.maximum(count, 1), 0.0)


def fingers_needed(frets: IntArray) -> IntArray:
    """Fretting fingers: one per fretted note, or with more than four a barre on the lowest
    fret counted as one finger (impossible, 99, when an open string lies under the barre).

    >>> int(fingers_needed(np.array([[-1, 3, 2, 0, 1, 0]]))[0])  # open C
    3
    >>> int(fingers_needed(np.array([[1, 3, 3, 2, 1, 1]]))[0])  # F barre
    4
    >>> int(fingers_needed(np.array([[1, 0, 3, 2, 1, 1]]))[0])  # open A under the barre
    99
    """
    fretted = frets > 0
    plain = fretted.sum(axis=1)
    low = np.where(fretted, frets, 99).min(axis=1)[:, None]
    at_low = fretted & (frets == low)
    cols = np.arange(frets.shape[1])[None, :]
    first = np.where(at_low, cols, 99).min(axis=1)[:, None]
    last = np.where(at_low, cols, -1).max(axis=1)[:, None]
    open_under = ((frets == 0) & (cols > first) & (cols < last)).any(axis=1)
    barre = np.where(open_under, 99, 1 + (fretted & (frets > low)).sum(axis=1))
    return np.where(plain <= 4, plain, barre)


def _fingers_of(frets: tuple[int, ...]) -> int:
    """``fingers_needed`` for one shape, in plain Python (explanations run per chord).

    >>> _fingers_of((-1, 3, 2, 0, 1, 0)), _fingers_of((1, 3, 3, 2, 1, 1))
    (3, 4)
    >>> _fingers_of((1, 0, 3, 2, 1, 1))
    99
    """
    fretted = [f for f in frets if f > 0]
    if len(fretted) <= 4:
        return len(fretted)
    low = min(fretted)
    at_low = [i for i, f in enumerate(frets) if f == low]
    first, last = at_low[0], at_low[-1]
    if any(f == 0 for f in frets[first + 1 : last]):
        return 99
    return 1 + sum(1 for f in fretted if f > low)


def read_tuning(tuning: Any) -> tuple[int, ...]:
    """A tuning name from ``TUNINGS`` or a list of open-string MIDI numbers, low to high."""
    if tuning is None:
        return TUNINGS["standard"]
    if isinstance(tuning, str):
        key = tuning.lower().replace("-", "_").replace(" ", "_")
        if key in TUNINGS:
            return TUNINGS[key]
        raise VoicingError("bad_tuning", f"unknown tuning {tuning!r}; known: {sorted(TUNINGS)}")
    if (
        isinstance(tuning, list | tuple)
        and 4 <= len(tuning) <= 8
        and all(isinstance(m, int) and not isinstance(m, bool) and 24 <= m <= 84 for m in tuning)
    ):
        return tuple(tuning)
    raise VoicingError("bad_tuning", "tuning must be 4-8 open-string MIDI numbers, low first")


def read_fixed(fixed: Fixed, index: int) -> tuple[int | None, int | None, list[int]]:
    unknown = set(fixed) - {"melody", "bass", "locked"}
    if unknown:
        raise VoicingError(
            "bad_fixed",
            f"chord {index + 1}: guitar fixes 'melody', 'bass' or 'locked', not {sorted(unknown)}",
            chord_index=index,
        )
    melody, bass, locked = fixed.get("melody"), fixed.get("bass"), fixed.get("locked", [])
    for value in (melody, bass):
        if value is not None and not isinstance(value, int):
            raise VoicingError("bad_fixed", f"chord {index + 1}: fixed notes are MIDI numbers")
    if not isinstance(locked, list) or not all(isinstance(m, int) for m in locked):
        raise VoicingError("bad_fixed", f"chord {index + 1}: locked must be a list of MIDI numbers")
    return melody, bass, list(locked)


@lru_cache(maxsize=2048)
def fret_shapes(
    pcs: tuple[int, ...], bass: int, tuning: tuple[int, ...], max_fret: int, max_span: int
) -> IntArray:
    """Every playable shape: chord tones only, bass lowest, span and fingers within limits."""
    n = len(tuning)
    rows: list[tuple[int, ...]] = []
    wanted = set(pcs)
    # Per string, the frets that sound a chord tone (computed once, not per branch).
    options = [
        [
            (fret, tuning[s] + fret)
            for fret in range(max_fret + 1)
            if (tuning[s] + fret) % 12 in wanted
        ]
        for s in range(n)
    ]
    need = min(MIN_SOUNDING, n)

    def extend(prefix: list[int], lo: int, hi: int, bass_midi: int, sounding: int) -> None:
        string = len(prefix)
        if string == n:
            if sounding >= need:
                rows.append(tuple(prefix))
            return
        if sounding + (n - string) < need:
            return  # too few strings left to reach the minimum
        prefix.append(-1)
        extend(prefix, lo, hi, bass_midi, sounding)
        prefix.pop()
        for fret, note in options[string]:
            if note < bass_midi:
                continue
            if fret > 0:
                new_lo = lo if lo < fret else fret
                new_hi = hi if hi > fret else fret
                if new_hi - new_lo + 1 > max_span:
                    continue
            else:
                new_lo, new_hi = lo, hi
            prefix.append(fret)
            extend(prefix, new_lo, new_hi, bass_midi, sounding + 1)
            prefix.pop()

    for lowest in range(max(1, n - MIN_SOUNDING + 1)):
        for fret, note in options[lowest]:
            if note % 12 != bass:
                continue
            lo, hi = (fret, fret) if fret > 0 else (99, -1)
            extend([-1] * lowest + [fret], lo, hi, note, 1)
    if not rows:
        return np.zeros((0, n), dtype=np.int64)
    shapes = np.array(rows, dtype=np.int64)
    shapes = shapes[fingers_needed(shapes) <= 4]
    # Keep only shapes about as complete as the most complete one.
    counts = pc_counts(np.where(shapes >= 0, shapes + np.array(tuning), -1))
    probe = ChordSpec.from_pitch_classes(pcs, bass)
    miss = missing_cost(probe, counts)
    kept: IntArray = shapes[miss <= miss.min() + 1.0]
    kept.setflags(write=False)
    return kept
