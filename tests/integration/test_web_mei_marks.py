"""Articulations and ornaments through the browser's MEI converter (Node) and Verovio:
each mark is engraved as its own SVG element, attached to the note, chord or rest."""

from __future__ import annotations

import re
from typing import Any

from server.score.model import Doc, new_document
from server.score.ops import apply_edit
from tests.integration.test_web_mei import convert, engrave, note, write

MARKS = {  # event -> the marks it gets
    "e1": {"staccato": True},
    "e2": {"staccatissimo": True},
    "e3": {"accent": True, "tenuto": True},
    "e4": {"marcato": True},
    "e5": {"fermata": True},
    "e6": {"trill": True},
    "e7": {"mordent": True},
    "e8": {"inverted_mordent": True},
    "c1": {"arpeggio": True, "turn": True},
    "e9": {"tremolo": 3},
}


def marked_score() -> Doc:
    doc = new_document(measures=3)
    ops: list[dict[str, Any]] = []
    for k, eid in enumerate(["e1", "e2", "e3", "e4"]):
        ops.append(
            write(
                "p1",
                "m1",
                f"{k}/4",
                {"id": eid, "dur": {"type": 4}, "notes": [note(f"n{eid}", "G", 4)]},
            )
        )
    for k, eid in enumerate(["e5", "e6", "e7", "e8"]):
        ops.append(
            write(
                "p1",
                "m2",
                f"{k}/4",
                {"id": eid, "dur": {"type": 4}, "notes": [note(f"n{eid}", "E", 5)]},
            )
        )
    ops.append(
        write(
            "p1",
            "m3",
            "0",
            {
                "id": "c1",
                "dur": {"type": 2},
                "notes": [note("a", "C", 4), note("b", "E", 4), note("c", "G", 4)],
            },
        )
    )
    ops.append(
        write("p1", "m3", "1/2", {"id": "e9", "dur": {"type": 4}, "notes": [note("ne9", "A", 4)]})
    )
    for eid, marks in MARKS.items():
        ops += [{"op": "set_mark", "event": eid, "mark": k, "value": v} for k, v in marks.items()]
    # The rest after e9 gets a fermata (the one mark a rest may carry).
    rest = "e9.b.r0"
    ops.append({"op": "set_mark", "event": rest, "mark": "fermata", "value": True})
    apply_edit(doc, ops)  # fmt: skip
    return doc


def test_every_mark_is_engraved_on_its_event() -> None:
    doc = marked_score()
    mei = convert(doc)["full"]
    for value in ("stacc", "stacciss", "acc", "ten", "marc"):
        assert f'<artic artic="{value}"/>' in mei
    svg = engrave(mei)
    # Articulations sit inside their note (Verovio draws accent + tenuto as one glyph
    # group); each ornament is drawn once per use.
    assert len(re.findall(r'class="artic"', svg)) == 5
    assert svg.count('class="fermata"') == 2  # on e5 and on the rest
    assert svg.count('class="trill"') == 1
    assert svg.count('class="mordent"') == 2
    assert svg.count('class="turn"') == 1
    assert svg.count('class="arpeg"') == 1
    assert svg.count('class="bTrem"') == 1
    assert 'startid="#ne5"' in mei and 'startid="#e9.b.r0"' in mei and 'plist="#c1"' in mei


def test_a_note_without_marks_is_written_as_before() -> None:
    doc = new_document(measures=1)
    apply_edit(
        doc,
        [write("p1", "m1", "0", {"id": "e1", "dur": {"type": 4}, "notes": [note("n1", "C", 4)]})],
    )
    mei = convert(doc)["full"]
    assert '<note xml:id="n1" pname="c" oct="4" dur="4"/>' in mei
    assert "artic" not in mei and "<fermata" not in mei
