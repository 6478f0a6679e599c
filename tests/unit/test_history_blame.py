"""Blame and change tracking: the fast per-edit path agrees with brute force on random logs."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from server.history.blame import Blame, blame, brute_force_blame
from server.history.facts import facts
from server.history.tracker import Tracker, op_keys, whole_changes
from server.score import apply_edit, clone, new_document
from tests.unit.history_strategies import Log, Record, commit, history_settings, random_log, seeds

ANA, BEN = (1, "Ana"), (2, "Ben")


@history_settings
@given(seed=seeds, steps=st.integers(1, 40))
def test_scoped_changes_equal_whole_document_diff(seed: int, steps: int) -> None:
    log = random_log(seed, steps)
    doc = clone(log.initial)
    tracker = Tracker(doc)
    for edit in log.edits:
        reference = clone(doc)
        _, step = tracker.apply(doc, edit.ops)
        _, whole = whole_changes(reference, edit.ops)
        assert step.changes == whole, edit.ops
        assert doc == reference


@history_settings
@given(seed=seeds, steps=st.integers(1, 40))
def test_blame_agrees_with_brute_force_recomputation(seed: int, steps: int) -> None:
    log = random_log(seed, steps)
    fast = blame(log.initial, log.edits)
    slow = brute_force_blame(log.initial, log.edits)
    assert fast.summary() == slow.summary()
    # Every blamed element exists now, and every element that exists is blamed.
    from server.history.blame import elements

    assert set(fast.live) == set(elements(facts(log.now)))


@history_settings
@given(seed=seeds, steps=st.integers(2, 40))
def test_checkpoint_then_continue_equals_full_replay(seed: int, steps: int) -> None:
    log = random_log(seed, steps)
    cut = len(log.edits) // 2
    first = blame(log.initial, log.edits[:cut])
    raw = json.loads(json.dumps(first.to_json()))
    doc = clone(log.docs[cut])
    resumed = Blame.from_json(raw, doc)
    for edit in log.edits[cut:]:
        resumed.replay(doc, edit)
    assert resumed.summary() == blame(log.initial, log.edits).summary()
    assert resumed.written == blame(log.initial, log.edits).written


def _log() -> Log:
    initial = new_document(parts=[{"name": "Soprano"}], measures=4)
    return Log(initial, [], [clone(initial)])


def _write(note_id: str, step: str, measure: str = "m3") -> list[dict[str, object]]:
    event = {
        "id": f"e{note_id}",
        "dur": {"type": 4},
        "notes": [{"id": note_id, "step": step, "octave": 4}],
    }
    return [{"op": "write_event", "part": "p1", "measure": measure, "offset": "0", "event": event}]


def test_created_changed_and_helper_provenance() -> None:
    log = _log()
    commit(log, _write("n1", "E"), ANA)
    commit(
        log,
        _write("n2", "G", "m2"),
        BEN,
        origin="helper",
        meta={"accepted_by": "Ben", "suggestion_id": 7},
    )
    commit(log, [{"op": "set_pitch", "note": "n1", "step": "D", "octave": 4}], BEN)
    commit(log, [{"op": "set_lyric", "event": "en1", "verse": 1, "text": "la"}], ANA)
    commit(
        log,
        [
            {
                "op": "set_chord_symbol",
                "part": "p1",
                "measure": "m3",
                "offset": "0",
                "id": "h1",
                "symbol": "C",
            }
        ],
        ANA,
    )
    commit(
        log,
        [{"op": "set_chord_symbol", "part": "p1", "measure": "m3", "offset": "0", "symbol": "G7"}],
        BEN,
    )
    result = blame(log.initial, log.edits)
    n1 = result.get("n1")
    assert n1 is not None and n1.created.author_name == "Ana" and n1.created.seq == 1
    assert (
        n1.changed is not None
        and n1.changed.author_name == "Ben"
        and n1.changed_props == ("pitch",)
    )
    n2 = result.get("n2")
    assert n2 is not None and n2.via_helper and n2.created.accepted_by == "Ben"
    assert n2.created.suggestion_id == 7
    lyric = result.lyric("en1", 1)
    assert lyric is not None and lyric.created.seq == 4 and lyric.changed is None
    h1 = result.get("h1")
    assert h1 is not None and h1.created.author_name == "Ana"
    assert (
        h1.changed is not None
        and h1.changed.author_name == "Ben"
        and h1.changed_props == ("symbol",)
    )
    colours = result.colours()
    assert colours["n1"] == 2 and colours["h1"] == 2 and colours["en1#1"] == 1
    # Rests of the initial snapshot are not blamed; nothing else is either.
    assert set(result.live) == {"n1", "n2", "en1#1", "h1"}


def test_replace_document_keeps_blame_of_unchanged_elements() -> None:
    log = _log()
    commit(log, _write("n1", "E"), ANA)
    commit(log, _write("n2", "G", "m2"), ANA)
    imported = clone(log.now)
    # The import changes n2's pitch and adds a note; n1 is untouched.
    for bar in imported["parts"][0]["bars"].values():
        for event in bar["voices"]["1"]:
            for note in event["notes"]:
                if note["id"] == "n2":
                    note["step"] = "A"
    imported["parts"][0]["bars"]["m4"]["voices"]["1"] = [
        {
            "id": "e9",
            "dur": {"type": 1},
            "notes": [{"id": "n9", "step": "C", "alter": 0, "octave": 5}],
        }
    ]
    assert commit(log, [{"op": "replace_document", "doc": imported}], BEN, origin="import")
    result = blame(log.initial, log.edits)
    n1, n2, n9 = result.get("n1"), result.get("n2"), result.get("n9")
    assert n1 is not None and n1.created.seq == 1 and n1.changed is None
    assert n2 is not None and n2.created.seq == 2 and n2.changed is not None
    assert n2.changed.origin == "import" and n2.changed_props == ("pitch",)
    assert n9 is not None and n9.created.seq == 3 and n9.created.origin == "import"


def test_a_removed_note_restored_unchanged_keeps_its_author() -> None:
    log = _log()
    commit(log, _write("n1", "E"), ANA)
    commit(log, [{"op": "delete_event", "event": "en1"}], BEN)
    restore = [{"op": "replace_document", "doc": clone(log.docs[1])}]
    commit(log, restore, BEN, origin="restore")
    result = blame(log.initial, log.edits)
    n1 = result.get("n1")
    assert n1 is not None and n1.created.author_name == "Ana" and n1.changed is None
    assert result.written == {1: 1}


def test_incremental_apply_with_documents_before_and_after() -> None:
    log = _log()
    commit(log, _write("n1", "E"), ANA)
    commit(log, [{"op": "set_tie", "note": "n1", "tie": True}], BEN)
    incremental = Blame.start(log.initial)
    for k, edit in enumerate(log.edits):
        incremental.apply(edit, log.docs[k], log.docs[k + 1])
    assert incremental.summary() == blame(log.initial, log.edits).summary()
    n1 = incremental.get("n1")
    assert n1 is not None and n1.changed_props == ("tie",)


def test_record_type_is_the_persistence_shape() -> None:
    record = Record(1, 1, "Ana", [{"op": "set_meta", "title": "x"}], [], [])
    doc = new_document()
    apply_edit(doc, record.ops)
    assert record.origin == "human" and record.duplicate is False


def test_touched_keys_of_each_kind_of_op() -> None:
    log = _log()
    commit(log, _write("n1", "E"), ANA)
    doc = log.now
    assert op_keys(doc, {"op": "set_pitch", "note": "n1", "step": "F", "octave": 4}) == {
        ("note", "n1", "pitch")
    }
    assert op_keys(doc, {"op": "set_tie", "note": "n1", "tie": True}) == {("note", "n1", "tie")}
    assert op_keys(doc, {"op": "set_lyric", "event": "en1", "verse": 2, "text": "la"}) == {
        ("event", "en1", "lyric", "2")
    }
    chord = {"op": "add_note", "event": "en1", "note": {"id": "n2", "step": "G", "octave": 4}}
    assert op_keys(doc, chord) == {
        ("event", "en1", "notes"),
        ("note", "n2", "pitch"),
        ("note", "n2", "tie"),
    }
    symbol = {
        "op": "set_chord_symbol",
        "part": "p1",
        "measure": "m3",
        "offset": "1/2",
        "id": "h",
        "symbol": "C",
    }
    assert op_keys(doc, symbol) == {("harmony", "p1", "m3", "1/2")}
    assert op_keys(doc, {"op": "set_key", "measure": "m2", "key": 2}) == {("measure", "m2", "key")}
    assert op_keys(doc, {"op": "set_part", "part": "p1", "name": "Alto"}) == {
        ("part", "p1", "name")
    }
    assert op_keys(doc, {"op": "set_meta", "title": "New"}) == {("meta", "title")}
    duration = op_keys(doc, {"op": "set_duration", "event": "en1", "dur": {"type": 2}})
    assert ("event", "en1", "dur") in duration and ("voice", "p1", "m3", "1") in duration
    insert = op_keys(doc, {"op": "insert_measures", "at": 1, "measures": [{"id": "mx"}]})
    assert {("measure", "mx", "after"), ("measure", "m2", "after")} <= insert
    assert ("voice", "p1", "mx", "1") in insert
    assert not any(k[1] in ("m3", "m4") for k in insert if k[0] == "measure")


@history_settings
@given(seed=seeds, steps=st.integers(1, 40))
def test_a_small_graveyard_keeps_the_same_counts(seed: int, steps: int) -> None:
    from server.history.contributions import contributions, helper_provenance

    log = random_log(seed, steps, replace=False)
    full = blame(log.initial, log.edits)
    doc = clone(log.initial)
    small = Blame.start(doc)
    small.grave_limit = 2
    for edit in log.edits:
        small.replay(doc, edit)
    small = Blame.from_json(json.loads(json.dumps(small.to_json())), doc)
    assert len(small.gone) <= 2
    assert small.summary() == full.summary()
    assert contributions(log.edits, small) == contributions(log.edits, full)
    assert helper_provenance(small) == helper_provenance(full)
