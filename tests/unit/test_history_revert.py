"""Selective revert and restore: only what nobody changed since is put back, nothing else moves."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from server.history.blame import blame
from server.history.facts import diff_facts, facts
from server.history.revert import plan_restore, plan_revert
from server.history.selectors import by_author, by_origin
from server.score import InvalidOp, apply_edit, clone, new_document
from tests.unit.history_strategies import AUTHORS, Log, commit, history_settings, random_log, seeds

ANA, BEN = (1, "Ana"), (2, "Ben")


def _apply(doc: dict[str, object], ops: list[dict[str, object]]) -> dict[str, object]:
    out = clone(doc)
    if ops:
        apply_edit(out, ops)
    return out


def _touches(log: Log, seq: int) -> dict[tuple[object, ...], tuple[object, object]]:
    return diff_facts(facts(log.docs[seq - 1]), facts(log.docs[seq]))


def _op_befores(log: Log, seq: int) -> dict[tuple[object, ...], list[object]]:
    """Each key's value before each op of edit ``seq`` (an edit undone op by op passes them)."""
    doc = clone(log.docs[seq - 1])
    out: dict[tuple[object, ...], list[object]] = {}
    for op in log.edits[seq - 1].ops:
        before = facts(doc)
        try:
            apply_edit(doc, [op])
        except InvalidOp:
            continue
        for key, (old, _) in diff_facts(before, facts(doc)).items():
            out.setdefault(key, []).append(old)
    return out


def _runs(
    log: Log,
    targets: set[int],
    key: tuple[object, ...],
    seqs: list[int],
    changed_by: dict[int, dict[tuple[object, ...], tuple[object, object]]],
) -> dict[int, int | None]:
    """Per edit touching ``key``: None for another person's change, else the first target of
    the run of targets it continues. A restore of version v that put back the value of a
    target (the last touch up to v) continues that target's run."""
    run: dict[int, int | None] = {}
    for i, s in enumerate(seqs):
        if s in targets:
            previous = run[seqs[i - 1]] if i else None
            run[s] = previous if previous is not None else s
            continue
        edit = log.edits[s - 1]
        version = edit.meta.get("version") if edit.origin == "restore" else None
        source = None
        if isinstance(version, int):
            source = max((p for p in seqs[:i] if p <= version), default=None)
        same = source is not None and changed_by[source][key][1] == changed_by[s][key][1]
        run[s] = run[source] if same and source is not None else None
    return run


def _check_revert(log: Log, targets: set[int]) -> None:
    plan = plan_revert(log.now, log.edits, targets)
    result = _apply(log.now, plan.ops)
    now, after = facts(log.now), facts(result)
    changed_by = {seq: _touches(log, seq) for seq in range(1, len(log.edits) + 1)}
    oldest = min(targets)
    op_befores = {t: _op_befores(log, t) for t in targets}
    free_values: dict[tuple[object, ...], list[object]] = {}
    for key in set().union(*(changed_by[t] for t in targets)):
        seqs = [s for s in range(oldest, len(log.edits) + 1) if key in changed_by[s]]
        run = _runs(log, targets, key, seqs, changed_by)
        last_other = max((s for s in seqs if run[s] is None), default=0)
        free = [s for s in seqs if s > last_other]
        free_values[key] = [changed_by[s][key][0] for s in free if s in targets]
        for s in free:
            free_values[key] += op_befores[s].get(key, []) if s in targets else []
        if not free:
            # Every reverted change to this key was built upon: it is left as it is (a
            # chord only loses the reverted edits' notes nobody changed since).
            thinned = key[0] == "event" and key[2] == "notes"
            assert after.get(key) == now.get(key) or (
                thinned and _fewer(now.get(key), after.get(key))
            ), key
            assert key in plan.kept
            continue
        first = run[free[0]]
        assert first is not None
        free_values[key].append(changed_by[first][key][0])
        if key not in plan.unrestored:
            # Nobody touched it after the reverted edit(s), or a restore only put their
            # value back: it is back to its value before them.
            assert after.get(key) == changed_by[first][key][0], key
    # Nothing else moved: a changed key holds the value from before one of the reverted
    # edits (or ops) that nobody built on; or an event that must stay lost the notes the
    # reverted edits wrote and nobody changed since (each removed note's own keys are
    # checked here too: they may only go if nobody built on them).
    for key, (old, value) in diff_facts(now, after).items():
        if key[-1] == "after" and old is not None and value is not None:
            continue  # a neighbour measure or part was put back or removed: its order moved
        thinned = (
            key[0] == "event"
            and key[2] == "notes"
            and any(_fewer(v, value) for v in [old, *free_values.get(key, [])])
        )
        assert value in free_values.get(key, []) or thinned, key


