"""Random but mostly valid edits against a document, for property tests and fuzzing.

Every generator reads the current document, so the ops it proposes address
elements that exist; a few are deliberately invalid to exercise refusal.
"""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any

from server.score.durations import dur_value, format_fraction
from server.score.model import Doc, iter_events, lengths, with_offsets

STEPS = "CDEFGAB"
DURS: list[dict[str, Any]] = [
    {"type": 1},
    {"type": 2},
    {"type": 4},
    {"type": 8},
    {"type": 16},
    {"type": 4, "dots": 1},
    {"type": 8, "dots": 1},
    {"type": 8, "tuplet": [3, 2]},
    {"type": 4, "tuplet": [3, 2]},
]


class IdSource:
    """Fresh IDs unique to one generator (one simulated client)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.counter = 0

    def __call__(self, kind: str) -> str:
        self.counter += 1
        return f"{self.prefix}{kind}{self.counter}"


def random_pitch(rng: random.Random) -> dict[str, Any]:
    return {
        "step": rng.choice(STEPS),
        "alter": rng.choice([0, 0, 0, 1, -1]),
        "octave": rng.randint(2, 6),
    }


def _notes(rng: random.Random, new_id: IdSource, count: int) -> list[dict[str, Any]]:
    notes: list[dict[str, Any]] = []
    midis: set[int] = set()
    for _ in range(count):
        pitch = random_pitch(rng)
        midi = 12 * (pitch["octave"] + 1) + "C D EF G A B".index(pitch["step"]) + pitch["alter"]
        if midi in midis:
            continue
        midis.add(midi)
        note = {"id": new_id("n"), **pitch}
        if rng.random() < 0.1:
            note["tie"] = True
        notes.append(note)
    return notes


def random_op(doc: Doc, rng: random.Random, new_id: IdSource) -> dict[str, Any]:
    """One op against ``doc``; mostly valid, occasionally not."""
    events = list(iter_events(doc))
    notes = [(e, n) for *_, e in events for n in e["notes"]]
    measure_lengths = lengths(doc)
    part = rng.choice(doc["parts"])
    measure = rng.choice(doc["measures"])
    length = measure_lengths[measure["id"]]
    kind = rng.choices(
        [
            "write",
            "write",
            "write",
            "delete",
            "duration",
            "pitch",
            "add_note",
            "remove_note",
            "tie",
            "lyric",
            "mark",
            "spanner",
            "spanner",
            "form",
            "chord_symbol",
            "dynamic",
            "transpose",
            "time",
            "key",
            "tempo",
            "insert_measure",
            "remove_measure",
            "add_part",
            "remove_part",
            "set_part",
            "clef",
            "voice2",
            "meta",
        ]
    )[0]
    if kind in ("write", "voice2"):
        dur = rng.choice(DURS)
        value = dur_value(dur)
        slots = int(length / value) if value <= length else 0
        offset = value * rng.randrange(slots) if slots else Fraction(0)
        if rng.random() < 0.05:
            offset = length  # invalid: does not fit
        return {
            "op": "write_event",
            "part": part["id"],
            "measure": measure["id"],
            "voice": "2" if kind == "voice2" else "1",
            "offset": format_fraction(offset),
            "event": {
                "id": new_id("e"),
                "dur": dur,
                "notes": _notes(rng, new_id, rng.choice([0, 1, 1, 1, 2, 3])),
            },
        }
    if kind == "delete" and events:
        return {"op": "delete_event", "event": rng.choice(events)[4]["id"]}
    if kind == "duration" and events:
        return {"op": "set_duration", "event": rng.choice(events)[4]["id"], "dur": rng.choice(DURS)}
    if kind == "pitch" and notes:
        return {"op": "set_pitch", "note": rng.choice(notes)[1]["id"], **random_pitch(rng)}
    if kind == "add_note" and events:
        return {
            "op": "add_note",
            "event": rng.choice(events)[4]["id"],
            "note": {"id": new_id("n"), **random_pitch(rng)},
        }
    if kind == "remove_note" and notes:
        return {"op": "remove_note", "note": rng.choice(notes)[1]["id"]}
    if kind == "tie" and notes:
        return {"op": "set_tie", "note": rng.choice(notes)[1]["id"], "tie": rng.random() < 0.5}
    if kind == "lyric" and notes:
        return {
            "op": "set_lyric",
            "event": rng.choice(notes)[0]["id"],
            "verse": rng.randint(1, 2),
            "text": rng.choice(["la", "di", "", "Hal-", "le"]),
        }
    if kind == "form":
        name, value = rng.choice(
            [("repeat_end", 2), ("repeat_start", True), ("ending", [1]), ("barline", "final")]
        )
        value = value if rng.random() < 0.8 else None
        return {"op": "set_form", "measure": measure["id"], "field": name, "value": value}
    if kind == "spanner" and events:
        if doc.get("spanners") and rng.random() < 0.25:
            return {"op": "remove_spanner", "id": rng.choice(doc["spanners"])["id"]}
        # Slurs only: they are notations on notes in MusicXML and come back exactly. Wedges,
        # octave shifts and pedals are placed by time there, and music21 re-anchors some
        # (two starting on one note); the hand vectors and the corpus tests cover them.
        sounding = [e for e in events if e[4]["notes"]] or events
        a = rng.choice(sounding)
        # One voice: music21 loses a slur from one voice to another on reading it back.
        same_part = [e for e in sounding if e[0] is a[0] and e[2] == a[2] and e[4] is not a[4]]
        same_part = same_part or [a]
        b = rng.choice(same_part)
        places = {e[4]["id"]: k for k, e in enumerate(same_part + [a])}
        order = list(lengths(doc))
        first, last = sorted([a, b], key=lambda e: (order.index(e[1]), places[e[4]["id"]]))
        return {
            "op": "set_spanner",
            "spanner": {
                "id": new_id("s"),
                "kind": "slur",
                "start": first[4]["id"],
                "end": last[4]["id"],
            },
        }
    if kind == "mark" and events:
        name = rng.choice(["staccato", "accent", "fermata", "trill", "tremolo"])
        value: Any = rng.choice([1, 3]) if name == "tremolo" else True
        return {
            "op": "set_mark",
            "event": rng.choice(events)[4]["id"],
            "mark": name,
            "value": value if rng.random() < 0.8 else None,
        }
    if kind in ("chord_symbol", "dynamic"):
        offset = format_fraction(Fraction(rng.randrange(int(length * 4)), 4))
        op: dict[str, Any] = {
            "op": "set_chord_symbol" if kind == "chord_symbol" else "set_dynamic",
            "part": part["id"],
            "measure": measure["id"],
            "offset": offset,
            "id": new_id("h" if kind == "chord_symbol" else "d"),
        }
        if kind == "chord_symbol":
            op["symbol"] = rng.choice(["C", "G7/B", "F#m7b5", "Bb13", None])
        else:
            op["mark"] = rng.choice(["p", "mf", "ff", None])
        return op
    if kind == "transpose" and notes:
        chosen = rng.sample(notes, min(len(notes), rng.randint(1, 4)))
        diatonic, chromatic = rng.choice([(1, 2), (-1, -2), (2, 4), (-7, -12), (0, 1), (4, 7)])
        return {
            "op": "transpose",
            "notes": [n["id"] for _, n in chosen],
            "diatonic": diatonic,
            "chromatic": chromatic,
        }
    if kind == "time":
        value = rng.choice([[3, 4], [4, 4], [2, 4], [6, 8], [5, 8], None])
        return {"op": "set_time", "measure": measure["id"], "time": value}
    if kind == "key":
        return {"op": "set_key", "measure": measure["id"], "key": rng.choice([-3, 0, 2, None])}
    if kind == "tempo":
        return {"op": "set_tempo", "measure": measure["id"], "tempo": rng.choice([60, 96, None])}
    if kind == "insert_measure":
        return {
            "op": "insert_measures",
            "at": rng.randint(0, len(doc["measures"])),
            "measures": [{"id": new_id("m")} for _ in range(rng.randint(1, 2))],
        }
    if kind == "remove_measure":
        return {"op": "remove_measures", "ids": [measure["id"]]}
    if kind == "add_part":
        return {
            "op": "add_part",
            "at": rng.randint(0, len(doc["parts"])),
            "part": {"id": new_id("p"), "name": rng.choice(["Alto", "Bass", "Flute"])},
        }
    if kind == "remove_part":
        return {"op": "remove_part", "part": part["id"]}
    if kind == "set_part":
        return {"op": "set_part", "part": part["id"], "name": rng.choice(["Violin", "Voice"])}
    if kind == "clef":
        return {
            "op": "set_clef",
            "part": part["id"],
            "measure": measure["id"],
            "clef": rng.choice(["bass", "treble", None]),
        }
    if kind == "meta":
        return {"op": "set_meta", "title": rng.choice(["Song", "Chorale", ""])}
    # Fallback when the document has no notes or events of the needed kind.
    voice = part["bars"][measure["id"]]["voices"]["1"]
    offset = next(o for o, _ in with_offsets(voice))
    return {
        "op": "write_event",
        "part": part["id"],
        "measure": measure["id"],
        "offset": format_fraction(offset),
        "event": {"id": new_id("e"), "dur": {"type": 4}, "notes": _notes(rng, new_id, 1)},
    }


def random_edit(doc: Doc, rng: random.Random, new_id: IdSource) -> list[dict[str, Any]]:
    """One user action: usually one op, sometimes a small group."""
    return [random_op(doc, rng, new_id) for _ in range(rng.choice([1, 1, 1, 2, 3]))]
