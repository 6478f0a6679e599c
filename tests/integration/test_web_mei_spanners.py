"""Spanners through the browser's MEI converter (Node) and Verovio: slurs, hairpins,
ottava lines and pedal marks are drawn between their notes, also across slice (system)
boundaries, and notes under an 8va line are written an octave lower."""

from __future__ import annotations

import re
from typing import Any

from server.score.model import Doc, new_document
from server.score.ops import apply_edit
from tests.integration.test_web_mei import convert, engrave, note, write


def spanned_score() -> Doc:
    doc = new_document(measures=4)
    ops: list[dict[str, Any]] = []
    for m in range(1, 5):
        for k, step in enumerate("CDEF"):
            eid = f"e{m}{k}"
            ops.append(
                write(
                    "p1",
                    f"m{m}",
                    f"{k}/4",
                    {"id": eid, "dur": {"type": 4}, "notes": [note(f"n{m}{k}", step, 5)]},
                )
            )
    spans = [
        ("s1", "slur", "e10", "e13"),
        ("h1", "crescendo", "e20", "e23"),
        ("h2", "diminuendo", "e30", "e31"),
        ("o1", "8va", "e32", "e33"),
        ("p1s", "pedal", "e40", "e43"),
        ("s2", "slur", "e13", "e21"),
    ]
    ops += [
        {"op": "set_spanner", "spanner": {"id": i, "kind": k, "start": a, "end": b}}
        for i, k, a, b in spans
    ]
    apply_edit(doc, ops)  # fmt: skip
    return doc


def test_each_spanner_is_drawn_between_its_notes() -> None:
    doc = spanned_score()
    mei = convert(doc)["full"]
    assert '<slur xml:id="s1" startid="#n10" endid="#n13"/>' in mei
    assert '<hairpin xml:id="h1" form="cres" place="below" startid="#n20" endid="#n23"/>' in mei
    assert '<octave xml:id="o1" dis="8" dis.place="above" startid="#n32" endid="#n33"/>' in mei
    svg = engrave(mei)
    assert svg.count('class="slur') == 2
    assert svg.count('class="hairpin') == 2
    assert svg.count('class="octave') == 1
    assert svg.count('class="pedal') >= 1
    # Notes under the 8va are written an octave down and still sound where they are.
    assert re.search(r'xml:id="n32" pname="e" oct="4" oct.ges="5"', mei)
    assert re.search(r'xml:id="n31" pname="d" oct="5"[ />]', mei)


def test_a_slur_across_a_slice_boundary_is_drawn_out_of_one_and_into_the_next() -> None:
    doc = spanned_score()  # two measures per slice; s2 now runs from m1 into m3
    apply_edit(
        doc,
        [
            {
                "op": "set_spanner",
                "spanner": {"id": "s2", "kind": "slur", "start": "e13", "end": "e31"},
            }
        ],
    )
    slices = convert(doc)["slices"]  # fmt: skip
    assert '<slur xml:id="s2" startid="#n13" tstamp2="1m+5"/>' in slices[0]
    assert '<slur xml:id="s2" staff="1" tstamp="0" endid="#n31"/>' in slices[1]
    for mei in slices:
        assert engrave(mei).count('id="s2"') == 1
