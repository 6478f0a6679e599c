"""Piano voicing: left-hand bass or shell, right-hand close, open, drop-2, drop-3, rootless A/B.

A candidate row is ``(lh0, lh1, rh0, rh1, rh2, rh3, style)`` with ``-1`` for an unused
slot; ``style`` indexes ``STYLES``. Pure numpy; uses the ``rules`` predicates.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from . import rules as r
from .chords import ChordSpec
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

STYLES = ("close", "open", "drop2", "drop3", "rootless_a", "rootless_b")
LH, RH, STYLE = slice(0, 2), slice(2, 6), 6
BASS_RANGE = (33, 55)  # A1..G3 for the lowest note
RH_LOW, RH_TOP = (50, 72), (62, 86)  # lowest and top right-hand note limits
MAX_SPAN = 16  # a tenth (plus a little): the most one hand is asked to stretch
LOW_INTERVAL_FLOOR = 52  # below E3 thirds and seconds turn to mud
DEFAULT_WEIGHTS = {
    "incomplete": 6.0,
    "doubling": 1.5,
    "hand_span": 1.0,
    "register": 0.5,
    "low_interval": 3.0,
    "style": 1.0,
    "movement": 1.0,
    "top_leap": 0.5,
    "bass_motion": 0.2,
    "parallel_outer": 8.0,
    "hidden_outer": 2.0,
    "leading_tone": 2.0,
    "seventh": 2.0,
}
STYLE_COST = {
    "close": 0.0,
    "open": 0.5,
    "drop2": 0.0,
    "drop3": 0.5,
    "rootless_a": 0.3,
    "rootless_b": 0.3,
}
_ROLE_ORDER = ("third", "seventh", "ninth", "thirteenth", "eleventh", "fifth", "root")


class PianoTarget:
    """Two hands: a bass (or bass + shell tone) below, three or four notes above."""

    name = "piano"

    def __init__(self, rules: Rules | None = None, styles: Any = None) -> None:
        self.rules = rules if rules is not None else Rules(dict(DEFAULT_WEIGHTS))
        if styles is None:
            self.styles = STYLES
        else:
            if not isinstance(styles, list | tuple) or not set(styles) <= set(STYLES) or not styles:
                raise VoicingError("bad_options", f"piano styles must be a subset of {STYLES}")
            self.styles = tuple(styles)

    def candidates(self, chord: ChordSpec, fixed: Fixed, index: int) -> IntArray:
        if chord.is_rest:
            return np.full((1, 7), -1, dtype=np.int64)
        melody, bass, locked = read_fixed(fixed, index)
        rows = piano_rows(chord, self.styles)
        if melody is not None and melody % 12 not in chord.pcs:
            rows = tuple(_under_melody(rows, melody))
        filtered = [
            row
            for row in rows
            if (melody is None or _top(row) == melody)
            and (bass is None or row[0] == bass)
            and all(note in row[:STYLE] for note in locked)
        ]
        if not filtered:
            raise VoicingError(
                "no_voicing",
                f"no piano voicing of chord {index + 1} ({chord.label()}) "
                + (f"keeps the fixed notes ({fixed_text(fixed)})" if fixed else "fits two hands"),
                chord_index=index,
            )
        cands = np.array(filtered, dtype=np.int64)
        miss = missing_cost(chord, pc_counts(cands[:, :STYLE]))
        kept: IntArray = cands[miss <= miss.min() + 2.0]
        return kept

    def unary_terms(self, chord: ChordSpec, cands: IntArray) -> Terms:
        if chord.is_rest:
            return {}
        notes = cands[:, :STYLE]
        counts = pc_counts(notes)
        lh_span = np.where(cands[:, 1] >= 0, cands[:, 1] - cands[:, 0], 0)
        rh = cands[:, RH]
        rh_top = rh.max(axis=1)
        rh_low = np.where(rh >= 0, rh, 999).min(axis=1)
        low_interval = (
            (cands[:, 1] >= 0)
            & (cands[:, 1] - cands[:, 0] < 7)
            & (cands[:, 1] < LOW_INTERVAL_FLOOR)
        ).astype(np.float64)
        styles = np.array([STYLE_COST[s] for s in STYLES])
        return {
            "incomplete": missing_cost(chord, counts),
            "doubling": doubling_cost(chord, counts),
            "hand_span": (r.excess(lh_span, 12) + r.excess(rh_top - rh_low, 12)).astype(float),
            "register": (
                r.range_excess(rh_top, 67, 81) + r.range_excess(cands[:, 0], 36, 50)
            ).astype(np.float64),
            "low_interval": low_interval,
            "style": styles[cands[:, STYLE]],
        }

    def pair_terms(self, a: ChordSpec, ca: IntArray, b: ChordSpec, cb: IntArray) -> Terms:
        if a.is_rest or b.is_rest:
            return {}
        xt = ca[:, RH].max(axis=1)[:, None]
        yt = cb[:, RH].max(axis=1)[None, :]
        # Each new right-hand note is charged its distance to the nearest old one. Old
        # unused slots repeat the top note (harmless under a min); new ones are masked.
        x_rh = np.where(ca[:, RH] >= 0, ca[:, RH], xt)
        movement = np.zeros((ca.shape[0], cb.shape[0]))
        for i in range(4):
            y_i = cb[None, :, 2 + i]
            nearest = np.abs(y_i - x_rh[:, 0][:, None])
            for j in range(1, 4):
                nearest = np.minimum(nearest, np.abs(y_i - x_rh[:, j][:, None]))
            movement += nearest * (y_i >= 0)
        xb, yb = ca[:, 0][:, None], cb[:, 0][None, :]
        return {"movement": movement, **outer_voice_terms(a, b, xb, xt, yb, yt)}

    def unary_notes(
        self, index: int, chord: ChordSpec, voicing: tuple[int, ...]
    ) -> list[tuple[str, str]]:
        if chord.is_rest:
            return []
        where = f"chord {index + 1}"
        notes: list[tuple[str, str]] = []
        present = {m % 12 for m in voicing[:STYLE] if m >= 0}
        for pc, role in zip(chord.pcs, chord.roles, strict=True):
            if pc not in present:
                notes.append(("incomplete", f"{role} omitted, {where}"))
        left = [m for m in voicing[LH] if m >= 0]
        right = [m for m in voicing[RH] if m >= 0]
        for hand, group in (("left", left), ("right", right)):
            if max(group) - min(group) > 12:
                notes.append(
                    (
                        "hand_span",
                        f"{hand} hand stretches {max(group) - min(group)} semitones, {where}",
                    )
                )
        if len(left) == 2 and left[1] - left[0] < 7 and left[1] < LOW_INTERVAL_FLOOR:
            notes.append(("low_interval", f"close interval low in the left hand, {where}"))
        return notes

    def pair_notes(
        self, index: int, a: ChordSpec, va: tuple[int, ...], b: ChordSpec, vb: tuple[int, ...]
    ) -> list[tuple[str, str]]:
        if a.is_rest or b.is_rest:
            return []
        where = f"chord {index}→{index + 1}"
        notes: list[tuple[str, str]] = []
        args = (va[0], _top(va), vb[0], _top(vb))
        if r.parallel_fifths(*args):
            notes.append(("parallel_outer", f"parallel fifths bass–top, {where}"))
        if r.parallel_octaves(*args):
            notes.append(("parallel_outer", f"parallel octaves bass–top, {where}"))
        if r.hidden_perfect(*args):
            notes.append(("hidden_outer", f"hidden fifth/octave bass–top, {where}"))
        if r.leap_excess(_top(va), _top(vb), 4) > 0:
            notes.append(
                ("top_leap", f"top voice leaps {abs(_top(vb) - _top(va))} semitones, {where}")
            )
        leading, seventh = tendency_pcs(a, b)
        if leading is not None and _top(va) % 12 == leading:
            if not r.resolves_up_by_semitone(_top(va), _top(vb)):
                notes.append(
                    ("leading_tone", f"leading tone not resolved in the top voice, {where}")
                )
        if seventh is not None and _top(va) % 12 == seventh:
            if not r.resolves_down_by_step(_top(va), _top(vb)):
                notes.append(("seventh", f"seventh not resolved down in the top voice, {where}"))
        return notes

    def diversity_keys(self, cands: IntArray) -> IntArray:
        """The bass note and the right hand: a left-hand octave doubling is no new idea."""
        keys: IntArray = cands[:, [0, 2, 3, 4, 5]]
        return keys

    def render(self, chord: ChordSpec, voicing: tuple[int, ...]) -> dict[str, Any]:
        if chord.is_rest:
            return {"left": [], "right": [], "style": None}
        return {
            "left": [m for m in voicing[LH] if m >= 0],
            "right": [m for m in voicing[RH] if m >= 0],
            "style": STYLES[voicing[STYLE]],
        }

    def sounding(self, voicing: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(sorted(m for m in voicing[:STYLE] if m >= 0))


@lru_cache(maxsize=1024)
def piano_rows(chord: ChordSpec, styles: tuple[str, ...]) -> tuple[tuple[int, ...], ...]:
    """Every playable two-hand voicing of a chord in the given styles (cached: pure)."""
    rows: set[tuple[int, ...]] = set()
    free_left = [(*lh, *([-1] * (2 - len(lh)))) for lh in left_hands(chord, None)]
    # ``playable`` split by hand: the right hand's half once per right hand, the left
    # hand's once per left hand (its top note, or None), then only the hands' order per row.
    left_top: dict[tuple[int, ...], int | None] = {}
    for style in styles:
        code = STYLES.index(style)
        for lh_extra, right in right_hands(chord, style):
            # Cheap range checks on the right hand first: most inversions fail them.
            if not (RH_LOW[0] <= right[0] <= RH_LOW[1] and RH_TOP[0] <= right[-1] <= RH_TOP[1]):
                continue
            if right[-1] - right[0] > MAX_SPAN or not _right_fits(right):
                continue
            lefts = free_left if lh_extra is None else left_hands(chord, lh_extra)
            tail = (*right, *([-1] * (4 - len(right))), code)
            low_right = min(right)
            for lh in lefts:
                if lh_extra is not None and len(lh) < 2:
                    continue
                if lh not in left_top:
                    left_top[lh] = _left_top(lh)
                top = left_top[lh]
                if top is not None and top < low_right:
                    rows.add((*lh, *tail))
    return tuple(sorted(rows))


def _right_fits(right: tuple[int, ...]) -> bool:
    """The right hand's half of ``playable``: within a tenth and in range."""
    return (
        max(right) - min(right) <= MAX_SPAN
        and RH_LOW[0] <= min(right) <= RH_LOW[1]
        and RH_TOP[0] <= max(right) <= RH_TOP[1]
    )


