"""Attribution that follows content: a restore or revert putting back what someone wrote
credits them again (marked restored, by whom), and "revert all of X" reaches it."""

from __future__ import annotations

import json
import random
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from server.history.blame import INITIAL, Blame, blame, brute_force_blame, elements
from server.history.facts import facts
from server.history.records import Stamp, stamp_of
from server.history.revert import plan_revert
from server.history.selectors import by_author
from server.score import apply_edit, clone, new_document
from tests.unit.history_strategies import (
    AUTHORS,
    Log,
    commit,
    history_settings,
    random_log,
    seeds,
)
from tests.unit.test_history_revert import _check_revert

ANA, BEN, CHLOE = (1, "Ana"), (2, "Ben"), (3, "Chloe")

Summary = dict[str, tuple[Any, ...]]


def reference_blame(log: Log) -> Summary:
    """Blame recomputed from who last wrote each value, version by version: an element a
    restore of version v changes (or brings back) is credited as it was at v, marked
    restored by the restorer; any other change is credited to the edit that made it; an
    element that reappears exactly as it was removed keeps its credit."""
    contents = [elements(facts(doc)) for doc in log.docs]
    credit: list[Summary] = [
        {eid: (kind, INITIAL, None, (), None) for eid, (kind, _) in contents[0].items()}
    ]
    buried: dict[str, tuple[dict[str, Any], tuple[Any, ...]]] = {}
    for k, edit in enumerate(log.edits, 1):
        stamp = stamp_of(edit)
        before, after, now = contents[k - 1], contents[k], {}
        version = edit.meta.get("version") if edit.origin == "restore" else None
        for eid, (kind, props) in after.items():
            previous = before.get(eid)
            if previous is not None and previous[1] == props:
                now[eid] = credit[k - 1][eid]
            elif version is not None:
                now[eid] = (*credit[version][eid][:4], stamp)
            elif previous is None:
                old = buried.get(eid)
                same = old is not None and _without_event(old[0]) == _without_event(props)
                now[eid] = (*old[1][:4], stamp) if same and old else (kind, stamp, None, (), None)
            else:
                changed = tuple(
                    p for p in props if p != "event" and props[p] != previous[1].get(p)
                ) or ("position",)
                now[eid] = (kind, credit[k - 1][eid][1], stamp, changed, None)
        for eid, (_, props) in before.items():
            if eid not in after:
                buried[eid] = (props, credit[k - 1][eid])
        credit.append(now)
    return credit[-1]


def _without_event(props: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if k != "event"}


def _with_restore(seed: int, steps: int, pick: int) -> Log:
    """A random multi-author log ending with a restore of an earlier version by someone."""
    log = random_log(seed, steps)
    version = pick % len(log.docs)
    who = random.Random(pick).choice(AUTHORS)
    ops = [{"op": "replace_document", "doc": clone(log.docs[version])}]
    if log.docs[version] != log.now:
        commit(log, ops, who, origin="restore", meta={"version": version})
    return log


@history_settings
@given(seed=seeds, steps=st.integers(1, 30), pick=st.integers(0, 10**6))
def test_blame_after_a_restore_equals_blame_from_who_last_wrote_each_value(
    seed: int, steps: int, pick: int
) -> None:
    log = _with_restore(seed, steps, pick)
    fast = blame(log.initial, log.edits)
    assert fast.summary() == reference_blame(log)
    assert brute_force_blame(log.initial, log.edits).summary() == fast.summary()


