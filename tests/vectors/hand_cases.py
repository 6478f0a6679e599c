"""Hand-written vector cases: every op, its edge cases, refusals and missing targets.

Each case is ``(name, start_document, edits)``; ``generate.py`` records what the Python
reference does with it. Imports only ``server.score``.
"""

from __future__ import annotations

from typing import Any

from server.score import new_document

Case = tuple[str, dict[str, Any], list[list[dict[str, Any]]]]


def doc(parts: int = 1, measures: int = 2, time: list[int] | None = None) -> dict[str, Any]:
    specs = [{"name": "Soprano"}, {"name": "Bass", "clef": "bass"}, {"name": "Alto"}]
    return new_document(parts=specs[:parts], measures=measures, time=time or [4, 4])


def note(nid: str, step: str, octave: int, alter: int = 0, tie: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"id": nid, "step": step, "alter": alter, "octave": octave}
    if tie:
        out["tie"] = True
    return out


def ev(eid: str, kind: int, *notes: dict[str, Any], **dur: Any) -> dict[str, Any]:
    """An event; ``dur`` takes ``dots`` and ``tuplet``; ``lyrics`` goes on the event."""
    lyrics = dur.pop("lyrics", None)
    out: dict[str, Any] = {"id": eid, "dur": {"type": kind, **dur}, "notes": list(notes)}
    if lyrics:
        out["lyrics"] = lyrics
    return out


def we(
    event: dict[str, Any],
    offset: Any = "0",
    measure: str = "m1",
    part: str = "p1",
    voice: Any = "1",
) -> dict[str, Any]:
    return {
        "op": "write_event",
        "part": part,
        "measure": measure,
        "voice": voice,
        "offset": offset,
        "event": event,
    }


def c4(
    eid: str, kind: int = 4, offset: Any = "0", measure: str = "m1", **dur: Any
) -> dict[str, Any]:
    """Write a C4 (note id ``n<eid>``) of the given value."""
    return we(ev(eid, kind, note(f"n{eid}", "C", 4), **dur), offset, measure)


def quarters(measure: str = "m1", prefix: str = "q") -> list[dict[str, Any]]:
    steps = "CDEF"
    return [
        we(ev(f"{prefix}{i}", 4, note(f"n{prefix}{i}", steps[i], 4)), f"{i}/4", measure)
        for i in range(4)
    ]