def _fewer(old: object, value: object) -> bool:
    """``value`` is ``old`` with some notes left out, in the same order."""
    if not isinstance(old, tuple) or not isinstance(value, tuple) or len(value) >= len(old):
        return False
    rest = iter(old)
    return all(any(n == m for m in rest) for n in value)


@history_settings
@given(seed=seeds, steps=st.integers(1, 25), pick=st.integers(0, 10**6))
def test_revert_one_edit_restores_exactly_the_untouched_keys(
    seed: int, steps: int, pick: int
) -> None:
    log = random_log(seed, steps)
    if log.edits:
        _check_revert(log, {log.edits[pick % len(log.edits)].seq})


@history_settings
@given(seed=seeds, steps=st.integers(1, 25))
def test_revert_all_edits_of_one_author(seed: int, steps: int) -> None:
    log = random_log(seed, steps)
    author = random.Random(seed).choice(AUTHORS)
    targets = set(by_author(log.edits, author[0])) or set(by_origin(log.edits, "helper"))
    if targets:
        _check_revert(log, targets)


@history_settings
@given(seed=seeds, steps=st.integers(1, 25))
def test_reverting_the_last_edit_is_an_exact_undo(seed: int, steps: int) -> None:
    log = random_log(seed, steps)
    if log.edits:
        plan = plan_revert(log.now, log.edits, [log.edits[-1].seq])
        assert _apply(log.now, plan.ops) == log.docs[-2]
        assert plan.unrestored == [] and plan.kept == []


@history_settings
@given(seed=seeds, steps=st.integers(1, 25), pick=st.integers(0, 10**6))
def test_restore_version_n_equals_the_replay_up_to_n(seed: int, steps: int, pick: int) -> None:
    log = random_log(seed, steps)
    version = pick % len(log.docs)
    ops = plan_restore(log.now, log.docs[version])
    assert _apply(log.now, ops) == log.docs[version]


def _chorale() -> Log:
    initial = new_document(
        parts=[{"name": "Soprano"}, {"name": "Bass", "clef": "bass"}], measures=4
    )
    return Log(initial, [], [clone(initial)])


def _write(note_id: str, step: str, measure: str, offset: str = "0") -> dict[str, object]:
    notes = [{"id": note_id, "step": step, "octave": 4}]
    event = {"id": f"e{note_id}", "dur": {"type": 4}, "notes": notes}
    return {"op": "write_event", "part": "p1", "measure": measure, "offset": offset, "event": event}


def test_a_later_change_is_kept_and_the_user_is_told() -> None:
    log = _chorale()
    commit(log, [_write("n1", "E", "m3"), _write("n2", "G", "m3", "1/4")], ANA)
    commit(log, [{"op": "set_pitch", "note": "n1", "step": "F", "octave": 4}], ANA)
    commit(log, [{"op": "set_tie", "note": "n1", "tie": True}], ANA)
    commit(log, [{"op": "set_pitch", "note": "n1", "step": "A", "octave": 4}], BEN)
    plan = plan_revert(log.now, log.edits, [2, 3])
    assert plan.conflicts == ["m. 3, Soprano: the pitch of A4 was changed later by Ben; kept"]
    result = _apply(log.now, plan.ops)
    # The tie (edit 3) is undone; the pitch stays Ben's.
    assert plan.ops == [{"op": "set_tie", "note": "n1", "tie": False}]
    assert plan.reverted == [3]
    note = result["parts"][0]["bars"]["m3"]["voices"]["1"][0]["notes"][0]
    assert (note["step"], note.get("tie")) == ("A", None)