@history_settings
@given(seed=seeds, steps=st.integers(1, 30), pick=st.integers(0, 10**6))
def test_revert_all_of_x_after_a_restore_reaches_x_s_restored_content(
    seed: int, steps: int, pick: int
) -> None:
    log = _with_restore(seed, steps, pick)
    author = random.Random(seed).choice(AUTHORS)
    origins = {e.seq: e.origin for e in log.edits}
    targets = {
        s for s in by_author(log.edits, author[0]) if origins[s] not in ("revert", "restore")
    }
    if not targets:
        return
    _check_revert(log, targets)
    plan = plan_revert(log.now, log.edits, targets)
    result = clone(log.now)
    if plan.ops:
        apply_edit(result, plan.ops)
    before, after = elements(facts(log.now)), elements(facts(result))
    unrestored_ids = {key[1] for key in plan.unrestored}
    for entry in blame(log.initial, log.edits).live.values():
        last = entry.last
        if last.author_id != author[0] or last.origin in ("revert", "restore", "initial"):
            continue
        # Credited to X now (written by X, or restored as X wrote it): the revert takes it
        # away, unless putting it back would disturb later work and the user is told.
        event = before[entry.id][1].get("event") if entry.kind == "note" else None
        if entry.id in unrestored_ids or event in unrestored_ids:
            continue
        assert after.get(entry.id) != before[entry.id], (entry.id, entry.to_json())


@history_settings
@given(seed=seeds, steps=st.integers(1, 30))
def test_undoing_the_last_edit_gives_back_the_blame_from_before_it(seed: int, steps: int) -> None:
    log = random_log(seed, steps)
    if not log.edits:
        return
    last, previous = log.edits[-1].seq, log.docs[-2]
    expected = blame(log.initial, log.edits[:-1]).summary()
    plan = plan_revert(log.now, log.edits, [last])
    if not plan.ops:
        return  # the last edit changed nothing
    assert commit(log, plan.ops, random.Random(seed).choice(AUTHORS), origin="revert",
                  meta={"reverts": [last]})  # fmt: skip
    assert log.now == previous
    undone = blame(log.initial, log.edits)
    # Every element is credited as it was before the undone edit (the undo writes nothing);
    # those the undo changed or brought back are marked as restored by it.
    assert {k: v[:4] for k, v in undone.summary().items()} == {
        k: v[:4] for k, v in expected.items()
    }
    for eid, entry in undone.live.items():
        if entry.restored_by is not None and entry.restored_by.seq == last + 1:
            assert entry.restored_by.origin == "revert"
        else:
            assert entry.restored_by == expected[eid][4]


def _log() -> Log:
    initial = new_document(parts=[{"name": "Soprano"}], measures=4)
    return Log(initial, [], [clone(initial)])


def _write(note_id: str, step: str, measure: str = "m3", offset: str = "0") -> dict[str, Any]:
    event = {
        "id": f"e{note_id}",
        "dur": {"type": 4},
        "notes": [{"id": note_id, "step": step, "octave": 4}],
    }
    return {"op": "write_event", "part": "p1", "measure": measure, "offset": offset, "event": event}


def _pitch(note_id: str, step: str) -> dict[str, Any]:
    return {"op": "set_pitch", "note": note_id, "step": step, "octave": 4}


def _restore(log: Log, version: int, who: tuple[int, str]) -> None:
    ops = [{"op": "replace_document", "doc": clone(log.docs[version])}]
    assert commit(log, ops, who, origin="restore", meta={"version": version})


def _notes(doc: dict[str, Any]) -> dict[str, str]:
    return {
        n["id"]: n["step"]
        for part in doc["parts"]
        for bar in part["bars"].values()
        for voice in bar["voices"].values()
        for e in voice
        for n in e["notes"]
    }


