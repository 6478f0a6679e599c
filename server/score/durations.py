"""Exact rational durations: notated values (type, dots, tuplet) and rest filling.

Durations are fractions of a whole note. A notated duration is a dict
``{"type": 4, "dots": 1, "tuplet": [3, 2]}`` (``dots`` and ``tuplet`` optional).
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

TYPES = (1, 2, 4, 8, 16, 32, 64, 128)
MAX_DOTS = 3


FRACTION_PATTERN = re.compile(r"(\d{1,9})(?:/(\d{1,9}))?")


def parse_fraction(text: Any) -> Fraction:
    """Read ``"3/8"``, ``"1"`` or a small int as a non-negative Fraction.

    Only the form ``format_fraction`` writes is accepted: ``Fraction("1e-100000000")``
    would spend hours building the number, so exponents and decimals are refused.
    """
    if isinstance(text, int) and not isinstance(text, bool) and 0 <= text < 10**9:
        return Fraction(text)
    match = FRACTION_PATTERN.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"expected a non-negative fraction like '3/8', got {text!r}")
    denominator = int(match.group(2) or 1)
    if denominator == 0:
        raise ValueError(f"a fraction cannot divide by zero: {text!r}")
    return Fraction(int(match.group(1)), denominator)


def format_fraction(value: Fraction) -> str:
    return (
        str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
    )


def validate_dur(dur: Any) -> dict[str, Any]:
    """Check a notated duration and return it in canonical form (defaults omitted)."""
    if not isinstance(dur, dict):
        raise ValueError(f"a duration must be an object like {{'type': 4}}, got {dur!r}")
    unknown = set(dur) - {"type", "dots", "tuplet"}
    if unknown:
        raise ValueError(f"unknown duration fields: {sorted(unknown)}")
    kind = dur.get("type")
    if kind not in TYPES or isinstance(kind, bool):
        raise ValueError(f"duration type must be one of {TYPES}, got {kind!r}")
    dots = dur.get("dots", 0)
    if not isinstance(dots, int) or isinstance(dots, bool) or not 0 <= dots <= MAX_DOTS:
        raise ValueError(f"dots must be 0..{MAX_DOTS}, got {dots!r}")
    out: dict[str, Any] = {"type": kind}
    if dots:
        out["dots"] = dots
    tuplet = dur.get("tuplet")
    if tuplet is not None:
        if (
            not isinstance(tuplet, list)
            or len(tuplet) != 2
            or not all(
                isinstance(x, int) and not isinstance(x, bool) and 1 <= x <= 32 for x in tuplet
            )
        ):
            raise ValueError(f"tuplet must be [actual, normal] with 1..32, got {tuplet!r}")
        if tuplet[0] != tuplet[1]:
            out["tuplet"] = [tuplet[0], tuplet[1]]
    return out


_VALUES: dict[tuple[Any, Any, Any, Any], Fraction] = {}


def dur_value(dur: dict[str, Any]) -> Fraction:
    """The length of a notated duration in whole notes.

    Memoised: every write walks its voice's durations, and there are few distinct ones.
    """
    tuplet = dur.get("tuplet")
    key = (dur["type"], dur.get("dots", 0), *(tuplet if tuplet else (None, None)))
    value = _VALUES.get(key)
    if value is None:
        base = Fraction(1, dur["type"])
        value = base * (2 - Fraction(1, 2 ** dur.get("dots", 0)))
        if tuplet:
            value = value * tuplet[1] / tuplet[0]
        if len(_VALUES) < 4096:  # bounded: durations come from users
            _VALUES[key] = value
    return value


def measure_length(time: list[int]) -> Fraction:
    return Fraction(time[0], time[1])


def rest_durations(length: Fraction, start: Fraction = Fraction(0)) -> list[dict[str, Any]]:
    """Notated rests that add up to exactly ``length``, beginning at ``start``.

    Each binary rest is the longest value that starts on a multiple of itself,
    so rests line up with the beat as engravers write them (an eighth, then a
    quarter after a dotted quarter, not the other way round).

    Binary lengths use plain values; anything else, such as the
    gap a triplet leaves behind, is written in tuplet units of the odd factor.
    """
    if length <= 0:
        return []
    den = length.denominator
    odd = den
    while odd % 2 == 0:
        odd //= 2
    if odd == 1 and (start * 128).denominator == 1:
        return _aligned_rests(length, start)
    if odd == 1:
        return _binary_rests(length)
    # Whole groups of `odd` grid units add up to a binary length; only the
    # remainder needs tuplet rests (actual = odd, normal = largest power of 2 below).
    normal = 1
    while normal * 2 < odd:
        normal *= 2
    units = length.numerator
    binary_units = units - units % odd
    base_type = den // odd * normal
    if base_type > TYPES[-1] or odd > 32:
        raise ValueError(f"cannot notate a rest of {length}")
    result = _binary_rests(Fraction(binary_units, den)) if binary_units else []
    result += [{"type": base_type, "tuplet": [odd, normal]} for _ in range(units % odd)]
    return result


def _aligned_rests(length: Fraction, start: Fraction) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = []
    position, end = start, start + length
    while position < end:
        for kind in TYPES:
            value = Fraction(1, kind)
            if position + value <= end and (position / value).denominator == 1:
                result.append({"type": kind})
                position += value
                break
        else:  # less than the shortest value is left
            raise ValueError(f"cannot notate a rest of {length}")
    return result


def _binary_rests(length: Fraction) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = []
    remaining = length
    for kind in TYPES:
        value = Fraction(1, kind)
        while remaining >= value:
            result.append({"type": kind})
            remaining -= value
    # Whole rests longer than a whole note (e.g. 6/4 measures) already split above.
    if remaining:
        raise ValueError(f"cannot notate a rest of {length}")
    return result
