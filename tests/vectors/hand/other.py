"""Hand-written vector cases across ops.

replace_document, edit atomicity, JS-hostile ids, meters and regressions of fixed bugs.
"""

from __future__ import annotations

from server.score import new_document

from .helpers import Case, bar, c4, doc, ev, note, quarters, we


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


def limits_cases() -> list[Case]:
    """Size limits of score/limits.py: what a voice may hold, what a score may be created with."""
    d = doc()
    tiny = [ev(f"t{i}", 128, tuplet=[2, 1]) for i in range(257)]  # 257 x 1/256 > a 4/4 bar
    full = [ev(f"t{i}", 128, tuplet=[2, 1]) for i in range(256)]  # exactly 4/4
    return [
        (
            "bar with 256 events in a voice accepted",
            d,
            [[{"op": "set_bar", "part": "p1", "measure": "m1", "bar": bar(*full)}]],
        ),
        (
            "bar with more than 256 events in a voice refused",
            d,
            [[{"op": "set_bar", "part": "p1", "measure": "m1", "bar": bar(*tiny)}]],
        ),
        (
            # 9/4 = 224 x 1/128 + 32 x 1/64: 256 events; a 128th on a 64th adds a filler rest.
            "write splitting a full voice past 256 events refused",
            doc(time=[9, 4]),
            [
                [
                    {
                        "op": "set_bar",
                        "part": "p1",
                        "measure": "m1",
                        "bar": bar(
                            *[ev(f"s{i}", 128) for i in range(224)],
                            *[ev(f"l{i}", 64) for i in range(32)],
                        ),
                    }
                ],
                [we(ev("w", 128, note("nw", "C", 4)), "7/4")],
            ],
        ),
        (
            "huge time, key and tempo refused",
            d,
            [
                [{"op": "set_time", "measure": "m1", "time": [1000000000, 1]}],
                [{"op": "set_key", "measure": "m1", "key": 99}],
                [{"op": "set_tempo", "measure": "m1", "tempo": 1000.5}],
            ],
        ),
    ]