def test_reverting_a_write_removes_notes_nobody_touched_and_keeps_the_rest() -> None:
    log = _chorale()
    commit(log, [_write("n1", "E", "m3"), _write("n5", "C", "m1")], ANA)
    commit(log, [_write("n2", "G", "m3", "1/2")], BEN)
    plan = plan_revert(log.now, log.edits, [1])
    result = _apply(log.now, plan.ops)
    assert plan.reverted == [1]
    voice = result["parts"][0]["bars"]["m3"]["voices"]["1"]
    notes = [n["id"] for e in voice for n in e["notes"]]
    # Ana's E4 is gone (its rhythm slot was reshaped by Ben, so it stays as a rest); Ben's G4 stays.
    assert notes == ["n2"]
    assert all(not e["notes"] for e in result["parts"][0]["bars"]["m1"]["voices"]["1"])
    assert result["parts"][0]["bars"]["m1"] == log.initial["parts"][0]["bars"]["m1"]


def test_reverting_a_deletion_restores_the_note_when_its_place_is_free() -> None:
    log = _chorale()
    commit(log, [_write("n1", "E", "m3")], ANA)
    commit(log, [{"op": "delete_event", "event": "en1"}], BEN)
    commit(log, [_write("n2", "G", "m2")], ANA)
    plan = plan_revert(log.now, log.edits, [2])
    result = _apply(log.now, plan.ops)
    assert plan.conflicts == []
    assert result == log.docs[1] | {"parts": result["parts"]}
    assert result["parts"][0]["bars"]["m3"] == log.docs[1]["parts"][0]["bars"]["m3"]
    assert result["parts"][0]["bars"]["m2"] == log.now["parts"][0]["bars"]["m2"]


def test_reverting_helper_edits_keeps_what_people_changed() -> None:
    log = _chorale()
    helper = {"suggestion_id": 1, "accepted_by": "Ana"}
    commit(
        log, [_write("n1", "E", "m1"), _write("n2", "D", "m2")], ANA, origin="helper", meta=helper
    )
    commit(log, [{"op": "set_pitch", "note": "n2", "step": "B", "octave": 3}], BEN)
    plan = plan_revert(log.now, log.edits, by_origin(log.edits, "helper"))
    result = _apply(log.now, plan.ops)
    ids = [
        n["id"]
        for b in result["parts"][0]["bars"].values()
        for e in b["voices"]["1"]
        for n in e["notes"]
    ]
    assert ids == ["n2"]
    assert plan.conflicts == ["m. 2, Soprano: the pitch of B3 was changed later by Ben; kept"]


def test_reverting_a_tweaked_helper_chord_removes_only_its_untouched_notes() -> None:
    log = _chorale()
    helper = {"suggestion_id": 1, "accepted_by": "Ana"}
    chord = [{"id": f"h{i}", "step": s, "octave": 4} for i, s in enumerate("CEG")]
    event = {"id": "he1", "dur": {"type": 4}, "notes": chord}
    write = {"op": "write_event", "part": "p1", "measure": "m1", "offset": "0", "event": event}
    commit(log, [write], ANA, origin="helper", meta=helper)
    # Ben moves the E up an octave: the chord reorders (C4 G4 E5), so its notes list changed too.
    assert commit(log, [{"op": "set_pitch", "note": "h1", "step": "E", "octave": 5}], BEN)
    plan = plan_revert(log.now, log.edits, [1])
    result = _apply(log.now, plan.ops)
    [kept] = [e for e in result["parts"][0]["bars"]["m1"]["voices"]["1"] if e["notes"]]
    assert kept["id"] == "he1" and kept["notes"] == [
        {"id": "h1", "step": "E", "alter": 0, "octave": 5}
    ]
    assert plan.reverted == [1]
    assert plan.conflicts == ["m. 1, Soprano: the pitch of E5 was changed later by Ben; kept"]
    # Blamed: the one note left is the helper's, changed by Ben; no untouched helper note.
    commit(log, plan.ops, BEN, origin="revert", meta={"reverts": [1]})
    notes = [e for e in blame(log.initial, log.edits).of_kind("note")]
    assert [(n.id, n.via_helper, n.last.author_name) for n in notes] == [("h1", True, "Ben")]


