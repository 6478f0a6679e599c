"""Hand-written vector cases for the score's shape: time, key, tempo, measures, parts, metadata."""

from __future__ import annotations

from .helpers import Case, bar, c4, doc, ev, note, quarters


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
