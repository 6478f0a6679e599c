"""Hand-written vector cases for spanners: putting and removing them, and what every kind
of edit does to a spanner whose end it removes (shrink, or remove; never dangle)."""

from __future__ import annotations

from typing import Any

from server.score import apply_edit

from .helpers import Case, c4, doc, ev, note, quarters, we


def sp(sid: str, start: str, end: str, kind: str = "slur") -> dict[str, Any]:
    return {"op": "set_spanner", "spanner": {"id": sid, "kind": kind, "start": start, "end": end}}


def spanners_cases() -> list[Case]:
    # Start from quarters a0..a3 in m1 and b0..b3 in m2 (written here, so the vectors do
    # not repeat their inverses in every case).
    d = doc(measures=2)
    apply_edit(d, quarters("m1", "a") + quarters("m2", "b"))
    blank = doc(measures=2)
    two = doc(parts=2, measures=2)
    notes: list[list[dict[str, Any]]] = []
    slur = sp("s1", "a1", "b2")
    return [
        ("slur across a barline", blank, [[sp("s1", "m1.p1.r0", "m2.p1.r0")]]),
        (
            "every kind, on whole-bar rests",
            blank,
            [
                [
                    sp(f"k{i}", "m1.p1.r0", "m2.p1.r0", k)
                    for i, k in enumerate(
                        ["slur", "crescendo", "diminuendo", "8va", "8vb", "15ma", "15mb", "pedal"]
                    )
                ],
            ],
        ),
        ("hairpin on one rest refused", blank, [[sp("h", "m1.p1.r0", "m1.p1.r0", "crescendo")]]),
        ("slur on one note refused", blank, [[sp("s", "m1.p1.r0", "m1.p1.r0")]]),
        ("spanner ending before it starts refused", blank, [[sp("s", "m2.p1.r0", "m1.p1.r0")]]),
        (
            "spanner across parts refused",
            two,
            [
                [c4("x"), we(ev("y", 4, note("ny", "C", 3)), part="p2")],
                [sp("s", "x", "y", "crescendo")],
            ],
        ),
        ("unknown kind refused", blank, [[sp("s", "m1.p1.r0", "m2.p1.r0", "glissando")]]),
        (
            "unknown field refused",
            blank,
            [
                [
                    {
                        "op": "set_spanner",
                        "spanner": {
                            "id": "s",
                            "kind": "slur",
                            "start": "m1.p1.r0",
                            "end": "m2.p1.r0",
                            "above": True,
                        },
                    }
                ],
            ],
        ),
        ("spanner id already used refused", blank, [[sp("m2", "m1.p1.r0", "m2.p1.r0")]]),
        ("spanner on a vanished event skipped", blank, [[sp("s", "m1.p1.r0", "gone")]]),
        (
            "spanner moved and re-kinded",
            blank,
            [[sp("s1", "m1.p1.r0", "m2.p1.r0")], [sp("s1", "m1.p1.r0", "m2.p1.r0", "pedal")]],
        ),
        (
            "spanner removed",
            blank,
            [[sp("s1", "m1.p1.r0", "m2.p1.r0")], [{"op": "remove_spanner", "id": "s1"}]],
        ),
        (
            "removing a vanished spanner skipped",
            blank,
            [[{"op": "remove_spanner", "id": "s9"}]],
        ),
        (
            "spanners kept sorted by id",
            blank,
            [
                [
                    sp("z", "m1.p1.r0", "m2.p1.r0"),
                    sp("b", "m1.p1.r0", "m2.p1.r0", "8va"),
                    sp("n", "m1.p1.r0", "m2.p1.r0", "pedal"),
                ]
            ],
        ),
        # What edits do to a spanner whose end they remove.
        (
            "typing over the end moves the end to the new note",
            d,
            [*notes, [slur], [c4("n", 4, "1/2", "m2")]],
        ),
        ("typing over the start moves the start", d, [*notes, [slur], [c4("n", 4, "1/4", "m1")]]),
        (
            "the note before the end swallows it: the end shrinks back",
            d,
            [*notes, [slur], [{"op": "set_duration", "event": "b1", "dur": {"type": 2}}]],
        ),
        (
            "a whole note over the end bar shrinks to it",
            d,
            [*notes, [slur], [c4("w", 1, "0", "m2")]],
        ),
        (
            "a whole note over both ends removes the slur",
            d,
            [*notes, [sp("s2", "a1", "a2")], [c4("w", 1, "0", "m1")]],
        ),
        (
            "deleting the end note keeps the spanner (a rest)",
            d,
            [*notes, [slur], [{"op": "delete_event", "event": "b2"}]],
        ),
        (
            "removing the end's measure shrinks into the bar before",
            d,
            [*notes, [slur], [{"op": "remove_measures", "ids": ["m2"]}]],
        ),
        (
            "removing both ends' measures removes it",
            d,
            [*notes, [sp("s2", "a1", "a3")], [{"op": "remove_measures", "ids": ["m1"]}]],
        ),
        (
            "removing the start's measure moves the start on",
            d,
            [*notes, [slur], [{"op": "remove_measures", "ids": ["m1"]}]],
        ),
        (
            "a shorter time cuts the end: it shrinks",
            d,
            [*notes, [slur], [{"op": "set_time", "measure": "m2", "time": [2, 4]}]],
        ),
        (
            "removing the part removes its spanners",
            two,
            [
                [c4("x"), c4("y", 4, "1/2")],
                [sp("s", "x", "y", "pedal")],
                [{"op": "remove_part", "part": "p1"}],
            ],
        ),
        (
            "set_voice that reverses a slur removes it",
            d,
            [
                *notes,
                [sp("s2", "a0", "a3")],
                [
                    {
                        "op": "set_voice",
                        "part": "p1",
                        "measure": "m1",
                        "voice": "1",
                        "events": [
                            {
                                "id": f"a{i}",
                                "dur": {"type": 4},
                                "notes": [
                                    {"id": f"na{i}", "step": "CDEF"[i], "alter": 0, "octave": 4}
                                ],
                            }
                            for i in (3, 2, 1, 0)
                        ],
                    }
                ],
            ],
        ),
        (
            "a failed edit rolls a shrink back",
            d,
            [*notes, [slur], [c4("n", 4, "1/4", "m2"), c4("bad", 2, "3/4", "m2")]],
        ),
        (
            "a replaced document brings its own spanners",
            blank,
            [
                [
                    {
                        "op": "replace_document",
                        "doc": {
                            **blank,
                            "spanners": [
                                {
                                    "id": "r",
                                    "kind": "crescendo",
                                    "start": "m1.p1.r0",
                                    "end": "m2.p1.r0",
                                }
                            ],
                        },
                    }
                ]
            ],
        ),
        (
            "a document with a dangling spanner refused",
            blank,
            [
                [
                    {
                        "op": "replace_document",
                        "doc": {
                            **blank,
                            "spanners": [
                                {"id": "r", "kind": "crescendo", "start": "m1.p1.r0", "end": "gone"}
                            ],
                        },
                    }
                ]
            ],
        ),
        (
            "a document whose spanner reuses an id refused",
            blank,
            [
                [
                    {
                        "op": "replace_document",
                        "doc": {
                            **blank,
                            "spanners": [
                                {
                                    "id": "m1",
                                    "kind": "pedal",
                                    "start": "m1.p1.r0",
                                    "end": "m2.p1.r0",
                                }
                            ],
                        },
                    }
                ]
            ],
        ),
        (
            "an edit then a spanner on its new note",
            blank,
            [[c4("n", 4, "1/2", "m2"), sp("s", "m1.p1.r0", "n")]],
        ),
    ]