def events_cases() -> list[Case]:
    d = doc()
    return [
        ("write quarter on beat 1", d, [[c4("e1")]]),
        ("write eighth at 3/8 aligns rests", d, [[c4("e1", 8, "3/8")]]),
        ("write dotted quarter then eighth", d, [[c4("e1", 4, dots=1)], [c4("e2", 8, "3/8")]]),
        (
            "write triplet eighths",
            d,
            [
                [c4("t1", 8, tuplet=[3, 2])],
                [c4("t2", 8, "1/12", tuplet=[3, 2])],
                [c4("t3", 8, "1/6", tuplet=[3, 2])],
            ],
        ),
        ("write lone triplet leaves tuplet rests", d, [[c4("t1", 8, "1/4", tuplet=[3, 2])]]),
        ("write quintuplet sixteenth", d, [[c4("q1", 16, "1/2", tuplet=[5, 4])]]),
        ("write double-dotted half", d, [[c4("e1", 2, dots=2)]]),
        ("write triple-dotted eighth at 1/2", d, [[c4("e1", 8, "1/2", dots=3)]]),
        ("write whole note replaces whole rest", d, [[c4("e1", 1)]]),
        ("overwrite across events", d, [quarters(), [c4("h1", 2, "1/8")]]),
        ("overwrite inside one event", d, [[c4("h1", 2)], [c4("e1", 16, "3/16")]]),
        ("overwrite exactly one event", d, [quarters(), [c4("x", 4, "1/4")]]),
        (
            "write chord sorted low to high",
            d,
            [[we(ev("c", 4, note("a", "G", 4), note("b", "C", 4), note("c2", "E", 4, -1)))]],
        ),
        (
            "write enharmonic chord order",
            d,
            [[we(ev("c", 4, note("a", "C", 4, 1), note("b", "D", 4, -2)))]],
        ),
        (
            "write chord with same pitch twice refused",
            d,
            [[we(ev("c", 4, note("a", "C", 4, 1), note("b", "D", 4, -1)))]],
        ),
        (
            "write to voice 2 creates it",
            d,
            [[c4("e1")], [we(ev("v", 2, note("nv", "G", 3)), "1/2", voice="2")]],
        ),
        (
            "write to voice given as integer",
            d,
            [[we(ev("v", 4, note("nv", "G", 3)), "0", voice=3)]],
        ),
        ("write to voice 5 refused", d, [[we(ev("v", 4), "0", voice="5")]]),
        ("write rest event", d, [[we(ev("r", 2), "1/4")]]),
        ("write that does not fit refused", d, [[c4("e1", 2, "3/4")]]),
        ("write at the measure end refused", d, [[c4("e1", 16, "1")]]),
        ("write with used event id refused", d, [[c4("e1")], [c4("e1", 4, "1/2")]]),
        (
            "write with used note id refused",
            d,
            [[c4("e1")], [we(ev("e2", 4, note("ne1", "D", 4)), "1/2")]],
        ),
        ("write with a filler id as event id refused", d, [[c4("m1.p1.r0")]]),
        ("write event id reused inside the op refused", d, [[we(ev("x", 4, note("x", "C", 4)))]]),
        (
            "filler ids avoid taken ids",
            d,
            [[c4("e1.a.r0", 4, "1/2")], [c4("e1", 8, "1/4")], [c4("e1.b.r0", 4, "3/4")]],
        ),
        ("pitch step H refused", d, [[we(ev("e", 4, note("n", "H", 4)))]]),
        ("pitch alter 3 refused", d, [[we(ev("e", 4, note("n", "C", 4, 3)))]]),
        ("pitch octave 10 refused", d, [[we(ev("e", 4, note("n", "C", 10)))]]),
        ("pitch above MIDI range refused", d, [[we(ev("e", 4, note("n", "A", 9)))]]),
        ("pitch C double flat 0 accepted", d, [[we(ev("e", 4, note("n", "C", 0, -1)))]]),
        ("note with tie kept", d, [[we(ev("e", 4, note("n", "C", 4, tie=True)))]]),
        (
            "note tie false omitted",
            d,
            [[we(ev("e", 4, {"id": "n", "step": "C", "octave": 4, "tie": False}))]],
        ),
        (
            "note without alter gets alter 0",
            d,
            [[we(ev("e", 4, {"id": "n", "step": "C", "octave": 4}))]],
        ),
        (
            "note with unknown field refused",
            d,
            [[we(ev("e", 4, {"id": "n", "step": "C", "octave": 4, "x": 1}))]],
        ),
        (
            "event with unknown field refused",
            d,
            [[we({"id": "e", "dur": {"type": 4}, "notes": [], "color": "red"})]],
        ),
        ("event without notes is a rest", d, [[we({"id": "e", "dur": {"type": 4}})]]),
        ("duration type 3 refused", d, [[we(ev("e", 3))]]),
        ("duration dots 4 refused", d, [[we(ev("e", 4, dots=4))]]),
        ("duration tuplet 33 refused", d, [[we(ev("e", 4, tuplet=[33, 32]))]]),
        ("duration tuplet 2:2 is plain", d, [[we(ev("e", 4, tuplet=[2, 2]))]]),
        ("duration dots 0 omitted", d, [[we(ev("e", 4, dots=0))]]),
        ("duration unknown field refused", d, [[we({"id": "e", "dur": {"type": 4, "x": 1}})]]),
        ("duration boolean type refused", d, [[we({"id": "e", "dur": {"type": True}})]]),
        (
            "lyrics on a note",
            d,
            [[we(ev("e", 4, note("n", "C", 4), lyrics={"1": "la", "2": "lo"}))]],
        ),
        (
            "lyrics verse 01 normalised",
            d,
            [[we(ev("e", 4, note("n", "C", 4), lyrics={"01": "la"}))]],
        ),
        ("empty lyric dropped", d, [[we(ev("e", 4, note("n", "C", 4), lyrics={"1": ""}))]]),
        ("lyrics on a rest refused", d, [[we(ev("e", 4, lyrics={"1": "la"}))]]),
        ("lyrics verse 10 refused", d, [[we(ev("e", 4, note("n", "C", 4), lyrics={"10": "la"}))]]),
        (
            "lyrics 64 emoji accepted",
            d,
            [[we(ev("e", 4, note("n", "C", 4), lyrics={"1": "🎵" * 64}))]],
        ),
        (
            "lyrics 65 characters refused",
            d,
            [[we(ev("e", 4, note("n", "C", 4), lyrics={"1": "a" * 65}))]],
        ),
        ("missing part skipped", d, [[c4("e1"), {**c4("e2", 4, "1/2"), "part": "gone"}]]),
        ("missing measure skipped", d, [[{**c4("e1"), "measure": "gone"}]]),
        ("bad part id refused", d, [[{**c4("e1"), "part": "bad id"}]]),
        ("id with trailing space refused", d, [[c4("e1 ")]]),
        ("id of 65 characters refused", d, [[c4("e" * 65)]]),
        ("id of 64 characters accepted", d, [[we(ev("e" * 64, 4, note("n" * 64, "C", 4)))]]),
        (
            "offset formats",
            d,
            [
                [c4("a", 16, " 1/4 ")],
                [c4("b", 16, "+5/16")],
                [c4("c", 16, "0.375")],
                [c4("d", 16, 0)],
                [c4("e", 16, "1_0/16")],
                [c4("f", 16, "1/2")],
            ],
        ),
        (
            "offset formats refused",
            d,
            [
                [c4("a", 16, "1/0")],
                [c4("b", 16, "-1/4")],
                [c4("c", 16, "abc")],
                [c4("d", 16, True)],
                [c4("e", 16, 0.5)],
                [c4("f", 16, None)],
                [c4("g", 16, "1 /4")],
                [c4("h", 16, [1, 4])],
            ],
        ),
        ("offset in exponent form", d, [[c4("a", 8, "25e-2")]]),
        (
            "set_voice replaces voice 2 then removes it",
            d,
            [
                [we(ev("v", 2, note("nv", "G", 3)), "0", voice="2")],
                [
                    {
                        "op": "set_voice",
                        "part": "p1",
                        "measure": "m1",
                        "voice": "2",
                        "events": [ev("w1", 2, note("nw1", "A", 3)), ev("w2", 2)],
                    }
                ],
                [{"op": "set_voice", "part": "p1", "measure": "m1", "voice": "2", "events": None}],
            ],
        ),
        (
            "set_voice reuses its own ids",
            d,
            [
                quarters(),
                [
                    {
                        "op": "set_voice",
                        "part": "p1",
                        "measure": "m1",
                        "voice": "1",
                        "events": [ev("q0", 2, note("nq0", "C", 5)), ev("q1", 2)],
                    }
                ],
            ],
        ),
        (
            "set_voice removing voice 1 refused",
            d,
            [[{"op": "set_voice", "part": "p1", "measure": "m1", "voice": "1", "events": None}]],
        ),
        (
            "set_voice not filling refused",
            d,
            [
                [
                    {
                        "op": "set_voice",
                        "part": "p1",
                        "measure": "m1",
                        "voice": "1",
                        "events": [ev("a", 2)],
                    }
                ]
            ],
        ),
        (
            "set_voice removing an absent voice",
            d,
            [[{"op": "set_voice", "part": "p1", "measure": "m1", "voice": "4"}]],
        ),
        (
            "set_duration longer eats the following",
            d,
            [quarters(), [{"op": "set_duration", "event": "q1", "dur": {"type": 2, "dots": 1}}]],
        ),
        (
            "set_duration shorter leaves rests",
            d,
            [quarters(), [{"op": "set_duration", "event": "q0", "dur": {"type": 16}}]],
        ),
        (
            "set_duration to a triplet",
            d,
            [
                quarters(),
                [{"op": "set_duration", "event": "q2", "dur": {"type": 4, "tuplet": [3, 2]}}],
            ],
        ),
        (
            "set_duration of a rest",
            d,
            [[{"op": "set_duration", "event": "m1.p1.r0", "dur": {"type": 2}}]],
        ),
        (
            "set_duration not fitting refused",
            d,
            [quarters(), [{"op": "set_duration", "event": "q3", "dur": {"type": 2}}]],
        ),
        (
            "set_duration bad value refused",
            d,
            [quarters(), [{"op": "set_duration", "event": "q3", "dur": {"type": 5}}]],
        ),
        (
            "set_duration missing event skipped",
            d,
            [[{"op": "set_duration", "event": "nope", "dur": {"type": 2}}]],
        ),
        (
            "set_notes and back to rest",
            d,
            [
                [c4("e1")],
                [
                    {
                        "op": "set_notes",
                        "event": "e1",
                        "notes": [note("x", "E", 4), note("y", "C", 4)],
                    }
                ],
                [{"op": "set_notes", "event": "e1", "notes": []}],
            ],
        ),
        (
            "set_notes on a rest",
            d,
            [[{"op": "set_notes", "event": "m1.p1.r0", "notes": [note("x", "E", 4)]}]],
        ),
        (
            "set_notes reusing the event's own note ids",
            d,
            [[c4("e1")], [{"op": "set_notes", "event": "e1", "notes": [note("ne1", "D", 4)]}]],
        ),
        (
            "set_notes 17 notes refused",
            d,
            [
                [c4("e1")],
                [
                    {
                        "op": "set_notes",
                        "event": "e1",
                        "notes": [note(f"x{i}", "CDEFGAB"[i % 7], 2 + i // 7) for i in range(17)],
                    }
                ],
            ],
        ),
        (
            "delete_event with lyrics",
            d,
            [
                [we(ev("e", 4, note("n", "C", 4), lyrics={"1": "la", "2": "lo"}))],
                [{"op": "delete_event", "event": "e"}],
            ],
        ),
        ("delete_event missing skipped", d, [[{"op": "delete_event", "event": "e"}]]),
        (
            "add_note and remove_note",
            d,
            [
                [c4("e1")],
                [{"op": "add_note", "event": "e1", "note": note("g", "G", 4)}],
                [{"op": "add_note", "event": "e1", "note": note("a", "A", 3)}],
                [{"op": "remove_note", "note": "g"}],
            ],
        ),
        (
            "add_note to a rest",
            d,
            [[{"op": "add_note", "event": "m1.p1.r0", "note": note("g", "G", 4)}]],
        ),
        (
            "add_note same pitch refused",
            d,
            [[c4("e1")], [{"op": "add_note", "event": "e1", "note": note("b", "B", 3, 1)}]],
        ),
        (
            "remove last note makes a rest and drops lyrics",
            d,
            [
                [we(ev("e", 4, note("n", "C", 4), lyrics={"1": "la"}))],
                [{"op": "remove_note", "note": "n"}],
            ],
        ),
        ("remove_note missing skipped", d, [[{"op": "remove_note", "note": "zz"}]]),
        (
            "set_pitch resorts the chord",
            d,
            [
                [we(ev("e", 4, note("a", "C", 4), note("b", "E", 4)))],
                [{"op": "set_pitch", "note": "a", "step": "G", "alter": 1, "octave": 4}],
            ],
        ),
        (
            "set_pitch keeps the tie",
            d,
            [
                [we(ev("e", 4, note("a", "C", 4, tie=True)))],
                [{"op": "set_pitch", "note": "a", "step": "D", "octave": 4}],
            ],
        ),
        (
            "set_pitch clash refused",
            d,
            [
                [we(ev("e", 4, note("a", "C", 4), note("b", "E", 4)))],
                [{"op": "set_pitch", "note": "a", "step": "F", "alter": -1, "octave": 4}],
            ],
        ),
        (
            "set_pitch invalid refused",
            d,
            [[c4("e1")], [{"op": "set_pitch", "note": "ne1", "step": "C", "octave": -1}]],
        ),
        (
            "transpose up a major second",
            d,
            [
                [we(ev("e", 4, note("a", "B", 3), note("b", "E", 4)))],
                [{"op": "transpose", "notes": ["a", "b"], "diatonic": 1, "chromatic": 2}],
            ],
        ),
        (
            "transpose down an octave with a missing note",
            d,
            [
                [we(ev("e", 4, note("a", "B", 3), note("b", "E", 4)))],
                [
                    {
                        "op": "transpose",
                        "notes": ["a", "gone", 5, "a"],
                        "diatonic": -7,
                        "chromatic": -12,
                    }
                ],
            ],
        ),
        (
            "transpose to a double flat",
            d,
            [
                [we(ev("e", 4, note("a", "C", 4, -1)))],
                [{"op": "transpose", "notes": ["a"], "diatonic": 1, "chromatic": 1}],
            ],
        ),
        (
            "transpose beyond double sharp refused",
            d,
            [
                [we(ev("e", 4, note("a", "C", 4, 2)))],
                [{"op": "transpose", "notes": ["a"], "diatonic": 0, "chromatic": 1}],
            ],
        ),
        (
            "transpose collision refused",
            d,
            [
                [we(ev("e", 4, note("a", "C", 4), note("b", "D", 4)))],
                [{"op": "transpose", "notes": ["a"], "diatonic": 1, "chromatic": 2}],
            ],
        ),
        (
            "transpose chord together",
            d,
            [
                [we(ev("e", 4, note("a", "C", 4), note("b", "D", 4)))],
                [{"op": "transpose", "notes": ["a", "b"], "diatonic": 1, "chromatic": 2}],
            ],
        ),
        (
            "transpose nothing left skipped",
            d,
            [[{"op": "transpose", "notes": ["x"], "diatonic": 1, "chromatic": 2}]],
        ),
        (
            "transpose too far refused",
            d,
            [[c4("e1")], [{"op": "transpose", "notes": ["ne1"], "diatonic": 22, "chromatic": 37}]],
        ),
        (
            "transpose boolean interval refused",
            d,
            [[c4("e1")], [{"op": "transpose", "notes": ["ne1"], "diatonic": True, "chromatic": 2}]],
        ),
        (
            "set_tie on and off",
            d,
            [
                [c4("e1")],
                [{"op": "set_tie", "note": "ne1", "tie": True}],
                [{"op": "set_tie", "note": "ne1", "tie": False}],
                [{"op": "set_tie", "note": "ne1", "tie": 1}],
            ],
        ),
        (
            "set_lyric verses",
            d,
            [
                [c4("e1")],
                [{"op": "set_lyric", "event": "e1", "text": "Hal-"}],
                [{"op": "set_lyric", "event": "e1", "verse": 2, "text": "lu"}],
                [{"op": "set_lyric", "event": "e1", "verse": 1, "text": ""}],
                [{"op": "set_lyric", "event": "e1", "verse": 2, "text": ""}],
            ],
        ),
        (
            "set_lyric refusals",
            d,
            [
                [c4("e1")],
                [{"op": "set_lyric", "event": "e1", "verse": 0, "text": "x"}],
                [{"op": "set_lyric", "event": "e1", "verse": "1", "text": "x"}],
                [{"op": "set_lyric", "event": "e1", "verse": True, "text": "x"}],
                [{"op": "set_lyric", "event": "e1", "text": 5}],
                [{"op": "set_lyric", "event": "m2.p1.r0", "text": "x"}],
                [{"op": "set_lyric", "event": "m2.p1.r0", "text": ""}],
            ],
        ),
    ]


def bar(*events: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"voices": {"1": list(events)}, **extra}


def bars_cases() -> list[Case]:
    d = doc(parts=2)
    full = bar(
        ev("b1", 2, note("nb1", "C", 4)),
        ev("b2", 2, note("nb2", "E", 4)),
        harmonies=[
            {"id": "h2", "offset": "1/2", "symbol": "G7"},
            {"id": "h1", "offset": 0, "symbol": "C"},
        ],
        dynamics=[{"id": "dy", "offset": "0", "mark": "mf"}],
        clef="bass",
    )
    return [
        ("set_bar full", d, [[{"op": "set_bar", "part": "p1", "measure": "m1", "bar": full}]]),
        (
            "set_bar with two voices",
            d,
            [
                [
                    {
                        "op": "set_bar",
                        "part": "p2",
                        "measure": "m2",
                        "bar": {
                            "voices": {"2": [ev("x", 1)], "1": [ev("y", 1, note("ny", "C", 3))]}
                        },
                    }
                ]
            ],
        ),
        (
            "set_bar keeps own ids",
            d,
            [
                [{"op": "set_bar", "part": "p1", "measure": "m1", "bar": full}],
                [{"op": "set_bar", "part": "p1", "measure": "m1", "bar": bar(ev("b1", 1))}],
            ],
        ),
        (
            "set_bar refusals",
            d,
            [
                [{"op": "set_bar", "part": "p1", "measure": "m1", "bar": bar(ev("b1", 2))}],
                [
                    {
                        "op": "set_bar",
                        "part": "p1",
                        "measure": "m1",
                        "bar": {"voices": {"2": [ev("b", 1)]}},
                    }
                ],
                [
                    {
                        "op": "set_bar",
                        "part": "p1",
                        "measure": "m1",
                        "bar": bar(ev("b", 1), clef="x"),
                    }
                ],
                [
                    {
                        "op": "set_bar",
                        "part": "p1",
                        "measure": "m1",
                        "bar": bar(
                            ev("b", 1), harmonies=[{"id": "h", "offset": "1", "symbol": "C"}]
                        ),
                    }
                ],
                [
                    {
                        "op": "set_bar",
                        "part": "p1",
                        "measure": "m1",
                        "bar": bar(
                            ev("b", 1),
                            harmonies=[
                                {"id": "h", "offset": "0", "symbol": "C"},
                                {"id": "i", "offset": "0/4", "symbol": "D"},
                            ],
                        ),
                    }
                ],
                [
                    {
                        "op": "set_bar",
                        "part": "p1",
                        "measure": "m1",
                        "bar": bar(ev("b", 1), dynamics=[{"id": "h", "offset": "0", "mark": ""}]),
                    }
                ],
                [{"op": "set_bar", "part": "p1", "measure": "m1", "bar": bar(ev("m2.p2.r0", 1))}],
                [
                    {
                        "op": "set_bar",
                        "part": "p1",
                        "measure": "m1",
                        "bar": {**bar(ev("b", 1)), "x": 1},
                    }
                ],
                [
                    {
                        "op": "set_bar",
                        "part": "p1",
                        "measure": "m1",
                        "bar": {"voices": {"1": [ev("b", 1)], "5": [ev("c", 1)]}},
                    }
                ],
                [{"op": "set_bar", "part": "p1", "measure": "m1", "bar": None}],
            ],
        ),
        (
            "set_bar falsy harmonies accepted",
            d,
            [
                [
                    {
                        "op": "set_bar",
                        "part": "p1",
                        "measure": "m1",
                        "bar": bar(ev("b", 1), harmonies={}, dynamics=None),
                    }
                ]
            ],
        ),
        (
            "set_bar harmonies as a dict refused",
            d,
            [
                [
                    {
                        "op": "set_bar",
                        "part": "p1",
                        "measure": "m1",
                        "bar": bar(ev("b", 1), harmonies={"a": 1}),
                    }
                ]
            ],
        ),
        (
            "set_bar missing part skipped",
            d,
            [[{"op": "set_bar", "part": "p9", "measure": "m1", "bar": bar(ev("b", 1))}]],
        ),
        (
            "chord symbols put, change, clear",
            d,
            [
                [
                    {
                        "op": "set_chord_symbol",
                        "part": "p1",
                        "measure": "m1",
                        "offset": "1/2",
                        "symbol": "G7",
                        "id": "h1",
                    }
                ],
                [
                    {
                        "op": "set_chord_symbol",
                        "part": "p1",
                        "measure": "m1",
                        "offset": "0",
                        "symbol": "  Cmaj7 ",
                        "id": "h2",
                    }
                ],
                [
                    {
                        "op": "set_chord_symbol",
                        "part": "p1",
                        "measure": "m1",
                        "offset": "2/4",
                        "symbol": "G7/B",
                        "id": "ignored",
                    }
                ],
                [
                    {
                        "op": "set_chord_symbol",
                        "part": "p1",
                        "measure": "m1",
                        "offset": "1/2",
                        "symbol": None,
                    }
                ],
                [{"op": "set_chord_symbol", "part": "p1", "measure": "m1", "offset": "0"}],
            ],
        ),
        (
            "chord symbol clearing nothing",
            d,
            [[{"op": "set_chord_symbol", "part": "p1", "measure": "m1", "offset": "1/4"}]],
        ),
        (
            "chord symbol python whitespace stripped",
            d,
            [
                [
                    {
                        "op": "set_chord_symbol",
                        "part": "p1",
                        "measure": "m1",
                        "offset": "0",
                        "symbol": "\x1cF#m7b5\u3000",
                        "id": "h",
                    }
                ]
            ],
        ),
        (
            "chord symbol refusals",
            d,
            [
                [
                    {
                        "op": "set_chord_symbol",
                        "part": "p1",
                        "measure": "m1",
                        "offset": "1",
                        "symbol": "C",
                        "id": "h",
                    }
                ],
                [
                    {
                        "op": "set_chord_symbol",
                        "part": "p1",
                        "measure": "m1",
                        "offset": "0",
                        "symbol": "   ",
                        "id": "h",
                    }
                ],
                [
                    {
                        "op": "set_chord_symbol",
                        "part": "p1",
                        "measure": "m1",
                        "offset": "0",
                        "symbol": "C" * 33,
                        "id": "h",
                    }
                ],
                [
                    {
                        "op": "set_chord_symbol",
                        "part": "p1",
                        "measure": "m1",
                        "offset": "0",
                        "symbol": "C",
                    }
                ],
                [
                    {
                        "op": "set_chord_symbol",
                        "part": "p1",
                        "measure": "m1",
                        "offset": "0",
                        "symbol": "C",
                        "id": "m1",
                    }
                ],
                [
                    {
                        "op": "set_chord_symbol",
                        "part": "p1",
                        "measure": "m1",
                        "offset": "0",
                        "symbol": 7,
                        "id": "h",
                    }
                ],
            ],
        ),
        (
            "dynamics put and clear",
            d,
            [
                [
                    {
                        "op": "set_dynamic",
                        "part": "p2",
                        "measure": "m2",
                        "offset": "3/4",
                        "mark": "pp",
                        "id": "d1",
                    }
                ],
                [
                    {
                        "op": "set_dynamic",
                        "part": "p2",
                        "measure": "m2",
                        "offset": "1/4",
                        "mark": "sfz",
                        "id": "d2",
                    }
                ],
                [
                    {
                        "op": "set_dynamic",
                        "part": "p2",
                        "measure": "m2",
                        "offset": "3/4",
                        "mark": None,
                    }
                ],
                [
                    {
                        "op": "set_dynamic",
                        "part": "p2",
                        "measure": "m2",
                        "offset": "1/4",
                        "mark": "loud",
                        "id": "d3",
                    }
                ],
            ],
        ),
        (
            "set_bars swaps ids between bars",
            d,
            [
                [
                    {"op": "set_bar", "part": "p1", "measure": "m1", "bar": bar(ev("s1", 1))},
                    {"op": "set_bar", "part": "p2", "measure": "m1", "bar": bar(ev("s2", 1))},
                ],
                [
                    {
                        "op": "set_bars",
                        "bars": [
                            {"part": "p1", "measure": "m1", "bar": bar(ev("s2", 1))},
                            {"part": "p2", "measure": "m1", "bar": bar(ev("s1", 2), ev("s3", 2))},
                        ],
                    }
                ],
                [{"op": "set_bars", "bars": []}],
            ],
        ),
        (
            "set_bars refusals and skips",
            d,
            [
                [
                    {
                        "op": "set_bars",
                        "bars": [
                            {"part": "p1", "measure": "m1", "bar": bar(ev("a", 1))},
                            {"part": "p1", "measure": "m1", "bar": bar(ev("b", 1))},
                        ],
                    }
                ],
                [{"op": "set_bars", "bars": ["p1"]}],
                [{"op": "set_bars", "bars": {"p1": 1}}],
                [
                    {
                        "op": "set_bars",
                        "bars": [{"part": "p1", "measure": "m1", "bar": bar(ev("a", 2))}],
                    }
                ],
                [
                    {
                        "op": "set_bars",
                        "bars": [{"part": "p1", "measure": "m1", "bar": bar(ev("m2.p2.r0", 1))}],
                    }
                ],
                [
                    {
                        "op": "set_bars",
                        "bars": [{"part": "p9", "measure": "m1", "bar": bar(ev("a", 1))}],
                    }
                ],
                [{"op": "set_bars", "bars": [{"part": "p1", "measure": "m1"}]}],
            ],
        ),
        (
            "clefs",
            d,
            [
                [{"op": "set_clef", "part": "p1", "measure": "m2", "clef": "alto"}],
                [{"op": "set_clef", "part": "p1", "measure": "m2", "clef": "treble8vb"}],
                [{"op": "set_clef", "part": "p1", "measure": "m2", "clef": None}],
                [{"op": "set_clef", "part": "p1", "measure": "m2", "clef": "soprano"}],
                [{"op": "set_clef", "part": "p1", "measure": "m9", "clef": "bass"}],
            ],
        ),
    ]


def structure_cases() -> list[Case]:
    d = doc(parts=2, measures=3)
    filled = [
        quarters("m1", "a"),
        quarters("m2", "b"),
        [
            {
                "op": "set_chord_symbol",
                "part": "p1",
                "measure": "m1",
                "offset": "3/4",
                "symbol": "G",
                "id": "h1",
            }
        ],
    ]
    return [
        (
            "set_time shorter cuts and refits following",
            d,
            [*filled, [{"op": "set_time", "measure": "m1", "time": [3, 4]}]],
        ),
        (
            "set_time cutting inside an event",
            d,
            [[c4("h", 2, "1/4")], [{"op": "set_time", "measure": "m1", "time": [5, 8]}]],
        ),
        (
            "set_time longer pads",
            d,
            [*filled, [{"op": "set_time", "measure": "m2", "time": [6, 4]}]],
        ),
        (
            "set_time 6/8 then 5/8 then 7/16",
            d,
            [
                [{"op": "set_time", "measure": "m1", "time": [6, 8]}],
                [c4("x", 8, "5/8")],
                [{"op": "set_time", "measure": "m2", "time": [5, 8]}],
                [{"op": "set_time", "measure": "m3", "time": [7, 16]}],
            ],
        ),
        (
            "set_time with a triplet cut",
            d,
            [
                [c4("t", 2, "1/2", tuplet=[3, 2])],
                [{"op": "set_time", "measure": "m1", "time": [3, 4]}],
            ],
        ),
        (
            "set_time cleared on a later measure",
            d,
            [
                [{"op": "set_time", "measure": "m2", "time": [2, 4]}],
                quarters("m3", "c"),
                [{"op": "set_time", "measure": "m2", "time": None}],
            ],
        ),
        (
            "set_time refusals",
            d,
            [
                [{"op": "set_time", "measure": "m1", "time": None}],
                [{"op": "set_time", "measure": "m1", "time": [4, 3]}],
                [{"op": "set_time", "measure": "m1", "time": [0, 4]}],
                [{"op": "set_time", "measure": "m1", "time": [33, 4]}],
                [{"op": "set_time", "measure": "m1", "time": [4, 4, 4]}],
                [{"op": "set_time", "measure": "m1", "time": "4/4"}],
                [{"op": "set_time", "measure": "m1", "time": [True, 4]}],
            ],
        ),
        (
            "set_time same length changes nothing else",
            d,
            [[{"op": "set_time", "measure": "m2", "time": [2, 2]}]],
        ),
        (
            "set_time missing measure skipped",
            d,
            [[{"op": "set_time", "measure": "mx", "time": [3, 4]}]],
        ),
        (
            "set_key and set_tempo",
            d,
            [
                [{"op": "set_key", "measure": "m2", "key": -3}],
                [{"op": "set_tempo", "measure": "m3", "tempo": 92.5}],
                [{"op": "set_key", "measure": "m2", "key": None}],
                [{"op": "set_key", "measure": "m1", "key": 8}],
                [{"op": "set_tempo", "measure": "m1", "tempo": 9}],
                [{"op": "set_tempo", "measure": "m1", "tempo": "fast"}],
                [{"op": "set_tempo", "measure": "m1", "tempo": None}],
                [{"op": "set_tempo", "measure": "m1", "tempo": 400}],
            ],
        ),
        (
            "insert measures at the start",
            d,
            [
                [
                    {
                        "op": "insert_measures",
                        "at": 0,
                        "measures": [{"id": "x1"}, {"id": "x2", "key": 2}],
                    }
                ]
            ],
        ),
        (
            "insert measures in the middle pins the next",
            d,
            [
                [{"op": "set_time", "measure": "m2", "time": [3, 4]}],
                [{"op": "insert_measures", "at": 2, "measures": [{"id": "x1", "time": [2, 4]}]}],
            ],
        ),
        (
            "insert measures at the end",
            d,
            [[{"op": "insert_measures", "at": 3, "measures": [{"id": "x1"}]}]],
        ),
        (
            "insert measure with a bar for one part",
            d,
            [
                [
                    {
                        "op": "insert_measures",
                        "at": 1,
                        "measures": [
                            {
                                "id": "x1",
                                "time": [2, 4],
                                "bars": {"p2": bar(ev("xb", 2, note("nxb", "G", 2)))},
                            }
                        ],
                    }
                ]
            ],
        ),
        (
            "insert measure with bars as a list",
            d,
            [[{"op": "insert_measures", "at": 1, "measures": [{"id": "x1", "bars": ["zz"]}]}]],
        ),
        (
            "insert measure filler ids avoid taken ids",
            d,
            [
                [c4("x1.p1.r0", 4, "0", "m2")],
                [{"op": "insert_measures", "at": 1, "measures": [{"id": "x1"}]}],
            ],
        ),
        (
            "insert measures refusals",
            d,
            [
                [{"op": "insert_measures", "at": 4, "measures": [{"id": "x"}]}],
                [{"op": "insert_measures", "at": -1, "measures": [{"id": "x"}]}],
                [{"op": "insert_measures", "at": 0, "measures": []}],
                [{"op": "insert_measures", "at": 0, "measures": [{"id": "m1"}]}],
                [{"op": "insert_measures", "at": 0, "measures": [{"id": "x"}, {"id": "x"}]}],
                [{"op": "insert_measures", "at": 0, "measures": [{"id": "x", "color": 1}]}],
                [{"op": "insert_measures", "at": 0, "measures": [{"id": "x", "time": [3, 5]}]}],
                [{"op": "insert_measures", "at": 0, "measures": ["x"]}],
                [
                    {
                        "op": "insert_measures",
                        "at": 1,
                        "measures": [{"id": "x", "bars": {"p1": bar(ev("q", 2))}}],
                    }
                ],
                [
                    {
                        "op": "insert_measures",
                        "at": 1,
                        "measures": [{"id": "x"}, {"id": "y", "bars": {"p1": bar(ev("x", 1))}}],
                    }
                ],
            ],
        ),
        (
            "remove measures pins the next",
            d,
            [
                [{"op": "set_time", "measure": "m1", "time": [3, 4]}],
                [{"op": "remove_measures", "ids": ["m1"]}],
            ],
        ),
        (
            "remove several measures",
            d,
            [quarters("m2", "b"), [{"op": "remove_measures", "ids": ["m3", "gone", "m2"]}]],
        ),
        (
            "remove measures refusals and skips",
            d,
            [
                [{"op": "remove_measures", "ids": ["m1", "m2", "m3"]}],
                [{"op": "remove_measures", "ids": ["zz"]}],
                [{"op": "remove_measures", "ids": "m1"}],
            ],
        ),
        (
            "remove then reinsert by inverse",
            d,
            [
                filled[0],
                [{"op": "remove_measures", "ids": ["m1"]}],
                [{"op": "insert_measures", "at": 0, "measures": [{"id": "m1"}]}],
            ],
        ),
        (
            "add part at front with a bar",
            d,
            [
                [
                    {
                        "op": "add_part",
                        "at": 0,
                        "part": {
                            "id": "v",
                            "name": "Violin",
                            "instrument": "violin",
                            "bars": {"m2": bar(ev("vb", 1, note("nvb", "A", 4)))},
                        },
                    }
                ]
            ],
        ),
        ("add part at the end with defaults", d, [[{"op": "add_part", "part": {"id": "v"}}]]),
        (
            "add part refusals",
            d,
            [
                [{"op": "add_part", "at": 3, "part": {"id": "v"}}],
                [{"op": "add_part", "part": {"id": "p1"}}],
                [{"op": "add_part", "part": {"id": "v", "clef": "x"}}],
                [{"op": "add_part", "part": {"id": "v", "transposition": 37}}],
                [{"op": "add_part", "part": {"id": "v", "name": 5}}],
                [{"op": "add_part", "part": {"id": "v", "x": 5}}],
                [{"op": "add_part", "part": {"id": "v", "bars": {"m1": bar(ev("b", 2))}}}],
                [{"op": "add_part", "part": "v"}],
                [{"op": "add_part", "at": None, "part": {"id": "v"}}],
            ],
        ),
        (
            "remove part and refuse the last",
            d,
            [
                [{"op": "remove_part", "part": "p1"}],
                [{"op": "remove_part", "part": "p2"}],
                [{"op": "remove_part", "part": "p1"}],
            ],
        ),
        (
            "set part props",
            d,
            [
                [
                    {
                        "op": "set_part",
                        "part": "p2",
                        "name": "Cello",
                        "clef": "tenor",
                        "transposition": -12,
                        "instrument": "cello",
                        "ignored": 1,
                    }
                ],
                [{"op": "set_part", "part": "p2"}],
                [{"op": "set_part", "part": "p2", "transposition": True}],
                [{"op": "set_part", "part": "gone", "name": "x"}],
            ],
        ),
        (
            "set meta",
            d,
            [
                [{"op": "set_meta", "title": "Song", "composer": "Ana"}],
                [{"op": "set_meta", "title": ""}],
                [{"op": "set_meta"}],
                [{"op": "set_meta", "composer": None}],
                [{"op": "set_meta", "title": "x" * 201}],
            ],
        ),
    ]


def other_cases() -> list[Case]:
    d = doc(parts=2)
    other = new_document(
        title="Other",
        parts=[{"name": "Flute", "id": "f"}],
        measures=1,
        time=[3, 4],
        key=-2,
        tempo=80,
    )
    return [
        ("replace document", d, [[{"op": "replace_document", "doc": other}], quarters("m1", "z")]),
        (
            "replace document canonicalises",
            d,
            [
                [
                    {
                        "op": "replace_document",
                        "doc": {
                            "measures": [
                                {"id": "a", "time": [2, 4], "key": 0, "tempo": 60},
                                {"id": "b"},
                            ],
                            "parts": [
                                {
                                    "id": "p",
                                    "bars": {
                                        "a": {
                                            "voices": {
                                                "1": [
                                                    ev(
                                                        "e",
                                                        2,
                                                        note("y", "G", 4),
                                                        note("x", "C", 4),
                                                        dots=0,
                                                        tuplet=[1, 1],
                                                    )
                                                ]
                                            }
                                        },
                                        "b": {
                                            "voices": {"1": [ev("r", 2)]},
                                            "harmonies": [
                                                {"id": "h", "offset": "2/8", "symbol": "C"}
                                            ],
                                        },
                                    },
                                }
                            ],
                        },
                    }
                ]
            ],
        ),
        (
            "replace document refusals",
            d,
            [
                [{"op": "replace_document", "doc": {"measures": [], "parts": []}}],
                [
                    {
                        "op": "replace_document",
                        "doc": {"measures": [{"id": "a"}], "parts": [{"id": "p"}]},
                    }
                ],
                [
                    {
                        "op": "replace_document",
                        "doc": {
                            "measures": [{"id": "a", "time": [4, 4], "key": 0, "tempo": 60}],
                            "parts": [{"id": "p", "bars": {"a": bar(ev("e", 2))}}],
                        },
                    }
                ],
                [
                    {
                        "op": "replace_document",
                        "doc": {
                            "measures": [
                                {"id": "a", "time": [4, 4], "key": 0, "tempo": 60},
                                {"id": "a"},
                            ],
                            "parts": [{"id": "p", "bars": {"a": bar(ev("e", 1))}}],
                        },
                    }
                ],
                [{"op": "replace_document", "doc": "x"}],
            ],
        ),
        (
            "edit all or nothing",
            d,
            [[c4("e1"), c4("e2", 4, "1/4"), c4("e3", 2, "3/4")], [c4("e1"), c4("e2", 4, "1/4")]],
        ),
        (
            "edit with a skipped op in the middle",
            d,
            [[c4("e1"), {"op": "delete_event", "event": "zz"}, c4("e2", 4, "1/4")]],
        ),
        (
            "edit refused after a skip keeps nothing",
            d,
            [[c4("e1"), {"op": "delete_event", "event": "zz"}, {"op": "nope"}]],
        ),
        (
            "edit of two ops on one event",
            d,
            [
                [
                    c4("e1"),
                    {"op": "set_duration", "event": "e1", "dur": {"type": 2}},
                    {"op": "add_note", "event": "e1", "note": note("g", "G", 4)},
                    {"op": "transpose", "notes": ["g", "ne1"], "diatonic": 2, "chromatic": 3},
                ]
            ],
        ),
        (
            "edit shapes refused",
            d,
            [
                [],
                [{"op": "unknown"}],
                ["set_meta"],
                [{"title": "x"}],
                [{"op": 5}],
                [{"op": "constructor"}],
                [{"op": "__proto__"}],
                [{"op": "toString"}],
            ],
        ),
        (
            "ids that are object keys in JS",
            d,
            [
                [
                    {
                        "op": "insert_measures",
                        "at": 1,
                        "measures": [{"id": "__proto__"}, {"id": "constructor"}, {"id": "0"}],
                    }
                ],
                [c4("toString", 4, "0", "__proto__")],
                [{"op": "add_part", "part": {"id": "hasOwnProperty"}}],
                [c4("valueOf", 4, "1/4", "constructor")],
                [{"op": "set_clef", "part": "p1", "measure": "toString", "clef": "bass"}],
                [{"op": "set_time", "measure": "0", "time": [2, 4]}],
                [{"op": "remove_measures", "ids": ["constructor"]}],
            ],
        ),
        (
            "refit fillers avoid ids used elsewhere",
            d,
            [
                [c4("e1", 2, "1/2")],
                [c4("e1.t.r0", 4, "0", "m2")],
                [{"op": "set_time", "measure": "m1", "time": [3, 4]}],
            ],
        ),
        (
            "refit padding avoids ids used elsewhere",
            d,
            [[c4("m2.p1.1.p.r0")], [{"op": "set_time", "measure": "m2", "time": [5, 4]}]],
        ),
        (
            "a new part repeating its own ids refused",
            d,
            [
                [{"op": "add_part", "part": {"id": "v", "bars": {"m2": bar(ev("m1.v.r0", 1))}}}],
                [
                    {
                        "op": "add_part",
                        "part": {"id": "v", "bars": {"m1": bar(ev("x", 1)), "m2": bar(ev("x", 1))}},
                    }
                ],
                [
                    {
                        "op": "add_part",
                        "part": {
                            "id": "v",
                            "bars": {"m1": bar(ev("x", 2, note("y", "C", 4)), ev("y", 2))},
                        },
                    }
                ],
            ],
        ),
        (
            "set_time undo with a filler-lookalike id",
            d,
            [
                [
                    {
                        "op": "set_voice",
                        "part": "p2",
                        "measure": "m1",
                        "voice": "2",
                        "events": [ev("m2.p1.r0.t.r0", 1)],
                    }
                ],
                [{"op": "set_time", "measure": "m1", "time": [3, 4]}],
                [{"op": "set_time", "measure": "m1", "time": [2, 4]}, {"op": "nope"}],
            ],
        ),
        (
            "quintuplet inside a septuplet rest refused",
            d,
            [
                [c4("a", 8, "13/14", tuplet=[7, 4])],
                [c4("b", 16, "1/2", tuplet=[5, 4])],
                [c4("c", 4)],
            ],
        ),
        ("6/8 rests", doc(time=[6, 8]), [[c4("a", 8, "1/8")], [c4("b", 16, "5/8")]]),
        ("5/8 rests", doc(time=[5, 8]), [[c4("a", 8, "1/4")], [c4("b", 16, "9/16")]]),
        ("3/4 triplet fill", doc(time=[3, 4]), [[c4("a", 4, "1/3", tuplet=[3, 2])]]),
        ("7/16 rests", doc(time=[7, 16]), [[c4("a", 16, "3/16")]]),
        ("2/2 and septuplets", doc(time=[2, 2]), [[c4("a", 16, "1/4", tuplet=[7, 4])]]),
        ("1/32 measure", doc(time=[1, 32]), [[c4("a", 64)], [c4("b", 128, "1/64")]]),
        (
            "dotted 128th leaving an unnotatable gap refused",
            doc(time=[1, 32]),
            [[c4("a", 128, dots=1)]],
        ),
    ]


def hand_cases() -> list[Case]:
    cases = events_cases() + bars_cases() + structure_cases() + other_cases()
    names = [c[0] for c in cases]
    assert len(set(names)) == len(names), "case names must be unique"
    return cases