def test_a_restore_credits_the_writer_again_and_says_who_restored() -> None:
    log = _log()
    commit(log, [_write("n1", "E"), _write("n2", "G", "m2")], BEN)  # 1: Ben writes
    commit(log, [_pitch("n1", "F")], BEN)  # 2: Ben changes his E to F
    commit(log, [_pitch("n1", "A"), {"op": "delete_event", "event": "en2"}], ANA)  # 3
    _restore(log, 2, CHLOE)  # 4: Chloe restores version 2
    result = blame(log.initial, log.edits)
    n1, n2 = result.get("n1"), result.get("n2")
    assert n1 is not None and n2 is not None
    assert (n1.created.author_name, n1.changed and n1.changed.author_name) == ("Ben", "Ben")
    assert n1.changed is not None and n1.changed.seq == 2 and n1.changed_props == ("pitch",)
    assert n1.restored_by is not None and n1.restored_by.author_name == "Chloe"
    assert n1.restored_by.seq == 4 and n1.restored_by.origin == "restore"
    assert n2.created.seq == 1 and n2.changed is None
    assert n2.restored_by is not None and n2.restored_by.seq == 4
    assert result.colours() == {"n1": 2, "n2": 2}
    raw = n1.to_json()
    assert raw["restored_by"]["author_name"] == "Chloe"
    # A person changing it afterwards takes the credit, and the restored mark goes.
    commit(log, [_pitch("n1", "B")], CHLOE)
    after = blame(log.initial, log.edits).get("n1")
    assert after is not None and after.changed is not None and after.changed.seq == 5
    assert after.restored_by is None


def test_restoring_an_older_state_of_a_deleted_note_credits_who_wrote_that_state() -> None:
    log = _log()
    commit(log, [_write("n1", "E")], ANA)  # 1
    commit(log, [_pitch("n1", "F")], BEN)  # 2: the note is buried as Ben's F
    commit(log, [{"op": "delete_event", "event": "en1"}], CHLOE)  # 3
    _restore(log, 1, CHLOE)  # 4: Ana's E comes back
    n1 = blame(log.initial, log.edits).get("n1")
    assert n1 is not None and n1.created.author_name == "Ana" and n1.changed is None
    assert n1.restored_by is not None and n1.restored_by.seq == 4


def test_an_undo_of_a_change_credits_the_writer_again() -> None:
    log = _log()
    commit(log, [_write("n1", "E")], ANA)
    commit(log, [_pitch("n1", "G")], BEN)
    plan = plan_revert(log.now, log.edits, [2])
    commit(log, plan.ops, BEN, origin="revert", meta={"reverts": [2]})
    n1 = blame(log.initial, log.edits).get("n1")
    assert n1 is not None and n1.created.author_name == "Ana" and n1.changed is None
    assert n1.restored_by is not None and n1.restored_by.origin == "revert"


def test_a_revert_never_hands_back_the_credit_of_the_state_it_reverts() -> None:
    log = _log()
    commit(log, [_write("n1", "E")], ANA)  # 1: E by Ana
    commit(log, [_pitch("n1", "G")], BEN)  # 2
    commit(log, [_pitch("n1", "E")], BEN)  # 3: Ben types E again
    commit(log, [_pitch("n1", "A")], BEN)  # 4
    plan = plan_revert(log.now, log.edits, [3, 4])  # back to Ben's G, then back to ... G
    commit(log, plan.ops, ANA, origin="revert", meta={"reverts": [3, 4]})
    n1 = blame(log.initial, log.edits).get("n1")
    assert _notes(log.now) == {"n1": "G"}
    assert n1 is not None and n1.changed is not None and n1.changed.seq == 2


def test_restored_credit_survives_a_checkpoint() -> None:
    log = _log()
    commit(log, [_write("n1", "E")], ANA)
    commit(log, [_pitch("n1", "G")], BEN)
    cut = len(log.edits)
    first = blame(log.initial, log.edits)
    resumed = Blame.from_json(json.loads(json.dumps(first.to_json())), clone(log.now))
    _restore(log, 1, BEN)
    doc = clone(log.docs[cut])
    for edit in log.edits[cut:]:
        resumed.replay(doc, edit)
    assert resumed.summary() == blame(log.initial, log.edits).summary()
    n1 = resumed.get("n1")
    assert n1 is not None and n1.changed is None and n1.created.author_name == "Ana"


def test_forgotten_states_are_credited_to_the_restorer() -> None:
    log = _log()
    commit(log, [_write("n1", "E")], ANA)
    commit(log, [_pitch("n1", "G")], BEN)
    commit(log, [_pitch("n1", "A")], BEN)
    _restore(log, 1, CHLOE)
    doc = clone(log.initial)
    small = Blame.start(doc)
    small.past_limit = 1  # only Ben's G is remembered
    for edit in log.edits:
        small.replay(doc, edit)
    n1 = small.get("n1")
    assert n1 is not None and n1.changed is not None and n1.changed.author_name == "Chloe"
    assert n1.restored_by is None and len(small.history) == 1


