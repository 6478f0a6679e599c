"""Form: barline styles, repeats, endings, and the order a score is played in.

Per measure (shared by all parts, absent when not used)::

    "barline": "double" | "final" | "dashed"      # the barline at the measure's end
    "repeat_start": true                          # a start-repeat sign at its beginning
    "repeat_end": 2..9                            # an end-repeat sign: play the section N times
    "ending": [1] | [1, 2] ...                    # a 1st/2nd... ending (volta) bracket
    "rehearsal": "A"                              # a rehearsal mark (1..16 characters)

``play_order`` unrolls repeats and endings into the sequence of measure indexes a
performer plays (used by playback and MIDI export). Pure: no Flask, SQL or music21.
"""

from __future__ import annotations

from typing import Any

BARLINES = ("double", "final", "dashed")
FORM_FIELDS = ("barline", "repeat_start", "repeat_end", "ending", "rehearsal")
MAX_REHEARSAL = 16
MAX_TIMES = 9
MAX_PLAYED = 20  # a played score is at most this many times as long as its measures


def form_problem(name: str, value: Any) -> str | None:
    """Why ``value`` cannot be the measure's ``name``, or None."""
    if name == "barline":
        ok = value in BARLINES
        return None if ok else f"barline must be one of {', '.join(BARLINES)}"
    if name == "repeat_start":
        return None if value is True else "repeat_start takes true"
    if name == "repeat_end":
        ok = isinstance(value, int) and not isinstance(value, bool) and 2 <= value <= MAX_TIMES
        return None if ok else f"repeat_end takes the times played, 2..{MAX_TIMES}"
    if name == "ending":
        ok = (
            isinstance(value, list)
            and 1 <= len(value) <= MAX_TIMES
            and all(isinstance(n, int) and not isinstance(n, bool) for n in value)
            and all(1 <= n <= MAX_TIMES for n in value)
            and value == sorted(set(value))
        )
        return None if ok else f"ending takes increasing numbers 1..{MAX_TIMES}, e.g. [1] or [1, 2]"
    if name == "rehearsal":
        ok = isinstance(value, str) and 0 < len(value) <= MAX_REHEARSAL and value.strip() == value
        return None if ok else f"rehearsal takes a mark of 1..{MAX_REHEARSAL} characters, e.g. A"
    return f"unknown form field {name!r} (one of {', '.join(FORM_FIELDS)})"


def unrolled(doc: dict[str, Any]) -> dict[str, Any]:
    """The score as played: measures in ``play_order`` (repeats written out), each with
    its time, key and tempo explicit; IDs are not unique in it and spanners are left out,
    so it is for playing (MIDI), not for editing."""
    order = play_order(doc)
    measures = []
    in_force: dict[str, Any] = {}
    for m in doc["measures"]:
        in_force.update({a: m[a] for a in ("time", "key", "tempo") if a in m})
        measures.append(dict(in_force))
    played = [{"id": f"{doc['measures'][i]['id']}~{k}", **measures[i]} for k, i in enumerate(order)]
    parts = []
    for part in doc["parts"]:
        bars = {
            played[k]["id"]: part["bars"][doc["measures"][i]["id"]] for k, i in enumerate(order)
        }
        parts.append({**part, "bars": bars})
    rest = {k: v for k, v in doc.items() if k not in ("spanners", "measures", "parts")}
    return {**rest, "measures": played, "parts": parts}


def play_order(doc: dict[str, Any]) -> list[int]:
    """Measure indexes in the order they are played: repeats taken, endings chosen by pass.

    A repeat goes back to the last start-repeat (or the beginning); on pass N only the
    endings holding N are played, and measures outside endings always are.
    """
    measures = doc["measures"]
    order: list[int] = []
    start, passes, i = 0, 1, 0
    after_endings = False  # the last measure looked at was in an ending
    taken: dict[int, int] = {}  # end-repeat index -> times gone back from it
    limit = MAX_PLAYED * len(measures)
    while i < len(measures) and len(order) < limit:
        m = measures[i]
        ending = m.get("ending")
        if (m.get("repeat_start") and i != start) or (after_endings and ending is None):
            start, passes = i, 1  # a new section: a start-repeat, or past the endings
        after_endings = ending is not None
        if ending is not None and passes not in ending:
            i += 1
            continue
        order.append(i)
        times = m.get("repeat_end")
        if times is not None and taken.get(i, 0) < times - 1:
            taken[i] = taken.get(i, 0) + 1
            passes += 1
            i, after_endings = start, False
            continue
        if times is not None:
            taken[i] = 0
            if ending is None:
                start, passes = i + 1, 1
        i += 1
    return order
