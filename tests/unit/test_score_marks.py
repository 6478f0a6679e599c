"""Articulations and ornaments in the model: ``set_mark``, marks carried by events, their
exact inverses and the invariants that keep them sound."""

from __future__ import annotations

from typing import Any

import pytest

from server.score import InvalidOp, apply_edit, check_invariants, clone, invert, new_document
from server.score.model import MARKS, Doc


def score() -> Doc:
    doc = new_document(measures=1)
    notes = [{"id": "a", "step": "C", "octave": 4}, {"id": "b", "step": "E", "octave": 4}]
    apply_edit(
        doc,
        [{"op": "write_event", "part": "p1", "measure": "m1", "offset": "0",
          "event": {"id": "e1", "dur": {"type": 2}, "notes": notes}}],
    )  # fmt: skip
    return doc


def mark(name: str, value: Any = True, event: str = "e1") -> dict[str, Any]:
    return {"op": "set_mark", "event": event, "mark": name, "value": value}


def event(doc: Doc, eid: str = "e1") -> dict[str, Any]:
    return next(e for e in doc["parts"][0]["bars"]["m1"]["voices"]["1"] if e["id"] == eid)


@pytest.mark.parametrize("name", MARKS)
def test_each_mark_goes_on_and_its_inverse_takes_it_off(name: str) -> None:
    doc = score()
    before = clone(doc)
    value = 2 if name == "tremolo" else True
    result = apply_edit(doc, [mark(name, value)])
    assert event(doc)["marks"] == {name: value}
    assert check_invariants(doc) == []
    invert(doc, result.inverse)
    assert doc == before and "marks" not in event(doc)


def test_two_people_marking_one_chord_both_keep_their_mark() -> None:
    doc = score()
    apply_edit(doc, [mark("staccato")])  # Ana
    apply_edit(doc, [mark("accent")])  # Ben, concurrently, applied after at the server
    assert event(doc)["marks"] == {"accent": True, "staccato": True}
    undo_ana = apply_edit(doc, [mark("tremolo", 3)]).inverse
    apply_edit(doc, [mark("tremolo", 1)])  # a later change of the same property wins
    assert event(doc)["marks"]["tremolo"] == 1
    invert(doc, undo_ana)  # Ana's undo restores the value *she* replaced (absent)
    assert event(doc)["marks"] == {"accent": True, "staccato": True}


def test_making_a_rest_keeps_only_the_fermata_and_undo_brings_back_the_rest() -> None:
    doc = score()
    apply_edit(doc, [mark("fermata"), mark("trill"), mark("tremolo", 2)])
    before = clone(doc)
    result = apply_edit(doc, [{"op": "delete_event", "event": "e1"}])
    assert event(doc) == {
        "id": "e1", "dur": {"type": 2}, "notes": [], "marks": {"fermata": True}
    }  # fmt: skip
    assert check_invariants(doc) == []
    invert(doc, result.inverse)
    assert doc == before


@pytest.mark.parametrize(
    ("op", "message"),
    [
        (mark("accent", True, "e1.b.r0"), "set_mark: accent goes on notes, not on rests"),
        (mark("tremolo", 0), "set_mark: tremolo takes 1..4 strokes"),
        (mark("tremolo", True), "set_mark: tremolo takes 1..4 strokes"),
        (mark("accent", 1), "set_mark: mark accent takes true"),
        (mark("__proto__"), "set_mark: unknown mark '__proto__'"),
    ],
)
def test_refusals_change_nothing(op: dict[str, Any], message: str) -> None:
    doc = score()
    before = clone(doc)
    with pytest.raises(InvalidOp) as caught:
        apply_edit(doc, [mark("staccato"), op])
    assert caught.value.message.startswith(message)
    assert doc == before


def test_whole_bars_carry_marks_and_are_checked() -> None:
    doc = score()
    bar = clone(doc["parts"][0]["bars"]["m1"])
    bar["voices"]["1"][0]["marks"] = {"turn": True, "arpeggio": True}
    apply_edit(doc, [{"op": "set_bar", "part": "p1", "measure": "m1", "bar": bar}])
    assert list(event(doc)["marks"]) == ["arpeggio", "turn"]  # canonical: sorted
    bar["voices"]["1"][-1]["marks"] = {"staccato": True}  # on the filler rest
    with pytest.raises(InvalidOp, match="staccato goes on notes, not on rests"):
        apply_edit(doc, [{"op": "set_bar", "part": "p1", "measure": "m1", "bar": bar}])


def test_invariants_catch_a_stored_mark_that_no_op_could_write() -> None:
    doc = score()
    event(doc)["marks"] = {"tremolo": 9}
    assert check_invariants(doc) == ["event e1: tremolo takes 1..4 strokes"]
    event(doc)["marks"] = {}
    assert check_invariants(doc) == ["event e1: marks must be a non-empty object of mark -> value"]
