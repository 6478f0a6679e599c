"""Seeded random vector cases: edit sequences from a random, mostly valid op generator.

The generator reads the current document so that most ops address live elements; a share
are stale (missing targets), malformed or refused, and some edits group several ops.
Imports only ``server.score`` (plus the stdlib).
"""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any

from server.score import ScoreError, apply_edit, check_invariants, clone, invert, new_document
from server.score.durations import dur_value, format_fraction, rest_durations
from server.score.model import iter_events, lengths

CASES = 290  # within the 2 MB budget of test_vectors_stay_small as op kinds were added
EDITS_PER_CASE = (3, 10)
SEED = 20261125

DURS: list[dict[str, Any]] = [
    {"type": 1},
    {"type": 2},
    {"type": 2, "dots": 1},
    {"type": 4},
    {"type": 4, "dots": 1},
    {"type": 4, "dots": 2},
    {"type": 8},
    {"type": 8, "dots": 1},
    {"type": 16},
    {"type": 32},
    {"type": 8, "tuplet": [3, 2]},
    {"type": 4, "tuplet": [3, 2]},
    {"type": 16, "tuplet": [5, 4]},
    {"type": 16, "tuplet": [6, 4]},
    {"type": 8, "tuplet": [7, 4]},
    {"type": 2, "tuplet": [3, 2]},
    {"type": 32, "tuplet": [3, 2]},
    {"type": 16, "tuplet": [7, 4]},
    {"type": 8, "tuplet": [11, 8]},
    {"type": 64},
    {"type": 128, "dots": 1},
]
TIMES = [[4, 4], [3, 4], [2, 4], [6, 8], [5, 8], [2, 2], [7, 16], [12, 8], [3, 8]]
SYMBOLS = ["C", "G7/B", "F#m7b5", "Bb13", " Dm ", "A/C#"]
MARKS = ["pp", "p", "mf", "f", "sfz"]
TEXTS = ["la", "di", "", "Hal-", "lu", "ja"]


# How often random_op picks each kind of op (relative weights).
KIND_WEIGHTS: dict[str, float] = {
    "write": 14,
    "duration": 4,
    "set_notes": 2,
    "delete": 3,
    "add_note": 3,
    "remove_note": 2,
    "pitch": 3,
    "transpose": 2,
    "tie": 1,
    "lyric": 2,
    "mark": 2,
    "spanner": 2,
    "voice": 2,
    "bar": 1,
    "bars": 1,
    "chord": 2,
    "dynamic": 1,
    "clef": 1,
    "time": 3,
    "key": 1,
    "tempo": 1,
    "insert": 2,
    "remove_measures": 2,
    "add_part": 1,
    "remove_part": 1,
    "set_part": 1,
    "meta": 1,
    "replace": 0.3,
    "junk": 1.5,
}


class Ids:
    """Fresh ids for one case; now and then one that a filler rest could also want."""

    def __init__(self, rng: random.Random, adversarial: float = 0.0) -> None:
        self.counter = 0
        self.rng = rng
        self.adversarial = adversarial
        self.lookalikes: list[str] = []

    def follow(self, doc: dict[str, Any]) -> None:
        """Ids that filler rests of ``doc`` would take next: the collisions worth trying."""
        out = []
        for *_, e in iter_events(doc):
            out += [f"{e['id']}.{tag}.r0" for tag in "abdtv"]
        for part in doc["parts"]:
            for m in doc["measures"]:
                out += [f"{m['id']}.{part['id']}.r0", f"{m['id']}.{part['id']}.1.p.r0"]
        out += [f"{m['id']}.px{self.counter + 1}.r0" for m in doc["measures"]]
        self.lookalikes = out

    def __call__(self, kind: str) -> str:
        self.counter += 1
        if self.lookalikes and self.rng.random() < self.adversarial:
            return self.rng.choice(self.lookalikes)
        return f"{kind}x{self.counter}"


def pitch(rng: random.Random) -> dict[str, Any]:
    return {
        "step": rng.choice("CDEFGAB"),
        "alter": rng.choice([0, 0, 0, 1, -1, 2, -2]),
        "octave": rng.randint(1, 7),
    }


def notes(rng: random.Random, ids: Ids, count: int) -> list[dict[str, Any]]:
    out = []
    for _ in range(count):
        n = {"id": ids("n"), **pitch(rng)}
        if rng.random() < 0.1:
            n["tie"] = True
        out.append(n)
    return out  # may repeat a pitch: then the op is refused, as it should be


