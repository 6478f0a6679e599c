"""The order a score is played in (repeats, endings), the same in Python and JS, and what
MIDI export makes of it: the repeated bars sound again."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from server.formats import export_score, import_score
from server.formats.compare import sounding_notes
from server.score import apply_edit, new_document
from server.score.form import play_order

REPO = Path(__file__).resolve().parents[2]
CASES: list[tuple[list[dict[str, Any]], list[int]]] = [
    ([{}, {"repeat_end": 2}, {}], [0, 1, 0, 1, 2]),
    ([{}, {"repeat_start": True}, {"ending": [1], "repeat_end": 2}, {"ending": [2]}, {}],
     [0, 1, 2, 1, 3, 4]),
    ([{"repeat_start": True}, {"repeat_end": 3}, {"repeat_start": True}, {"repeat_end": 2}],
     [0, 1, 0, 1, 0, 1, 2, 3, 2, 3]),
    ([{}, {"ending": [1, 2], "repeat_end": 3}, {"ending": [3]}], [0, 1, 0, 1, 0, 2]),
    ([{}, {"ending": [1], "repeat_end": 2}, {"ending": [2]}, {}, {"repeat_end": 2}],
     [0, 1, 0, 2, 3, 4, 3, 4]),
    ([{"barline": "double"}, {"barline": "final"}], [0, 1]),
]  # fmt: skip


def doc_of(measures: list[dict[str, Any]]) -> dict[str, Any]:
    return {"measures": [{"id": f"m{i}", **m} for i, m in enumerate(measures)]}


@pytest.mark.parametrize(("measures", "order"), CASES)
def test_play_order_takes_repeats_and_endings(measures: list[Any], order: list[int]) -> None:
    assert play_order(doc_of(measures)) == order


def test_the_browser_plays_in_the_same_order() -> None:
    module = (REPO / "static/js/score/form.js").as_uri()
    script = (
        f'import {{ playOrder }} from "{module}";'
        "console.log(JSON.stringify(JSON.parse(process.argv[1]).map(playOrder)));"
    )
    docs = [doc_of(m) for m, _ in CASES]
    out = subprocess.run(
        ["node", "--input-type=module", "-e", script, json.dumps(docs)],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    assert json.loads(out.stdout) == [order for _, order in CASES]


def test_midi_plays_the_repeat_and_the_second_ending() -> None:
    doc = new_document(measures=3)
    steps = "CDE"
    ops: list[dict[str, Any]] = [
        {
            "op": "write_event",
            "part": "p1",
            "measure": f"m{i + 1}",
            "offset": "0",
            "event": {
                "id": f"e{i}",
                "dur": {"type": 1},
                "notes": [{"id": f"n{i}", "step": steps[i], "octave": 4}],
            },
        }
        for i in range(3)
    ]
    ops += [
        {"op": "set_form", "measure": "m2", "field": "ending", "value": [1]},
        {"op": "set_form", "measure": "m2", "field": "repeat_end", "value": 2},
        {"op": "set_form", "measure": "m3", "field": "ending", "value": [2]},
    ]  # fmt: skip
    apply_edit(doc, ops)
    midi = import_score(export_score(doc, "midi"), "form.mid", isolated=False)
    pitches = [p for _, p, _ in sounding_notes(midi.doc)[0]]
    assert pitches == [60, 62, 60, 64]  # C D | C (again) E (the second ending)
    assert sounding_notes(doc) == sounding_notes(midi.doc)


def test_form_survives_musicxml_both_ways() -> None:
    from server.formats.compare import musical_content
    from tests.integration.test_web_mei_form import form_score

    doc = form_score()  # repeats, 1st/2nd endings, 3 times, double and final barlines, "A"
    xml = export_score(doc, "musicxml").decode()
    for tag in ('<repeat direction="forward"', '<repeat direction="backward"',
                '<ending number="1"', "<rehearsal", "<bar-style>light-light"):  # fmt: skip
        assert tag in xml, tag
    again = import_score(xml.encode(), "again.musicxml", isolated=False)
    assert again.report == []
    assert musical_content(again.doc)["measures"] == musical_content(doc)["measures"]
    assert again.doc["measures"][1]["rehearsal"] == "A"
