"""Examples of each op's meaning, as a musician would expect it, and of refusals."""

from __future__ import annotations

from typing import Any

import pytest

from server.score import (
    InvalidOp,
    MissingTarget,
    apply_edit,
    check_invariants,
    clone,
    find_note,
    new_document,
)
from server.score.model import Doc


def voice(doc: Doc, measure: str = "m1", part: int = 0, v: str = "1") -> list[Any]:
    events = doc["parts"][part]["bars"][measure]["voices"][v]
    return [(e["dur"], [n["step"] + str(n["octave"]) for n in e["notes"]]) for e in events]


def note(eid: str, nid: str, step: str = "C", octave: int = 4, **dur: Any) -> dict[str, Any]:
    return {
        "id": eid,
        "dur": dur or {"type": 4},
        "notes": [{"id": nid, "step": step, "alter": 0, "octave": octave}],
    }


def write(doc: Doc, offset: str, event: dict[str, Any], measure: str = "m1") -> None:
    op = {"op": "write_event", "part": "p1", "measure": measure, "offset": offset, "event": event}
    apply_edit(doc, [op])


def test_a_note_overwrites_the_rest_it_lands_on_and_rests_align_to_the_beat() -> None:
    doc = new_document()
    write(doc, "1/4", note("e1", "n1", dots=1, type=4))
    assert voice(doc) == [
        ({"type": 4}, []),
        ({"type": 4, "dots": 1}, ["C4"]),
        ({"type": 8}, []),
        ({"type": 4}, []),
    ]
    assert check_invariants(doc) == []


def test_a_longer_note_overwrites_following_notes_and_refills_their_tail() -> None:
    doc = new_document()
    write(doc, "0", note("e1", "n1"))
    write(doc, "1/4", note("e2", "n2", "D"))
    write(doc, "1/8", note("e3", "n3", "E", type=4))  # covers end of e1 and start of e2
    assert voice(doc) == [
        ({"type": 8}, []),
        ({"type": 4}, ["E4"]),
        ({"type": 8}, []),
        ({"type": 2}, []),
    ]


def test_triplets_keep_the_measure_exact() -> None:
    doc = new_document()
    for k, step in enumerate("CDE"):
        triplet = {"type": 8, "tuplet": [3, 2]}
        write(doc, f"{k}/12", note(f"t{k}", f"tn{k}", step, **triplet))
    assert [d for d, _ in voice(doc)][:3] == [{"type": 8, "tuplet": [3, 2]}] * 3
    assert check_invariants(doc) == []


def test_set_duration_shorter_leaves_rests_and_longer_eats_the_next_event() -> None:
    doc = new_document()
    write(doc, "0", note("e1", "n1", type=2))
    apply_edit(doc, [{"op": "set_duration", "event": "e1", "dur": {"type": 4}}])
    assert voice(doc)[:2] == [({"type": 4}, ["C4"]), ({"type": 4}, [])]
    apply_edit(doc, [{"op": "set_duration", "event": "e1", "dur": {"type": 1}}])
    assert voice(doc) == [({"type": 1}, ["C4"])]


def test_chords_stay_sorted_and_refuse_duplicate_pitches() -> None:
    doc = new_document()
    write(doc, "0", note("e1", "n1", "G"))
    apply_edit(
        doc, [{"op": "add_note", "event": "e1", "note": {"id": "n2", "step": "C", "octave": 4}}]
    )
    assert voice(doc)[0][1] == ["C4", "G4"]
    with pytest.raises(InvalidOp, match="already in the chord"):
        apply_edit(doc, [{"op": "set_pitch", "note": "n2", "step": "G", "octave": 4}])


def test_transpose_respells_by_interval() -> None:
    doc = new_document()
    write(doc, "0", note("e1", "n1", "B", 3))
    apply_edit(doc, [{"op": "transpose", "notes": ["n1"], "diatonic": 1, "chromatic": 2}])
    found = find_note(doc, "n1")
    assert found is not None
    assert {k: found[1][k] for k in ("step", "alter", "octave")} == {
        "step": "C",
        "alter": 1,
        "octave": 4,
    }


