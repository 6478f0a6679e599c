"""Exact lengths written as notated durations (type, dots, tuplet) for imported music.

Pure fractions, no music21: the reader hands in lengths in whole notes and gets
back the duration dicts of ``server.score.durations`` (one, or several to tie).
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from ..score.durations import MAX_DOTS, TYPES, dur_value, rest_durations, validate_dur

# The approximation grid: a triplet 128th and a plain 64th both lie on it, so
# every gap between snapped positions can be written (see rest_durations).
GRID = Fraction(1, 192)
TIME_DENOMINATORS = (4, 8, 2, 16, 32, 1)


def single_dur(value: Fraction) -> dict[str, Any] | None:
    """The one notated duration lasting ``value`` whole notes, or None.

    Plain and dotted values first; then the usual tuplets (n:m with m the largest
    power of two below n, e.g. 3:2, 5:4, 7:4), then duplets and quadruplets in
    triple time (2:3, 4:3, 4:6); anything else is better written tied.

    >>> single_dur(Fraction(3, 8))
    {'type': 4, 'dots': 1}
    >>> single_dur(Fraction(1, 12))
    {'type': 8, 'tuplet': [3, 2]}
    """
    if value <= 0:
        return None
    for kind in TYPES:
        for dots in range(MAX_DOTS + 1):
            dur: dict[str, Any] = {"type": kind, "dots": dots} if dots else {"type": kind}
            if dur_value(dur) == value:
                return dur
    fallback = None
    for kind in TYPES:
        ratio = Fraction(1, kind) / value  # actual / normal
        actual, normal = ratio.numerator, ratio.denominator
        if actual > 32 or normal > 32 or actual == normal:
            continue
        if normal < actual < 2 * normal and normal & (normal - 1) == 0:
            return {"type": kind, "tuplet": [actual, normal]}
        duplet = actual & (actual - 1) == 0 and normal in (3, 6, 12, 24)
        if fallback is None and duplet and min(actual, normal) * 2 > max(actual, normal):
            fallback = {"type": kind, "tuplet": [actual, normal]}
    return fallback


def notate(value: Fraction, hint: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Durations adding up to ``value``: the source's own notation when it is exact,
    else one computed value, else several (to be tied). Raises ValueError if the
    length cannot be written at all (finer than the smallest values)."""
    if hint is not None:
        try:
            clean = validate_dur(hint)
        except ValueError:
            clean = None
        if clean is not None and dur_value(clean) == value:
            return [clean]
    single = single_dur(value)
    if single is not None:
        return [single]
    return rest_durations(value)


def snap(value: Fraction) -> Fraction:
    """``value`` rounded to the approximation grid (halves round up, deterministically)."""
    return Fraction(math.floor(value / GRID + Fraction(1, 2))) * GRID


def time_for_length(length: Fraction, *, round_up: bool = False) -> list[int] | None:
    """A time signature [beats, beat type] whose bar lasts ``length`` (or just more)."""
    for den in TIME_DENOMINATORS:
        beats = length * den
        if beats.denominator == 1 and 1 <= beats <= 32:
            return [int(beats), den]
    if round_up:
        for den in TIME_DENOMINATORS[:4]:
            whole_beats = math.ceil(length * den)
            if 1 <= whole_beats <= 32:
                return [whole_beats, den]
    return None