def test_reverting_a_helper_chord_whose_length_someone_changed_keeps_it() -> None:
    log = _chorale()
    helper = {"suggestion_id": 1, "accepted_by": "Ana"}
    chord = [{"id": f"h{i}", "step": s, "octave": 4} for i, s in enumerate("CEG")]
    event = {"id": "he1", "dur": {"type": 4}, "notes": chord}
    write = {"op": "write_event", "part": "p1", "measure": "m1", "offset": "0", "event": event}
    commit(log, [write], ANA, origin="helper", meta=helper)
    assert commit(log, [{"op": "set_duration", "event": "he1", "dur": {"type": 2}}], BEN)
    plan = plan_revert(log.now, log.edits, [1])
    result = _apply(log.now, plan.ops)
    [kept] = [e for e in result["parts"][0]["bars"]["m1"]["voices"]["1"] if e["notes"]]
    # Every note's length is Ben's now: blame says he changed them, so they stay.
    assert [n["id"] for n in kept["notes"]] == ["h0", "h1", "h2"]
    assert kept["dur"] == {"type": 2}
    assert plan.conflicts and all("Ben" in c for c in plan.conflicts)


def test_reverting_one_edit_of_a_chord_others_changed_removes_only_its_own_notes() -> None:
    log = _chorale()
    commit(log, [_write("n1", "C", "m1")], ANA)
    commit(
        log,
        [{"op": "add_note", "event": "en1", "note": {"id": "n2", "step": "E", "octave": 4}}],
        BEN,
    )
    commit(
        log,
        [{"op": "add_note", "event": "en1", "note": {"id": "n3", "step": "G", "octave": 4}}],
        ANA,
    )
    commit(log, [{"op": "set_tie", "note": "n1", "tie": True}], ANA)
    plan = plan_revert(log.now, log.edits, [2])  # Ben's E only
    result = _apply(log.now, plan.ops)
    [event] = [e for e in result["parts"][0]["bars"]["m1"]["voices"]["1"] if e["notes"]]
    assert [n["id"] for n in event["notes"]] == ["n1", "n3"] and plan.reverted == [2]


def test_nothing_to_revert() -> None:
    log = _chorale()
    commit(log, [_write("n1", "E", "m1")], ANA)
    assert plan_revert(log.now, log.edits, [99]).empty
    assert plan_restore(log.now, log.now) == []


def test_reverting_twice_says_it_was_already_reverted() -> None:
    log = _chorale()
    commit(log, [_write("n1", "E", "m3")], ANA)
    commit(log, [{"op": "set_pitch", "note": "n1", "step": "G", "octave": 4}], BEN)
    first = plan_revert(log.now, log.edits, [2])
    assert first.conflicts == [] and first.reverted == [2]
    commit(log, first.ops, ANA, origin="revert", meta={"reverts": [2]})
    again = plan_revert(log.now, log.edits, [2])
    assert again.ops == []
    assert again.conflicts == ["m. 3, Soprano: the pitch of E4: edit 2 was already reverted"]
    # Reverting the revert redoes Ben's change.
    redo = plan_revert(log.now, log.edits, [3])
    assert _apply(log.now, redo.ops) == log.docs[2]


def test_a_redo_whose_beat_was_written_over_keeps_the_new_note_and_says_why() -> None:
    log = _chorale()
    commit(log, [_write("n1", "C", "m1")], ANA)
    commit(log, [_write("n2", "E", "m1", "1/4")], BEN)
    undo = plan_revert(log.now, log.edits, [1])
    commit(log, undo.ops, ANA, origin="revert", meta={"reverts": undo.reverted})
    commit(log, [_write("n3", "G", "m1")], BEN)  # Ben writes over Ana's undone beat
    redo = plan_revert(log.now, log.edits, [3])
    # Nothing of the undo is left to revert (its event is gone), and Ana hears why.
    assert redo.ops == [] and redo.reverted == []
    assert redo.conflicts == ["what edit 3 changed was removed later by Ben; kept"]