def _left_top(lh: tuple[int, ...]) -> int | None:
    """The left hand's half of ``playable``: its top note if it is in range and within a
    tenth, else None."""
    left = [m for m in lh if m >= 0]
    if BASS_RANGE[0] <= left[0] <= BASS_RANGE[1] and max(left) - min(left) <= MAX_SPAN:
        return max(left)
    return None


def _under_melody(rows: tuple[tuple[int, ...], ...], melody: int) -> list[tuple[int, ...]]:
    """A melody note outside the chord (a passing or suspended tone) goes on top of a
    voicing of the chord: the right hand keeps its upper notes below the melody, within
    one hand's span (a four-note hand gives up its lowest note)."""
    out = []
    for row in rows:
        right = [m for m in row[RH] if m >= 0]
        if right[-1] >= melody:
            continue
        if len(right) == 4:
            right = right[1:]
        right.append(melody)
        if right[-1] - right[0] > MAX_SPAN or max(m for m in row[LH] if m >= 0) >= right[0]:
            continue
        out.append((*row[LH], *right, *([-1] * (4 - len(right))), row[STYLE]))
    return out


def _top(row: tuple[int, ...]) -> int:
    return max(row[RH])


def playable(row: tuple[int, ...]) -> bool:
    """Hands within a tenth, not overlapping, in range."""
    left = [m for m in row[LH] if m >= 0]
    right = [m for m in row[RH] if m >= 0]
    return (
        BASS_RANGE[0] <= left[0] <= BASS_RANGE[1]
        and max(left) - min(left) <= MAX_SPAN
        and max(right) - min(right) <= MAX_SPAN
        and max(left) < min(right)
        and RH_LOW[0] <= min(right) <= RH_LOW[1]
        and RH_TOP[0] <= max(right) <= RH_TOP[1]
    )


