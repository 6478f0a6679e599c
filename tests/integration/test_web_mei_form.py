"""Form through the browser's MEI converter (Node) and Verovio: barline styles, repeat
signs (with the times played) and 1st/2nd ending brackets are engraved."""

from __future__ import annotations

from server.score.model import Doc, new_document
from server.score.ops import apply_edit
from tests.integration.test_web_mei import convert, engrave


def form_score() -> Doc:
    doc = new_document(measures=6)
    ops = [
        {"op": "set_form", "measure": "m2", "field": "repeat_start", "value": True},
        {"op": "set_form", "measure": "m3", "field": "ending", "value": [1]},
        {"op": "set_form", "measure": "m3", "field": "repeat_end", "value": 2},
        {"op": "set_form", "measure": "m4", "field": "ending", "value": [2]},
        {"op": "set_form", "measure": "m4", "field": "barline", "value": "double"},
        {"op": "set_form", "measure": "m5", "field": "repeat_end", "value": 3},
        {"op": "set_form", "measure": "m5", "field": "repeat_start", "value": True},
        {"op": "set_form", "measure": "m6", "field": "barline", "value": "final"},
        {"op": "set_form", "measure": "m2", "field": "rehearsal", "value": "A"},
    ]
    apply_edit(doc, ops)
    return doc


def test_repeats_endings_and_barlines_are_engraved() -> None:
    mei = convert(form_score())["full"]
    assert '<measure n="2" xml:id="m2" left="rptstart">' in mei
    assert '<ending n="1" label="1."><measure n="3" xml:id="m3" right="rptend">' in mei
    assert '<ending n="2" label="2."><measure n="4" xml:id="m4" right="dbl">' in mei
    assert 'xml:id="m6" right="end"' in mei and ">3×</dir>" in mei
    svg = engrave(mei)
    assert svg.count('class="ending') == 2
    assert svg.count('class="reh') == 1 and '<rend rend="box">A</rend>' in mei
    assert "3×" in svg
    assert svg.count('class="barLine') >= 6
