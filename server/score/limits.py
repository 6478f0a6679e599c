"""How big and how strange a score may be: the limits every way into the model enforces.

A score that breaks none of these can be opened, engraved, exported and restored within
the server's time and memory budgets; one that breaks any is refused with a message at
the edge (HTTP body, Socket.IO edit, import), never stored. Pure: stdlib only.
"""

from __future__ import annotations

import math
from typing import Any

#: Measures in one score, parts in one score, and their product (bars): a 2000 x 16 or a
#: 500 x 64 score is the largest allowed.
MAX_MEASURES = 2000
MAX_PARTS = 64
MAX_BARS = 32_000
#: Events in one voice of one bar (a 4/4 bar of 128th notes is 128).
MAX_EVENTS_PER_VOICE = 256
#: Events in a whole score, checked wherever a whole document or many bars arrive at once
#: (create, import, restore, insert_measures, add_part). Bar by bar edits are bounded by
#: MAX_BARS x 4 voices x MAX_EVENTS_PER_VOICE.
MAX_EVENTS = 200_000
#: Time signatures: beats 1..32 over a beat type of 1..32 (powers of two).
MAX_BEATS = 32
BEAT_TYPES = (1, 2, 4, 8, 16, 32)
#: Tempo in quarter notes per minute.
MIN_TEMPO, MAX_TEMPO = 10, 400
#: Key signatures: sharps (+) or flats (-).
MAX_FIFTHS = 7
#: Title, composer.
MAX_TITLE = 200


def text_problem(value: Any, what: str, max_len: int) -> str | None:
    """Why ``value`` is not acceptable text (a str of at most ``max_len`` characters that
    encodes to UTF-8: a lone surrogate from a ``"\\ud800"`` escape cannot be stored or
    sent on), or None when it is."""
    if not isinstance(value, str) or len(value) > max_len:
        return f"{what} must be a string of at most {max_len} characters"
    if not is_valid_unicode(value):
        return f"{what} is not valid Unicode text (a lone surrogate)"
    return None


def is_valid_unicode(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def attr_problem(attr: str, value: Any) -> str | None:
    """Why a measure attribute (time, key, tempo) is out of range, or None."""
    if attr == "time":
        ok = (
            isinstance(value, list)
            and len(value) == 2
            and all(isinstance(x, int) and not isinstance(x, bool) for x in value)
            and 1 <= value[0] <= MAX_BEATS
            and value[1] in BEAT_TYPES
        )
        return None if ok else f"time must be [beats, beat type] like [3, 4], got {value!r}"
    if attr == "key":
        ok = isinstance(value, int) and not isinstance(value, bool) and abs(value) <= MAX_FIFTHS
        return (
            None if ok else f"key must be a number of sharps (+) or flats (-), -7..7, got {value!r}"
        )
    if attr == "tempo":
        ok = (
            isinstance(value, (int, float))
            and not isinstance(value, bool)
            and math.isfinite(value)
            and MIN_TEMPO <= value <= MAX_TEMPO
        )
        return (
            None
            if ok
            else f"tempo must be {MIN_TEMPO}..{MAX_TEMPO} quarter notes per minute, got {value!r}"
        )
    return f"unknown measure attribute {attr!r}"


def size_problems(doc: dict[str, Any]) -> list[str]:
    """Every limit a whole document breaks (counts only: the shape is checked elsewhere)."""
    problems = []
    measures = len(doc.get("measures", ()))
    parts = doc.get("parts", ())
    if measures > MAX_MEASURES:
        problems.append(f"a score holds at most {MAX_MEASURES} measures, this one {measures}")
    if len(parts) > MAX_PARTS:
        problems.append(f"a score holds at most {MAX_PARTS} parts, this one {len(parts)}")
    if measures * len(parts) > MAX_BARS:
        problems.append(
            f"measures x parts may be at most {MAX_BARS}, this score has {measures} x {len(parts)}"
        )
    total = 0
    for part in parts:
        for bar in part.get("bars", {}).values():
            for events in bar.get("voices", {}).values():
                total += len(events)
    if total > MAX_EVENTS:
        problems.append(f"a score holds at most {MAX_EVENTS} notes and rests, this one {total}")
    return problems


def json_problem(value: Any, *, max_depth: int = 64) -> str | None:
    """Why a decoded JSON value is not plain JSON we accept: NaN or infinite numbers
    (Python's json module reads ``NaN``), text that is not valid Unicode, nesting deeper
    than ``max_depth``. None when it is fine. Iterative: a deep payload cannot overflow."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > max_depth:
            return f"nested more than {max_depth} levels deep"
        if isinstance(item, float):
            if not math.isfinite(item):
                return "numbers must be finite (no NaN or Infinity)"
        elif isinstance(item, str):
            if not is_valid_unicode(item):
                return "text must be valid Unicode (a lone surrogate was sent)"
        elif isinstance(item, dict):
            for key, child in item.items():
                if isinstance(key, str) and not is_valid_unicode(key):
                    return "text must be valid Unicode (a lone surrogate was sent)"
                stack.append((child, depth + 1))
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return None