def read_fixed(fixed: Fixed, index: int) -> tuple[int | None, int | None, list[int]]:
    """``melody`` (top right-hand note), ``bass`` (lowest note), ``locked`` (notes present)."""
    unknown = set(fixed) - {"melody", "bass", "locked"}
    if unknown:
        raise VoicingError(
            "bad_fixed",
            f"chord {index + 1}: piano fixes 'melody', 'bass' or 'locked', not {sorted(unknown)}",
            chord_index=index,
        )
    melody, bass, locked = fixed.get("melody"), fixed.get("bass"), fixed.get("locked", [])
    for name, value in (("melody", melody), ("bass", bass)):
        if value is not None and (not isinstance(value, int) or not 21 <= value <= 108):
            raise VoicingError(
                "fixed_out_of_range",
                f"chord {index + 1}: fixed {name} must be a MIDI number on the keyboard",
                chord_index=index,
            )
    if not isinstance(locked, list) or not all(isinstance(m, int) for m in locked):
        raise VoicingError("bad_fixed", f"chord {index + 1}: locked must be a list of MIDI numbers")
    return melody, bass, list(locked)


def _tones_for(chord: ChordSpec, style: str) -> list[int]:
    """The right hand's pitch classes for a style, most important first."""
    by_role = sorted(
        zip(chord.pcs, chord.roles, strict=True),
        key=lambda pr: _ROLE_ORDER.index(pr[1]) if pr[1] in _ROLE_ORDER else 99,
    )
    if style.startswith("rootless"):
        return [pc for pc, role in by_role if role != "root"][:4]
    if style == "open":
        return [pc for pc, _ in by_role][:3]
    tones = [pc for pc, _ in by_role][:4]
    if len(tones) < 4 and style != "close":
        tones.append(chord.root)  # a triad in drop voicings doubles the root
    return tones