def test_revert_all_of_ben_reaches_his_notes_after_a_restore() -> None:
    log = _log()
    commit(log, [_write("n1", "E"), _write("n2", "G", "m2")], BEN)  # 1
    commit(log, [_write("n3", "C", "m1")], ANA)  # 2
    commit(log, [_pitch("n1", "A"), {"op": "delete_event", "event": "en2"}], ANA)  # 3
    _restore(log, 2, ANA)  # 4: Ben's notes are back as he wrote them
    plan = plan_revert(log.now, log.edits, by_author(log.edits, BEN[0]))
    assert plan.conflicts == [] and plan.reverted == [1]
    result = clone(log.now)
    apply_edit(result, plan.ops)
    assert _notes(result) == {"n3": "C"}


def test_revert_all_of_ben_reaches_a_note_an_undo_brought_back() -> None:
    log = _log()
    commit(log, [_write("n1", "E")], BEN)  # 1
    commit(log, [_pitch("n1", "A")], ANA)  # 2
    undo = plan_revert(log.now, log.edits, [2])
    commit(log, undo.ops, ANA, origin="revert", meta={"reverts": [2]})  # 3: Ben's E is back
    plan = plan_revert(log.now, log.edits, [1])
    assert plan.conflicts == [] and plan.reverted == [1]
    result = clone(log.now)
    apply_edit(result, plan.ops)
    assert _notes(result) == {}


def test_a_later_change_after_the_restore_is_still_kept() -> None:
    log = _log()
    commit(log, [_write("n1", "E")], BEN)  # 1
    commit(log, [_pitch("n1", "A")], ANA)  # 2
    _restore(log, 1, ANA)  # 3
    commit(log, [{"op": "set_tie", "note": "n1", "tie": True}], ANA)  # 4: Ana builds on it
    plan = plan_revert(log.now, log.edits, [1])
    result = clone(log.now)
    if plan.ops:
        apply_edit(result, plan.ops)
    assert _notes(result) == {"n1": "E"}
    assert any("Ana" in c for c in plan.conflicts)


def test_stamps_round_trip_with_restored_by() -> None:
    stamp = Stamp(3, 3, "Chloe", "restore")
    log = _log()
    commit(log, [_write("n1", "E")], ANA)
    commit(log, [_pitch("n1", "G")], BEN)
    _restore(log, 1, CHLOE)
    raw = blame(log.initial, log.edits).to_json()
    again = Blame.from_json(json.loads(json.dumps(raw)), clone(log.now))
    n1 = again.get("n1")
    assert n1 is not None and n1.restored_by == stamp
    assert n1.past and n1.past[-1].credit.changed is not None


def test_undo_then_redo_credits_the_change_again_and_revert_all_reaches_it() -> None:
    log = _log()
    commit(log, [_write("n1", "E")], ANA)  # 1
    commit(log, [_pitch("n1", "G")], BEN)  # 2
    for target in (2, 3):  # 3: Ben's undo of 2; 4: his redo (a revert of the undo)
        plan = plan_revert(log.now, log.edits, [target])
        commit(log, plan.ops, BEN, origin="revert", meta={"reverts": [target]})
    assert _notes(log.now) == {"n1": "G"}
    n1 = blame(log.initial, log.edits).get("n1")
    assert n1 is not None and n1.changed is not None and n1.changed.seq == 2
    assert n1.restored_by is not None and n1.restored_by.seq == 4
    plan = plan_revert(log.now, log.edits, by_author(log.edits[:2], BEN[0]))
    assert plan.reverted == [2] and plan.conflicts == []
    result = clone(log.now)
    apply_edit(result, plan.ops)
    assert _notes(result) == {"n1": "E"}