def event(rng: random.Random, ids: Ids, dur: dict[str, Any] | None = None) -> dict[str, Any]:
    e: dict[str, Any] = {
        "id": ids("e"),
        "dur": dur or rng.choice(DURS),
        "notes": notes(rng, ids, rng.choice([0, 1, 1, 1, 2, 3])),
    }
    if e["notes"] and rng.random() < 0.15:
        e["lyrics"] = {"1": rng.choice(TEXTS[:2])}
    return e


def fill(rng: random.Random, ids: Ids, length: Fraction) -> list[dict[str, Any]]:
    """Events filling ``length`` exactly (rest values, some turned into notes)."""
    events = []
    for dur in rest_durations(length):
        e = {"id": ids("e"), "dur": dur, "notes": notes(rng, ids, rng.choice([0, 1, 1, 2]))}
        events.append(e)
    return events


def offset_for(rng: random.Random, length: Fraction, dur: dict[str, Any]) -> Fraction:
    value = dur_value(dur)
    grid = rng.choice([value, value, Fraction(1, 8), Fraction(1, 16), Fraction(1, 12)])
    slots = int(length / grid)
    offset = grid * rng.randrange(slots) if slots else Fraction(0)
    return offset


def random_op(doc: dict[str, Any], rng: random.Random, ids: Ids, stale: list[str]) -> Any:
    """One op against ``doc``: mostly valid, sometimes stale or refused."""
    evs = list(iter_events(doc))
    nts = [(e, n) for *_, e in evs for n in e["notes"]]
    sizes = lengths(doc)
    part = rng.choice(doc["parts"])
    measure = rng.choice(doc["measures"])
    mid = measure["id"]
    length = sizes[mid]
    pid = part["id"]
    if stale and rng.random() < 0.06:
        gone = rng.choice(stale)
        return rng.choice(
            [
                {"op": "delete_event", "event": gone},
                {"op": "set_pitch", "note": gone, "step": "C", "octave": 4},
                {"op": "set_clef", "part": gone, "measure": mid, "clef": "bass"},
                {"op": "set_key", "measure": gone, "key": 1},
                {"op": "remove_measures", "ids": [gone]},
                {"op": "transpose", "notes": [gone], "diatonic": 1, "chromatic": 2},
            ]
        )
    kind = rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()))[0]
    if kind == "write" or (not evs and kind in ("duration", "set_notes", "delete", "add_note")):
        ev = event(rng, ids)
        offset = offset_for(rng, length, ev["dur"])
        return {
            "op": "write_event",
            "part": pid,
            "measure": mid,
            "voice": rng.choice(["1", "1", "1", "2", "3"]),
            "offset": format_fraction(offset),
            "event": ev,
        }
    if kind == "duration":
        return {"op": "set_duration", "event": rng.choice(evs)[4]["id"], "dur": rng.choice(DURS)}
    if kind == "set_notes":
        return {
            "op": "set_notes",
            "event": rng.choice(evs)[4]["id"],
            "notes": notes(rng, ids, rng.randint(0, 3)),
        }
    if kind == "delete":
        return {"op": "delete_event", "event": rng.choice(evs)[4]["id"]}
    if kind == "add_note":
        return {
            "op": "add_note",
            "event": rng.choice(evs)[4]["id"],
            "note": {"id": ids("n"), **pitch(rng)},
        }
    if kind == "spanner" and evs:
        if doc.get("spanners") and rng.random() < 0.3:
            return {"op": "remove_spanner", "id": rng.choice(doc["spanners"])["id"]}
        a, b = rng.choice(evs), rng.choice(evs)  # often in two parts, or reversed: refused
        kind_name = rng.choice(["slur", "crescendo", "pedal", "8va"])
        spanner = {"id": ids("s"), "kind": kind_name, "start": a[4]["id"], "end": b[4]["id"]}
        return {"op": "set_spanner", "spanner": spanner}
    if kind == "mark" and evs:
        name = rng.choice(["staccato", "accent", "fermata", "tremolo", "arpeggio", "trill"])
        value = rng.choice([True, True, None, 2]) if name != "tremolo" else rng.randint(0, 5)
        return {"op": "set_mark", "event": rng.choice(evs)[4]["id"], "mark": name, "value": value}
    if kind in ("remove_note", "pitch", "transpose", "tie", "lyric") and nts:
        e, n = rng.choice(nts)
        if kind == "remove_note":
            return {"op": "remove_note", "note": n["id"]}
        if kind == "pitch":
            return {"op": "set_pitch", "note": n["id"], **pitch(rng)}
        if kind == "tie":
            return {"op": "set_tie", "note": n["id"], "tie": rng.random() < 0.6}
        if kind == "lyric":
            return {
                "op": "set_lyric",
                "event": e["id"],
                "verse": rng.randint(1, 3),
                "text": rng.choice(TEXTS),
            }
        chosen = rng.sample(nts, min(len(nts), rng.randint(1, 5)))
        diatonic, chromatic = rng.choice(
            [(1, 2), (-1, -2), (2, 4), (-7, -12), (0, 1), (4, 7), (0, -1), (3, 5), (1, 1)]
        )
        return {
            "op": "transpose",
            "notes": [x["id"] for _, x in chosen],
            "diatonic": diatonic,
            "chromatic": chromatic,
        }
    if kind == "voice":
        voice = rng.choice(["2", "3"])
        events = None if rng.random() < 0.3 else fill(rng, ids, length)
        return {"op": "set_voice", "part": pid, "measure": mid, "voice": voice, "events": events}
    if kind == "bar":
        bar: dict[str, Any] = {"voices": {"1": fill(rng, ids, length)}}
        if rng.random() < 0.5:
            bar["harmonies"] = [{"id": ids("h"), "offset": "0", "symbol": rng.choice(SYMBOLS)}]
        if rng.random() < 0.3:
            bar["clef"] = rng.choice(["bass", "alto"])
        return {"op": "set_bar", "part": pid, "measure": mid, "bar": bar}
    if kind == "bars":
        # Several bars at once (what undoing a time change sends): fresh or swapped content.
        pairs = [(p["id"], m["id"]) for p in doc["parts"] for m in doc["measures"]]
        chosen = rng.sample(pairs, min(len(pairs), rng.randint(1, 3)))
        items = []
        for p_id, m_id in chosen:
            if rng.random() < 0.3 and len(chosen) > 1:
                other = next(p for p in doc["parts"] if p["id"] == chosen[0][0])
                content = clone(other["bars"][chosen[0][1]])  # may clash or swap
            else:
                content = {"voices": {"1": fill(rng, ids, sizes[m_id])}}
            items.append({"part": p_id, "measure": m_id, "bar": content})
        return {"op": "set_bars", "bars": items}
    if kind in ("chord", "dynamic"):
        offset = Fraction(rng.randrange(int(length * 8) + 1), 8)  # sometimes at the end: refused
        op: dict[str, Any] = {
            "op": "set_chord_symbol" if kind == "chord" else "set_dynamic",
            "part": pid,
            "measure": mid,
            "offset": format_fraction(offset),
            "id": ids("h" if kind == "chord" else "d"),
        }
        if kind == "chord":
            op["symbol"] = rng.choice([*SYMBOLS, None])
        else:
            op["mark"] = rng.choice([*MARKS, None])
        return op
    if kind == "clef":
        clef = rng.choice(["bass", "treble", "tenor", None])
        return {"op": "set_clef", "part": pid, "measure": mid, "clef": clef}
    if kind == "time":
        return {"op": "set_time", "measure": mid, "time": rng.choice([*TIMES, None])}
    if kind == "key":
        return {"op": "set_key", "measure": mid, "key": rng.choice([-3, 0, 2, 5, None])}
    if kind == "tempo":
        return {"op": "set_tempo", "measure": mid, "tempo": rng.choice([60, 96, 132.5, None])}
    if kind == "insert":
        specs = []
        for _ in range(rng.randint(1, 2)):
            spec: dict[str, Any] = {"id": ids("m")}
            if rng.random() < 0.3:
                spec["time"] = rng.choice(TIMES)
            elif rng.random() < 0.3:
                spec["bars"] = {pid: {"voices": {"1": fill(rng, ids, length)}}}
                spec["time"] = measure.get("time") or doc["measures"][0]["time"]
            specs.append(spec)
        return {
            "op": "insert_measures",
            "at": rng.randint(0, len(doc["measures"])),
            "measures": specs,
        }
    if kind == "remove_measures":
        chosen = rng.sample(doc["measures"], min(len(doc["measures"]), rng.randint(1, 2)))
        return {"op": "remove_measures", "ids": [m["id"] for m in chosen]}
    if kind == "add_part":
        spec = {"id": ids("p"), "name": rng.choice(["Alto", "Tenor", "Flute"])}
        if rng.random() < 0.4:
            spec["clef"] = "bass"
            spec["bars"] = {mid: {"voices": {"1": fill(rng, ids, length)}}}
        return {"op": "add_part", "at": rng.randint(0, len(doc["parts"])), "part": spec}
    if kind == "remove_part":
        return {"op": "remove_part", "part": pid}
    if kind == "set_part":
        return {
            "op": "set_part",
            "part": pid,
            rng.choice(["name", "instrument"]): rng.choice(["Violin", "Voice"]),
            "transposition": rng.choice([0, -2, 7]),
        }
    if kind == "meta":
        return {
            "op": "set_meta",
            rng.choice(["title", "composer"]): rng.choice(["Song", "", "Ana"]),
        }
    if kind == "replace":
        return {"op": "replace_document", "doc": start_doc(rng)}
    return junk(rng, pid, mid)


