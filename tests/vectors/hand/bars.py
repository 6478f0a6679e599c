"""Hand-written vector cases for whole bars and what sits at a beat.

set_bar, set_bars, chord symbols, dynamics and clefs.
"""

from __future__ import annotations

from .helpers import Case, bar, doc, ev, note


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
