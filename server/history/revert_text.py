"""Human labels for fact keys, used to tell the user what a revert kept or could not restore.

Example: ``("note", "n7", "pitch")`` -> "m. 3, Soprano: the pitch of E4".
Pure: must not import Flask, SQL or Socket.IO.
"""

from __future__ import annotations

from typing import Any

from server.score.model import Doc

from .context import Context, mark_text, pitch_name
from .facts import Key

ATTR_LABELS = {"time": "time signature", "key": "key signature", "tempo": "tempo"}
NOTE_PROPS = {"pitch": "the pitch", "tie": "the tie"}


def key_label(doc: Doc, key: Key, context: Context | None = None) -> str:
    """Where and what a key is, named against ``doc``."""
    c = context or Context(doc)
    kind = key[0]
    try:
        return _label(c, kind, key)
    except (KeyError, TypeError, ValueError, IndexError):
        return f"{kind} {key[1:]!r}"


def _label(c: Context, kind: str, key: Key) -> str:
    if kind == "note":
        note = c.note(key[1])
        what = pitch_name(note) if note else "a note"
        return f"{c.place_of(key[1])}: {NOTE_PROPS.get(key[2], key[2])} of {what}"
    if kind == "event":
        event = c.event(key[1])
        place = c.place_of(key[1])
        if key[2] == "lyric":
            return f"{place}: the lyric (verse {key[3]}) under {c.event_text(event)}"
        if key[2] == "mark":
            return f"{place}: the {mark_text(key[3])} on {c.event_text(event)}"
        prop = "the content" if key[2] == "notes" else "the duration"
        return f"{place}: {prop} of {c.event_text(event)}"
    if kind == "voice":
        return f"{c.place(key[1], key[2])}: the rhythm of voice {key[3]}"
    if kind in ("harmony", "dynamic"):
        what = "the chord symbol" if kind == "harmony" else "the dynamic"
        return f"{c.place(key[1], key[2])}: {what} at {c.beat(key[2], key[3])}"
    if kind == "spanner":
        return f"the {key[1]} spanner"
    if kind == "clef":
        return f"{c.place(key[1], key[2])}: the clef change"
    if kind in ("measure", "part") and key[2] == "after":
        noun = f"{c.measure(key[1])}" if kind == "measure" else f'the part "{c.part(key[1])}"'
        return f"{noun}: its place in the score (added or removed)"
    if kind == "measure":
        return f"{c.measure(key[1])}: the {ATTR_LABELS.get(key[2], key[2])}"
    if kind == "part":
        return f'part "{c.part(key[1])}": its {key[2]}'
    if kind == "meta":
        return f"the {key[1]}"
    return f"{kind} {_short(key[1:])}"


def _short(value: Any) -> str:
    return repr(value)[:40]