def junk(rng: random.Random, pid: str, mid: str) -> Any:
    """Malformed or refused ops: the whole edit must be refused and change nothing."""
    return rng.choice(
        [
            {
                "op": "write_event",
                "part": pid,
                "measure": mid,
                "offset": "1",
                "event": {"id": "x1", "dur": {"type": 4}},
            },
            {
                "op": "write_event",
                "part": pid,
                "measure": mid,
                "offset": "0",
                "event": {"id": "bad id", "dur": {"type": 4}},
            },
            {
                "op": "write_event",
                "part": pid,
                "measure": mid,
                "offset": "-1/4",
                "event": {"id": "x2", "dur": {"type": 4}},
            },
            {"op": "set_time", "measure": mid, "time": [4, 3]},
            {"op": "set_meta"},
            {"op": "frobnicate"},
            "not an op",
            {"op": "set_clef", "part": pid, "measure": mid, "clef": "soprano"},
            {"op": "add_part", "part": {"id": pid}},
            {"op": "set_tie", "note": "n1", "tie": "yes"},
        ]
    )


ODD_VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    1,
    2,
    7,
    1.5,
    "",
    "x",
    "1",
    "1/0",
    "-1/4",
    " 1/4 ",
    [],
    {},
    [1, 2],
    {"a": 1},
    2**60,
    "__proto__",
    "constructor",
    "m1",
    "p1",
    "e1\n",
    "C",
    "treble",
    "0",
]