def right_hands(chord: ChordSpec, style: str) -> list[tuple[int | None, tuple[int, ...]]]:
    """(note the style hands to the left hand, right-hand notes) for every inversion/octave."""
    if style.startswith("rootless") and chord.pc_with_role("seventh") is None:
        return []
    if style == "open" and len(chord.pcs) > 3:
        return []
    tones = _tones_for(chord, style)
    if len(tones) < 3 or (style in ("drop2", "drop3") and len(tones) < 4):
        return []
    start_role = {"rootless_a": "third", "rootless_b": "seventh"}.get(style)
    out: list[tuple[int | None, tuple[int, ...]]] = []
    order = sorted(set(tones))
    for rot in range(len(order)):
        stack = order[rot:] + order[:rot]
        if start_role is not None and stack[0] != chord.pc_with_role(start_role):
            continue
        for base in range(48, 80):
            if base % 12 != stack[0]:
                continue
            close = [base]
            for pc in stack[1:]:
                close.append(close[-1] + (pc - close[-1]) % 12 or 12)
            if len(tones) > len(order):  # doubled root on top
                close.append(close[0] + 12)
            hand: tuple[int | None, tuple[int, ...]]
            if style == "open":
                hand = (None, tuple(sorted([close[0], close[2], close[1] + 12])))
            elif style == "drop2":
                dropped = close[-2] - 12
                hand = (None, tuple(sorted([dropped, *close[:-2], close[-1]])))
            elif style == "drop3":
                dropped = close[-3] - 12
                hand = (dropped, tuple(n for n in close if n != close[-3]))
            else:
                hand = (None, tuple(close))
            out.append(hand)
    return out


def left_hands(chord: ChordSpec, extra: int | None) -> list[tuple[int, ...]]:
    """Bass alone, bass + octave, bass + fifth, bass + shell tone (third or seventh)."""
    out: list[tuple[int, ...]] = []
    for bass in range(BASS_RANGE[0], BASS_RANGE[1] + 1):
        if bass % 12 != chord.bass:
            continue
        if extra is not None:
            if bass < extra:
                out.append((bass, extra))
            continue
        out.append((bass,))
        out.append((bass, bass + 12))
        for role in ("fifth", "third", "seventh"):
            pc = chord.pc_with_role(role)
            if pc is not None and pc != chord.bass:
                out.append((bass, bass + (pc - bass) % 12 + (12 if role == "third" else 0)))
                if role != "third":
                    out.append((bass, bass + (pc - bass) % 12))
    return sorted(set(out))
