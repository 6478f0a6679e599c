"""The browser's MEI converter (static/js/render/mei.js, run by Node) engraves with
Verovio (the PyPI build, the same engine as the browser's) and keeps our element IDs:
every note, chord, rest, chord symbol and dynamic of a varied score is an SVG id."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import verovio

from server.score.model import Doc, new_document
from server.score.ops import apply_edit

REPO = Path(__file__).resolve().parents[2]
SCRIPT = """
import { sliceMei, sliceRanges } from "%s";
const doc = JSON.parse(await new Promise((ok) => {
  let s = ""; process.stdin.on("data", (d) => (s += d)); process.stdin.on("end", () => ok(s));
}));
const slices = sliceRanges(doc, 2).map(([a, b]) => sliceMei(doc, a, b));
console.log(JSON.stringify({ full: sliceMei(doc), slices }));
"""


def note(note_id: str, step: str, octave: int, alter: int = 0, **extra: Any) -> dict[str, Any]:
    return {"id": note_id, "step": step, "octave": octave, "alter": alter, **extra}


def write(part: str, measure: str, offset: str, event: dict[str, Any]) -> dict[str, Any]:
    return {"op": "write_event", "part": part, "measure": measure, "offset": offset, "event": event}


def varied_score() -> Doc:
    doc = new_document(
        parts=[{"name": "Flute"}, {"name": "Cello", "clef": "bass"}], measures=6, key=2
    )
    triplet = {"type": 8, "tuplet": [3, 2]}
    ops = [
        write("p1", "m1", "0", {"id": "e1", "dur": {"type": 4}, "notes": [note("n1", "C", 5, 1)],
                                "lyrics": {"1": "Hel"}}),
        write("p1", "m1", "1/4", {"id": "e2", "dur": {"type": 8}, "notes": [note("n2", "D", 5)]}),
        write("p1", "m1", "3/8", {"id": "e3", "dur": {"type": 8}, "notes": [note("n3", "F", 5)]}),
        write("p1", "m1", "1/2", {"id": "e4", "dur": triplet, "notes": [note("n4", "G", 5)]}),
        write("p1", "m1", "7/12", {"id": "e5", "dur": triplet, "notes": [note("n5", "A", 5)]}),
        write("p1", "m1", "2/3", {"id": "e6", "dur": triplet, "notes": [note("n6", "B", 5)]}),
        write("p1", "m1", "3/4", {"id": "e7", "dur": {"type": 4},
                                  "notes": [note("n7", "C", 6, 1, tie=True)]}),
        write("p1", "m2", "0", {"id": "e8", "dur": {"type": 2, "dots": 1},
                                "notes": [note("n8", "C", 6, 1)]}),
        write("p2", "m1", "0", {"id": "e9", "dur": {"type": 1},
                                "notes": [note("n9", "D", 3), note("n10", "F", 3, 1),
                                          note("n11", "A", 3)], "lyrics": {"1": "la"}}),
        {"op": "set_chord_symbol", "part": "p1", "measure": "m1", "offset": "0", "id": "h1",
         "symbol": "D"},
        {"op": "set_dynamic", "part": "p1", "measure": "m1", "offset": "1/4", "id": "d1",
         "mark": "mf"},
        {"op": "set_key", "measure": "m3", "key": -3},
        {"op": "set_time", "measure": "m4", "time": [3, 4]},
        {"op": "set_tempo", "measure": "m5", "tempo": 90},
        {"op": "set_clef", "part": "p2", "measure": "m2", "clef": "tenor"},
        write("p2", "m6", "0", {"id": "e10", "dur": {"type": 4},
                                "notes": [note("n12", "E", 3, -1)]}),
        # A tie across the m2 | m3 boundary, which is also a slice (system) boundary.
        write("p2", "m2", "1/2", {"id": "e11", "dur": {"type": 2},
                                  "notes": [note("n13", "G", 3, tie=True)]}),
        write("p2", "m3", "0", {"id": "e12", "dur": {"type": 4},
                                "notes": [note("n14", "G", 3)]}),
    ]  # fmt: skip
    apply_edit(doc, ops)
    return doc


def convert(doc: Doc) -> dict[str, Any]:
    script = SCRIPT % (REPO / "static/js/render/mei.js").as_uri()
    out = subprocess.run(
        ["node", "--input-type=module", "-e", script],
        input=json.dumps(doc),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return dict(json.loads(out.stdout))


def engrave(mei: str) -> str:
    toolkit = verovio.toolkit()
    toolkit.setOptions({"breaks": "none", "adjustPageHeight": True})
    assert toolkit.loadData(mei)
    return str(toolkit.renderToSVG(1))


def test_every_element_id_survives_engraving() -> None:
    doc = varied_score()
    meis = convert(doc)
    svg = engrave(meis["full"])
    ids = ["n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8", "e9", "n9", "n10", "n11", "h1", "d1"]
    ids += ["n12", "m1", "m6"]
    for element_id in ids:
        assert f'id="{element_id}"' in svg, element_id
    # Rests written by the model keep their ids too (filler rests after e8, whole rests).
    for rest in doc["parts"][0]["bars"]["m2"]["voices"]["1"][1:]:
        assert f'id="{rest["id"]}"' in svg
    assert 'id="m3.p1.r0"' in svg
    assert "Hel" in svg and "la" in svg
    # The tie, the triplet and the key/time changes are engraved as such.
    assert 'class="tie' in svg and 'class="tuplet' in svg
    assert svg.count('class="meterSig') >= 2 and svg.count('class="keySig') >= 3


def test_slices_engrave_alone_and_together_cover_the_score() -> None:
    doc = varied_score()
    slices = convert(doc)["slices"]
    assert len(slices) == 3
    svgs = [engrave(mei) for mei in slices]
    all_events = [
        e["id"] if len(e["notes"]) != 1 else e["notes"][0]["id"]
        for part in doc["parts"]
        for bar in part["bars"].values()
        for e in bar["voices"]["1"]
    ]
    for event_id in all_events:
        holders = [i for i, svg in enumerate(svgs) if f'id="{event_id}"' in svg]
        assert len(holders) == 1, event_id
    # The m2 -> m3 tie crosses systems: drawn out of the first, into the second.
    assert svgs[0].count('class="tie') == 2  # n7 -> n8 inside, n13 -> the next system
    assert svgs[1].count('class="tie') == 1  # the arc arriving at n14
    # Each slice starts a system: clefs and the key repeat; a time signature is drawn
    # only where it changes (3/4 at m4 in the second slice, none in the third).
    assert 'class="clef' in svgs[2] and 'class="keySig' in svgs[2]
    assert 'class="meterSig' in svgs[1]
    assert 'class="meterSig' not in svgs[2]
