"""Undo and redo as chains of selective reverts (``server.history.undone``): which edits are
undone now, the one-word outcome clients speak from, and undo/redo/undo... over random
logs with the real planner (``plan_revert``)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.editing import EditLog
from server.history.revert import plan_revert
from server.history.undone import OUTCOMES, revert_outcome, undone_by
from server.history_service import HistoryError, HistoryService
from tests.support.records import records
from tests.unit.history_strategies import Log, Record, commit, history_settings, random_log, seeds

ANA = (1, "Ana")


def _record(seq: int, origin: str = "human", reverts: Any = None) -> Record:
    meta = {} if reverts is None else {"reverts": reverts}
    return Record(seq, 1, "Ana", [], [], [], origin=origin, meta=meta)


def test_a_chain_of_undo_redo_undo_decides_each_edit() -> None:
    edits = [
        _record(1),
        _record(2),
        _record(3, "revert", [1]),  # undo 1
        _record(4, "revert", [3]),  # redo: 1 is back
        _record(5, "revert", [4]),  # undo again: 1 is undone by 3 again
        _record(6, "revert", [2]),
        _record(7, "revert", [6]),  # 2 is back
    ]
    assert undone_by(edits) == {1: 3, 4: 5, 6: 7}
    assert undone_by(edits[:4]) == {3: 4}
    assert undone_by(reversed(edits[:3])) == {1: 3}  # any order in, same answer


def test_malformed_or_impossible_reverts_undo_nothing() -> None:
    edits = [
        _record(1),
        _record(2, "revert", "1"),  # not a list
        _record(3, "revert", [3, 9, True]),  # itself, the future, a bool
        _record(4, "human", [1]),  # only revert edits revert
        _record(5, "revert", ["1"]),  # a digit string is a seq (as reverted_seqs reads it)
    ]
    assert undone_by(edits) == {1: 5}


def test_outcomes() -> None:
    assert revert_outcome([4], True, [], []) == "reverted"
    assert revert_outcome([4], True, ["kept"], []) == "partly_reverted"
    assert revert_outcome([4], False, ["edit 4 was already reverted"], [4]) == "already_reverted"
    assert revert_outcome([4], False, ["changed later by Ben"], []) == "kept_by_others"
    assert revert_outcome([4], False, [], []) == "unchanged"
    assert revert_outcome([4, 5], False, [], [4]) == "unchanged"  # one of two still stands
    assert {
        revert_outcome([1], changed, c, a)
        for changed in (True, False)
        for c in ([], ["x"])
        for a in ([], [1])
    } == set(OUTCOMES)


def _revert(log: Log, seq: int) -> int:
    plan = plan_revert(log.now, log.edits, [seq])
    assert plan.ops, f"nothing to revert in edit {seq}"
    assert commit(log, plan.ops, ANA, origin="revert", meta={"reverts": plan.reverted})
    return log.edits[-1].seq


@history_settings
@given(seed=seeds, steps=st.integers(1, 20), rounds=st.integers(1, 4))
def test_undo_redo_undo_alternates_exactly(seed: int, steps: int, rounds: int) -> None:
    """Undo the last edit, redo (revert the undo), undo (revert the redo)...: with nobody
    else writing, each step is exact and ``undone_by`` follows the chain."""
    log = random_log(seed, steps)
    if not log.edits or log.docs[-2] == log.docs[-1]:
        return  # an edit that changed nothing has nothing to undo
    target = log.edits[-1].seq
    before, after = log.docs[-2], log.docs[-1]
    last = target
    for n in range(2 * rounds):
        last = _revert(log, last)
        undone = undone_by(log.edits)
        if n % 2 == 0:  # an undo
            assert log.now == before
            assert target in undone and last not in undone
        else:  # a redo
            assert log.now == after
            assert target not in undone and last not in undone
        report = plan_revert(log.now, log.edits, [log.edits[-2].seq])
        # What the last step undid is reported as already undone.
        assert log.edits[-2].seq in undone and report.ops == []


def test_the_service_finds_only_my_own_edit_by_client_ids_and_reports_undone(
    service: EditLog,
) -> None:
    ana = records(service).users.create_user("ana", "hash", display_name="Ana")
    ben = records(service).users.create_user("ben", "hash", display_name="Ben")
    score = service.create_score(ana, "Song")
    records(service).members.set_member(score, ben, "editor")
    title = [{"op": "set_meta", "title": "One"}]
    service.submit(score, ana, title, client_id="tab", client_seq=1)
    service.submit(score, ben, [{"op": "set_meta", "title": "Two"}], client_id="tab", client_seq=2)
    history = HistoryService.over(service, records(service))
    assert history.seq_of_own_edit(score, ana, "tab", 1) == 1
    for user, client_seq in ((ana, 2), (ben, 1), (ana, 3)):  # not hers, not his, not sent
        with pytest.raises(HistoryError) as missing:
            history.seq_of_own_edit(score, user, "tab", client_seq)
        assert missing.value.code == "not_stored"
    report, edit = history.revert(score, ben, [2], None)
    assert edit is not None and report["outcome"] == "reverted" and report["already_reverted"] == []
    again, none = history.revert(score, ben, [2], None)
    assert none is None and again["outcome"] == "already_reverted"
    assert again["already_reverted"] == [2]