def mutate(op: Any, rng: random.Random) -> Any:
    """``op`` with one field, somewhere inside it, dropped or set to an odd value."""
    op = clone(op) if isinstance(op, (dict, list)) else op
    holders = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            holders.extend((node, key) for key in node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            holders.extend((node, i) for i in range(len(node)))
            for value in node:
                walk(value)

    walk(op)
    if not holders:
        return op
    node, key = rng.choice(holders)
    if isinstance(node, dict) and rng.random() < 0.25:
        del node[key]
    else:
        node[key] = clone(rng.choice(ODD_VALUES))
    return op


def start_doc(rng: random.Random) -> dict[str, Any]:
    specs = [{"name": "Soprano"}, {"name": "Bass", "clef": "bass"}, {"name": "Alto"}]
    return new_document(
        title=rng.choice(["Untitled", "Chorale"]),
        parts=specs[: rng.randint(1, 3)],
        measures=rng.randint(1, 4),
        time=rng.choice(TIMES[:6]),
        key=rng.choice([0, 1, -2]),
    )


def random_cases(
    count: int = CASES, seed: int = SEED, mutation_rate: float = 0.08, adversarial: float = 0.03
) -> list[tuple[str, dict[str, Any], list[list[Any]]]]:
    rng = random.Random(seed)
    cases = []
    for k in range(count):
        start = start_doc(rng)
        doc = clone(start)
        ids = Ids(rng, adversarial)
        stale: list[str] = []
        edits = []
        sound = True
        inverses: list[list[Any]] = []
        for _ in range(rng.randint(*EDITS_PER_CASE)):
            ids.follow(doc)
            ops = [random_op(doc, rng, ids, stale) for _ in range(rng.choice([1, 1, 1, 2, 3]))]
            if rng.random() < mutation_rate:
                k_op = rng.randrange(len(ops))
                ops[k_op] = mutate(ops[k_op], rng)
            edits.append(ops)
            known = {e["id"] for *_, e in iter_events(doc)}
            before = clone(doc)
            try:
                # Follow the document so that later ops address live ids.
                inverses.append(apply_edit(doc, clone(ops)).inverse)
            except ScoreError:
                sound = sound and doc == before
            sound = sound and not check_invariants(doc)
            stale += sorted(known - {e["id"] for *_, e in iter_events(doc)})
        sound = sound and undoes_to(doc, inverses, start)
        if sound:
            cases.append((f"random {seed}/{k}", start, edits))
        else:
            # The reference broke its own contract (refused edit changed the score, broken
            # invariants, an undo that does not apply): a bug in server/score, not a vector.
            UNSOUND.append((f"random {seed}/{k}", start, edits))
    return cases


UNSOUND: list[tuple[str, dict[str, Any], list[list[Any]]]] = []


def undoes_to(doc: dict[str, Any], inverses: list[list[Any]], start: dict[str, Any]) -> bool:
    """Whether applying ``inverses`` last to first takes ``doc`` back to ``start``."""
    doc = clone(doc)
    try:
        for inverse in reversed(inverses):
            invert(doc, clone(inverse))
    except ScoreError:
        return False
    return doc == start