def test_time_signature_change_refits_bars_and_its_inverse_restores_them() -> None:
    doc = new_document(measures=2)
    write(doc, "3/4", note("e1", "n1"))
    before = clone(doc)
    result = apply_edit(doc, [{"op": "set_time", "measure": "m1", "time": [3, 4]}])
    assert [d for d, _ in voice(doc)] == [{"type": 2}, {"type": 4}]
    assert check_invariants(doc) == []
    apply_edit(doc, result.inverse)
    assert doc == before


def test_removing_a_time_change_measure_keeps_later_measures_as_they_were() -> None:
    doc = new_document(measures=3)
    apply_edit(doc, [{"op": "set_time", "measure": "m2", "time": [3, 4]}])
    apply_edit(doc, [{"op": "remove_measures", "ids": ["m2"]}])
    assert doc["measures"][1]["time"] == [3, 4]  # m3 pinned, not silently back to 4/4
    assert check_invariants(doc) == []


def test_a_refused_edit_changes_nothing_even_after_earlier_ops_applied() -> None:
    doc = new_document()
    before = clone(doc)
    bad = [
        {
            "op": "write_event",
            "part": "p1",
            "measure": "m1",
            "offset": "0",
            "event": note("a", "b"),
        },
        {"op": "set_key", "measure": "m1", "key": 12},
    ]
    with pytest.raises(InvalidOp) as info:
        apply_edit(doc, bad)
    assert info.value.op_index == 1
    assert "key" in info.value.message
    assert doc == before


def test_an_op_on_a_vanished_note_is_a_recorded_no_op() -> None:
    doc = new_document()
    result = apply_edit(
        doc,
        [
            {"op": "set_pitch", "note": "gone", "step": "D", "octave": 4},
            {"op": "set_meta", "title": "Kept"},
        ],
    )
    assert result.skipped == [
        {"index": 0, "code": "missing_target", "message": "note gone no longer exists"}
    ]
    assert doc["title"] == "Kept"


@pytest.mark.parametrize(
    "op, message",
    [
        ({"op": "nope"}, "unknown op"),
        ({"op": "set_tempo", "measure": "m1", "tempo": 1000}, "tempo"),
        ({"op": "set_time", "measure": "m1", "time": None}, "first measure"),
        ({"op": "write_event", "part": "p1", "measure": "m1", "offset": "1", "event": {}}, "event"),
        ({"op": "remove_part", "part": "p1"}, "at least one part"),
        ({"op": "set_lyric", "event": "m1.p1.r0", "text": "la"}, "not on rests"),
        (
            {"op": "set_dynamic", "part": "p1", "measure": "m1", "offset": "0", "mark": "loud"},
            "mark",
        ),
    ],
)
def test_invalid_ops_are_refused_with_a_clear_message(op: dict[str, Any], message: str) -> None:
    doc = new_document()
    with pytest.raises(InvalidOp, match=message):
        apply_edit(doc, [op])


def test_missing_targets_raise_missing_target_from_apply_op() -> None:
    from server.score import apply_op

    with pytest.raises(MissingTarget):
        apply_op(new_document(), {"op": "delete_event", "event": "nope"})


def test_inserted_measures_are_filled_for_the_time_in_force_at_each() -> None:
    """Fillers follow the time carried along the insert: the measure before, a new
    measure's own time, and (at 0) the old first measure's."""
    doc = new_document(measures=2, parts=[{"name": "A"}, {"name": "B"}])
    apply_edit(doc, [{"op": "set_time", "measure": "m2", "time": [3, 4]}])
    apply_edit(doc, [{"op": "insert_measures", "at": 2, "measures": [
        {"id": "x1"}, {"id": "x2", "time": [6, 8]}, {"id": "x3"},
    ]}])  # fmt: skip
    apply_edit(doc, [{"op": "insert_measures", "at": 0, "measures": [{"id": "y1"}]}])
    expected = {"y1": [4, 4], "x1": [3, 4], "x2": [6, 8], "x3": [6, 8]}
    for part in doc["parts"]:
        for mid, time in expected.items():
            events = part["bars"][mid]["voices"]["1"]
            fresh = new_document(measures=1, time=time)["parts"][0]["bars"]["m1"]["voices"]["1"]
            assert [e["dur"] for e in events] == [e["dur"] for e in fresh], (mid, time)
            assert events[0]["id"] == f"{mid}.{part['id']}.r0"
    assert check_invariants(doc) == []
