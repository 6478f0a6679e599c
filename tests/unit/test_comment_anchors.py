"""Comment anchors follow the score through real ops (``server.comments.anchors``): measure
ranges shift with measures inserted or removed before them and shrink to what is left,
an event anchor follows its event through moves and re-pitching, and an anchor whose
target is deleted becomes detached (and attaches again when an undo brings it back)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from server.comments.anchors import AnchorError, bind, locate, parse_anchor
from server.score import apply_edit, apply_op, invert, new_document
from server.score.model import Doc, find_event


def _doc(measures: int = 6) -> Doc:
    doc = new_document(parts=[{"name": "Soprano"}, {"name": "Alto"}], measures=measures)
    for i, (measure, step) in enumerate((("m3", "C"), ("m3", "E"), ("m4", "G"))):
        apply_op(doc, _write(measure, f"e{i}", step, offset=f"{i % 2}/2"))
    return doc


def _write(measure: str, event: str, step: str, *, offset: str = "0", part: str = "p1") -> Any:
    return {
        "op": "write_event",
        "part": part,
        "measure": measure,
        "offset": offset,
        "event": {
            "id": event,
            "dur": {"type": 2},
            "notes": [{"id": f"{event}n", "step": step, "octave": 4}],
        },
    }


def _insert(at: int, *ids: str) -> Any:
    return {"op": "insert_measures", "at": at, "measures": [{"id": i} for i in ids]}


def test_inserting_measures_before_a_measure_range_shifts_its_numbers() -> None:
    doc = _doc()
    anchor = bind({"kind": "measures", "first": "m3", "last": "m4"}, doc)
    assert locate(anchor, doc) == {"state": "attached", "measure": "m3", "first": 3, "last": 4}
    apply_op(doc, _insert(0, "x1", "x2"))
    assert locate(anchor, doc) == {"state": "attached", "measure": "m3", "first": 5, "last": 6}
    # Measures inserted after the range leave it alone.
    apply_op(doc, _insert(8, "x3"))
    assert locate(anchor, doc)["first"] == 5
    assert anchor["was"] == {"first": 3, "last": 4}  # where it was written stays readable


def test_removing_measures_before_a_range_shifts_it_back_and_inside_shrinks_it() -> None:
    doc = _doc()
    anchor = bind({"kind": "measures", "first": "m3", "last": "m5", "part": "p2"}, doc)
    apply_op(doc, {"op": "remove_measures", "ids": ["m1"]})
    assert locate(anchor, doc) == {
        "state": "attached", "part": "p2", "measure": "m3", "first": 2, "last": 4,
    }  # fmt: skip
    apply_op(doc, {"op": "remove_measures", "ids": ["m3"]})  # its first measure
    assert locate(anchor, doc) == {
        "state": "attached", "part": "p2", "measure": "m4", "first": 2, "last": 3,
    }  # fmt: skip


def test_a_range_whose_every_measure_is_removed_is_detached_and_kept() -> None:
    doc = _doc()
    anchor = bind({"kind": "measures", "first": "m4", "last": "m3"}, doc)  # either order
    assert anchor["measures"] == ["m3", "m4"]
    result = apply_edit(doc, [{"op": "remove_measures", "ids": ["m3", "m4"]}])
    assert locate(anchor, doc) == {"state": "detached"}
    invert(doc, result.inverse)  # undo brings the measures back: attached again
    assert locate(anchor, doc)["state"] == "attached"


def test_an_event_anchor_follows_a_repitched_note() -> None:
    doc = _doc()
    anchor = bind({"kind": "event", "event": "e1"}, doc)
    apply_op(doc, {"op": "set_pitch", "note": "e1n", "step": "A", "alter": -1, "octave": 5})
    apply_op(doc, {"op": "transpose", "notes": ["e1n"], "diatonic": -1, "chromatic": -2})
    assert locate(anchor, doc) == {
        "state": "attached", "part": "p1", "measure": "m3", "event": "e1", "first": 3, "last": 3,
    }  # fmt: skip


def test_an_event_anchor_follows_its_event_moved_to_another_measure() -> None:
    doc = _doc()
    anchor = bind({"kind": "event", "event": "e0", "note": "e0n"}, doc)
    voice = doc["parts"][0]["bars"]["m3"]["voices"]["1"]
    moved = [e for e in voice if e["id"] == "e0"][0]
    half_rest = {"id": "r-left", "dur": {"type": 2}, "notes": []}
    # One edit: the same event (same IDs) taken out of m3 and laid into m5.
    apply_edit(
        doc,
        [
            {"op": "set_voice", "part": "p1", "measure": "m3", "voice": "1",
             "events": [half_rest if e is moved else e for e in voice]},
            {"op": "set_voice", "part": "p1", "measure": "m5", "voice": "1",
             "events": [{"id": "r-m5", "dur": {"type": 2}, "notes": []}, moved]},
        ],
    )  # fmt: skip
    assert locate(anchor, doc) == {
        "state": "attached", "part": "p1", "measure": "m5", "event": "e0", "note": "e0n",
        "first": 5, "last": 5,
    }  # fmt: skip
    apply_op(doc, _insert(0, "x1"))
    assert locate(anchor, doc)["first"] == 6


def test_deleting_the_anchored_note_detaches_its_comment() -> None:
    doc = _doc()
    anchor = bind({"kind": "event", "event": "e2"}, doc)
    result = apply_edit(doc, [{"op": "delete_event", "event": "e2"}])
    # The event is a rest now (same ID): the note the comment was about is gone.
    assert find_event(doc, "e2") is not None
    assert locate(anchor, doc) == {"state": "detached"}
    invert(doc, result.inverse)
    assert locate(anchor, doc)["state"] == "attached"


def test_overwriting_or_removing_the_measure_of_an_anchored_note_detaches_it() -> None:
    doc = _doc()
    on_note = bind({"kind": "event", "event": "e0"}, doc)
    on_other = bind({"kind": "event", "event": "e2"}, doc)
    apply_op(doc, _write("m3", "new", "D"))  # written over e0
    apply_op(doc, {"op": "remove_measures", "ids": ["m4"]})
    assert locate(on_note, doc) == {"state": "detached"}
    assert locate(on_other, doc) == {"state": "detached"}


def test_one_note_of_a_chord_detaches_when_that_note_is_removed() -> None:
    doc = _doc()
    apply_op(
        doc, {"op": "add_note", "event": "e0", "note": {"id": "top", "step": "G", "octave": 4}}
    )
    on_top = bind({"kind": "event", "event": "e0", "note": "top"}, doc)
    on_chord = bind({"kind": "event", "event": "e0"}, doc)
    apply_op(doc, {"op": "remove_note", "note": "top"})
    assert locate(on_top, doc) == {"state": "detached"}
    assert locate(on_chord, doc)["state"] == "attached"


def test_a_part_anchor_detaches_when_the_part_is_removed() -> None:
    doc = _doc()
    anchor = bind({"kind": "part", "part": "p2"}, doc)
    ranged = bind({"kind": "measures", "first": "m1", "part": "p2"}, doc)
    assert locate(anchor, doc) == {"state": "attached", "part": "p2"}
    apply_op(doc, {"op": "remove_part", "part": "p2"})
    assert locate(anchor, doc) == {"state": "detached"}
    assert locate(ranged, doc) == {"state": "detached"}


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "m1",
        {"kind": "bar"},
        {"kind": "event"},
        {"kind": "event", "event": "x" * 65},
        {"kind": "event", "event": "a;b"},
        {"kind": "event", "event": "e0", "note": 3},
        {"kind": "measures", "first": ["m1"]},
        {"kind": "part", "part": "p1\n"},
    ],
)
def test_malformed_anchors_are_refused(raw: Any) -> None:
    with pytest.raises(AnchorError) as caught:
        parse_anchor(raw)
    assert caught.value.code == "bad_request"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ({"kind": "event", "event": "nope"}, "anchor_not_found"),
        ({"kind": "event", "event": "e0", "note": "e2n"}, "anchor_not_found"),
        ({"kind": "event", "event": "m1.p1.r0"}, "bad_request"),  # a rest: use the measure
        ({"kind": "measures", "first": "m1", "last": "m99"}, "anchor_not_found"),
        ({"kind": "measures", "first": "m1", "part": "p9"}, "anchor_not_found"),
        ({"kind": "part", "part": "p9"}, "anchor_not_found"),
    ],
)
def test_anchors_naming_nothing_in_the_score_are_refused(raw: Any, code: str) -> None:
    doc = _doc()
    with pytest.raises(AnchorError) as caught:
        bind(raw, doc)
    assert caught.value.code == code


def test_the_shared_js_vectors_are_what_the_python_reference_computes() -> None:
    """``tests/vectors/comment_anchors.json`` (replayed by the JS mirror) is up to date."""
    from tests.vectors.comment_anchors import PATH, build

    assert json.loads(PATH.read_text()) == json.loads(json.dumps(build()))


def test_a_new_duration_keeps_the_comment_and_a_bar_cut_short_detaches_it() -> None:
    doc = _doc()
    anchor = bind({"kind": "event", "event": "e1"}, doc)  # the second half of m3
    apply_op(doc, {"op": "set_duration", "event": "e1", "dur": {"type": 4}})
    assert locate(anchor, doc)["state"] == "attached"
    result = apply_edit(doc, [{"op": "set_time", "measure": "m3", "time": [2, 4]}])
    assert find_event(doc, "e1") is None and locate(anchor, doc) == {"state": "detached"}
    invert(doc, result.inverse)
    assert locate(anchor, doc)["state"] == "attached"
