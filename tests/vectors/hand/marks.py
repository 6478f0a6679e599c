"""Hand-written vector cases for articulations and ornaments (``set_mark``, event ``marks``)."""

from __future__ import annotations

from typing import Any

from server.score import apply_edit

from .helpers import Case, c4, doc, ev, note, we


def mark(event: str, name: str, value: Any = True) -> dict[str, Any]:
    return {"op": "set_mark", "event": event, "mark": name, "value": value}


def marks_cases() -> list[Case]:
    blank = doc()
    # Start from a quarter C4 ``e1`` at beat 1 (written here, so the vectors do not repeat
    # its inverse in every case).
    d = doc()
    apply_edit(d, [c4("e1")])
    chord = we(ev("ch", 4, note("a", "C", 4), note("b", "E", 4), note("c", "G", 4)))
    return [
        ("mark staccato on a note", d, [[mark("e1", "staccato")]]),
        (
            "marks accumulate sorted",
            d,
            [[mark("e1", "tenuto"), mark("e1", "accent"), mark("e1", "fermata")]],
        ),
        (
            "mark set twice keeps one",
            d,
            [[mark("e1", "accent")], [mark("e1", "accent")]],
        ),
        (
            "mark removed with null",
            d,
            [[mark("e1", "accent"), mark("e1", "trill")], [mark("e1", "accent", None)]],
        ),
        ("removing an absent mark", d, [[mark("e1", "turn", None)]]),
        (
            "tremolo strokes",
            d,
            [[mark("e1", "tremolo", 3)], [mark("e1", "tremolo", 1)]],
        ),
        ("tremolo 5 refused", d, [[mark("e1", "tremolo", 5)]]),
        ("tremolo true refused", d, [[mark("e1", "tremolo")]]),
        ("staccato 2 refused", d, [[mark("e1", "staccato", 2)]]),
        ("staccato false refused", d, [[mark("e1", "staccato", False)]]),
        ("unknown mark refused", d, [[mark("e1", "wiggle")]]),
        ("mark name not a string refused", d, [[mark("e1", 3)]]),  # type: ignore[arg-type]
        ("arpeggio on a chord", d, [[chord], [mark("ch", "arpeggio"), mark("ch", "marcato")]]),
        ("fermata on a rest", blank, [[mark("m1.p1.r0", "fermata")]]),
        ("staccato on a rest refused", blank, [[mark("m1.p1.r0", "staccato")]]),
        ("mark on a vanished event skipped", blank, [[mark("gone", "accent"), c4("e1")]]),
        (
            "deleting a note keeps only its fermata",
            d,
            [
                [mark("e1", "fermata"), mark("e1", "staccato")],
                [{"op": "delete_event", "event": "e1"}],
            ],
        ),
        (
            "deleting a note drops its marks",
            d,
            [
                [mark("e1", "accent"), mark("e1", "tremolo", 2)],
                [{"op": "set_notes", "event": "e1", "notes": []}],
            ],
        ),
        (
            "written event carries marks",
            d,
            [[we(ev("e", 4, note("n", "C", 4), marks={"tenuto": True, "accent": True}))]],
        ),
        (
            "written event empty marks omitted",
            blank,
            [[we(ev("e", 4, note("n", "C", 4), marks={}))]],
        ),
        ("written rest with accent refused", blank, [[we(ev("e", 4, marks={"accent": True}))]]),
        ("written rest with fermata", blank, [[we(ev("e", 4, marks={"fermata": True}))]]),
        (
            "written marks as a list refused",
            d,
            [[we(ev("e", 4, note("n", "C", 4), marks=["accent"]))]],
        ),
        (
            "failed edit rolls marks back",
            d,
            [[mark("e1", "accent"), mark("e1", "tremolo", 9)]],
        ),
        (
            "overwriting a marked note drops it",
            d,
            [[mark("e1", "staccato")], [c4("e2", 2)]],
        ),
        (
            "a remove-note to a rest drops marks",
            d,
            [[mark("e1", "accent")], [{"op": "remove_note", "note": "ne1"}]],
        ),
    ]
