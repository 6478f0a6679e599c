"""HistoryView: versions, filtered entries, musical diffs, contribution summaries and exports."""

from __future__ import annotations

import csv
import io
import json

from hypothesis import given
from hypothesis import strategies as st

from server.history.blame import blame
from server.history.contributions import helper_provenance
from server.history.diff import musical_diff
from server.history.export import to_csv, to_json
from server.history.view import HistoryView
from server.score import apply_edit, clone, new_document
from tests.unit.history_strategies import Log, commit, history_settings, random_log, seeds

ANA, BEN = (1, "Ana"), (2, "Ben")


@history_settings
@given(seed=seeds, steps=st.integers(1, 30), every=st.integers(1, 8))
def test_doc_at_every_seq_equals_the_replay(seed: int, steps: int, every: int) -> None:
    log = random_log(seed, steps)
    view = HistoryView(log.initial, log.edits, checkpoint_every=every)
    for seq, doc in enumerate(log.docs):
        assert view.doc_at(seq) == doc
    assert view.blame().summary() == blame(log.initial, log.edits).summary()
    assert len(view.rows()) == len(log.edits)
    assert sum(len(e.seqs) for e in view.entries()) == len(log.edits)


@history_settings
@given(seed=seeds, steps=st.integers(1, 30))
def test_diff_between_any_versions_is_consistent(seed: int, steps: int) -> None:
    log = random_log(seed, steps)
    first, last = log.docs[0], log.now
    diff = musical_diff(first, last)
    assert musical_diff(last, last).empty
    back = musical_diff(last, first)
    assert sorted(diff.ids("added")) == sorted(back.ids("removed"))
    assert all(line for line in diff.lines)
    json.dumps(diff.to_json())


def _score() -> Log:
    initial = new_document(parts=[{"name": "Soprano"}, {"name": "Bass"}], measures=4)
    return Log(initial, [], [clone(initial)])


def _write(note_id: str, step: str, measure: str, part: str = "p1") -> list[dict[str, object]]:
    notes = [{"id": note_id, "step": step, "octave": 4}]
    event = {"id": f"e{note_id}", "dur": {"type": 4}, "notes": notes}
    return [{"op": "write_event", "part": part, "measure": measure, "offset": "0", "event": event}]


def _story() -> Log:
    log = _score()
    helper = {"suggestion_id": 3, "accepted_by": "Ana"}
    commit(log, _write("n1", "E", "m1"), ANA)  # 1
    commit(log, _write("n2", "G", "m2"), ANA, gap=2)  # 2
    commit(
        log,
        _write("h1", "C", "m3", "p2") + _write("h2", "D", "m4", "p2"),
        ANA,
        origin="helper",
        meta=helper,
    )
    commit(log, [{"op": "set_pitch", "note": "h1", "step": "B", "octave": 3}], BEN)  # 4
    commit(log, [{"op": "delete_event", "event": "en2"}], BEN)  # 5
    commit(log, [{"op": "set_time", "measure": "m4", "time": [3, 4]}], BEN)  # 6
    return log


def test_entries_filter_by_author_origin_and_measure() -> None:
    log = _story()
    view = HistoryView(log.initial, log.edits)
    assert [e.seqs for e in view.entries()] == [[1, 2], [3], [4, 5, 6]]
    assert [e.seqs for e in view.entries(author_id=2, window=0)] == [[4], [5], [6]]
    assert [e.seqs for e in view.entries(origin="helper")] == [[3]]
    assert view.seqs_touching(["m2"]) == [2, 5]
    assert view.seqs_touching(["m4"], ["p2"]) == [3, 6]
    assert view.seqs_touching(parts=["p1"]) == [1, 2, 5, 6]
    assert view.entries(measures=["m3"])[0].descriptions == [
        "Ana accepted a helper suggestion: wrote a quarter note C4 in m. 3, Bass; "
        "wrote a quarter note D4 in m. 4, Bass"
    ]


def test_musical_diff_names_changes_by_place() -> None:
    log = _story()
    view = HistoryView(log.initial, log.edits)
    diff = view.diff(3)
    assert diff.lines == [
        "m. 4: time signature 4/4 → 3/4",
        "m. 2, Soprano: removed G4",
        "m. 3, Bass: C4: C4 → B3",
    ]
    entry = diff.entries[2]
    assert (entry.id, entry.part, entry.measure, entry.fields) == (
        "h1",
        "p2",
        "m3",
        {"pitch": [("C", 0, 4), ("B", 0, 3)]},
    )
    assert list(diff.by_place()) == [(None, "m4"), ("p1", "m2"), ("p2", "m3")]
    assert view.diff(0, 1).lines == ["m. 1, Soprano: added E4 (quarter)"]


def test_contributions_and_helper_provenance() -> None:
    log = _story()
    view = HistoryView(log.initial, log.edits)
    ana, ben = view.contributions()
    assert (ana.author_name, ana.edits, ana.helper_edits) == ("Ana", 3, 1)
    assert (ana.notes_written, ana.notes_standing) == (4, 3)
    assert (ana.helper_notes_accepted, ana.helper_notes_standing) == (2, 2)
    assert ana.helper_notes_changed_by_people == 1
    assert (ben.edits, ben.notes_written, ben.notes_standing) == (3, 0, 0)
    assert helper_provenance(view.blame()) == {
        "notes_accepted": 2,
        "notes_standing": 2,
        "notes_changed_by_people": 1,
        "accepted_by": {"Ana": 2},
    }


def test_exports_as_csv_and_json() -> None:
    log = _story()
    commit(
        log,
        [{"op": "set_notes", "event": "en2", "notes": []}],
        BEN,
        origin="revert",
        meta={"reverts": [2, 5]},
    )
    view = HistoryView(log.initial, log.edits)
    rows = view.rows()
    parsed = list(csv.DictReader(io.StringIO(to_csv(rows))))
    assert parsed[0]["description"] == "Ana wrote a quarter note E4 in m. 1, Soprano"
    assert parsed[2]["op_count"] == "2" and parsed[2]["origin"] == "helper"
    assert parsed[-1]["reverts"] == "2 5"
    data = json.loads(json.dumps(to_json(rows)))
    assert data[-1]["reverts"] == [2, 5] and data[0]["time"].startswith("2026-01-05T10:00")


def test_revert_and_restore_through_the_view() -> None:
    log = _story()
    view = HistoryView(log.initial, log.edits)
    plan = view.plan_revert([3])
    # Ben's time change reshaped m. 4, so D4 leaves a rest there; Ben's B3 stays.
    assert plan.conflicts == [
        "m. 3, Bass: the pitch of B3 was changed later by Ben; kept",
        "m. 4, Bass: the rhythm of voice 1 was changed later by Ben; kept",
    ]
    after = clone(view.head)
    apply_edit(after, plan.ops)
    bass = after["parts"][1]["bars"]
    assert [n["id"] for b in bass.values() for e in b["voices"]["1"] for n in e["notes"]] == ["h1"]
    ops = view.plan_restore(2)
    assert ops == [{"op": "replace_document", "doc": log.docs[2]}]


@history_settings
@given(seed=seeds, steps=st.integers(2, 30), cut_at=st.integers(0, 10**6))
def test_resume_from_saved_state_equals_a_full_replay(seed: int, steps: int, cut_at: int) -> None:
    log = random_log(seed, steps)
    cut = cut_at % (len(log.edits) + 1)
    early = HistoryView(log.initial, log.edits[:cut], checkpoint_every=4)
    state = json.loads(json.dumps(early.state()))
    resumed = HistoryView.resume(state, log.docs[cut], log.edits, checkpoint_every=4)
    full = HistoryView(log.initial, log.edits)
    assert resumed.head == full.head == log.now
    assert resumed.blame().summary() == full.blame().summary()
    assert resumed.descriptions == full.descriptions and resumed.places == full.places
    assert [e.to_json() for e in resumed.entries()] == [e.to_json() for e in full.entries()]
    # Without the initial document, older versions are rebuilt backwards with the inverses.
    for seq, doc in enumerate(log.docs):
        assert resumed.doc_at(seq) == doc


def test_selectors_by_author_origin_time_and_seq() -> None:
    from datetime import timedelta

    from server.history.selectors import by_author, by_origin, in_seq_range, in_time_range, matching

    edits = _story().edits
    start = edits[0].created_at
    assert by_author(edits, 2) == [4, 5, 6]
    assert by_origin(edits, "helper") == [3]
    assert by_origin(edits, "helper", "human") == [1, 2, 3, 4, 5, 6]
    assert in_time_range(edits, since=start + timedelta(seconds=3)) == [3, 4, 5, 6]
    assert in_time_range(edits, until=start + timedelta(seconds=2)) == [1, 2]
    assert in_seq_range(edits, 2, 4) == [2, 3, 4]
    assert matching(edits, author_id=1, origin="human") == [1, 2]
    assert matching(edits, author_id=2, since=start + timedelta(seconds=13)) == [5, 6]


@history_settings
@given(seed=seeds, steps=st.integers(1, 40), size=st.integers(1, 5))
def test_pages_of_entries_join_up_to_the_whole_history(seed: int, steps: int, size: int) -> None:
    log = random_log(seed, steps)
    view = HistoryView(log.initial, log.edits)
    whole = [e.to_json() for e in view.entries()]
    pages: list[dict[str, object]] = []
    before = None
    while True:
        page = view.entries(limit=size, before_seq=before)
        if not page:
            break
        assert len(page) <= size
        pages = [e.to_json() for e in page] + pages
        before = page[0].first_seq
    assert pages == whole


@history_settings
@given(seed=seeds, steps=st.integers(1, 40), pick=st.integers(0, 10**6), by=st.booleans())
def test_expanding_any_entry_gives_its_single_edits(
    seed: int, steps: int, pick: int, by: bool
) -> None:
    log = random_log(seed, steps)
    view = HistoryView(log.initial, log.edits)
    author = log.edits[pick % len(log.edits)].author_id if by and log.edits else None
    entries = view.entries(author_id=author)
    for entry in entries:
        for seq in entry.seqs:
            single = view.expand(seq, author_id=author)
            assert single is not None
            assert [e.seqs for e in single] == [[s] for s in entry.seqs]
            assert [e.summary for e in single] == entry.descriptions
            assert all(e.author_id == entry.author_id for e in single)
    assert view.expand(len(log.edits) + 1, author_id=author) is None


def test_an_edit_inside_a_merged_group_can_be_expanded_and_reverted_alone() -> None:
    initial = new_document(parts=[{"name": "Soprano"}], measures=4)
    log = Log(initial, [], [clone(initial)])

    def write(note_id: str, measure: str) -> list[dict[str, object]]:
        notes = [{"id": note_id, "step": "C", "octave": 4}]
        event = {"id": f"e{note_id}", "dur": {"type": 4}, "notes": notes}
        place = {"part": "p1", "measure": measure, "offset": "0"}
        return [{"op": "write_event", **place, "event": event}]

    commit(log, write("a1", "m1"), ANA, gap=1)  # 1
    commit(log, write("b1", "m2"), BEN, gap=1)  # 2
    commit(log, write("a2", "m3"), ANA, gap=1)  # 3
    commit(log, write("a3", "m4"), ANA, gap=1)  # 4
    view = HistoryView(log.initial, log.edits)
    # Unfiltered, Ben splits Ana's edits; filtered by Ana, they merge into one entry.
    assert [e.seqs for e in view.entries()] == [[1], [2], [3, 4]]
    assert [e.seqs for e in view.entries(author_id=ANA[0])] == [[1, 3, 4]]
    single = view.expand(3, author_id=ANA[0])
    assert single is not None and [e.seqs for e in single] == [[1], [3], [4]]
    assert single[1].summary == "Ana wrote a quarter note C4 in m. 3, Soprano"
    assert view.expand(2, author_id=ANA[0]) is None  # Ben's edit is not in Ana's history
    plan = view.plan_revert([single[1].seqs[0]])
    assert plan.reverted == [3] and plan.conflicts == []
    after = clone(log.now)
    apply_edit(after, plan.ops)
    bars = after["parts"][0]["bars"].values()
    notes = {n["id"] for b in bars for e in b["voices"]["1"] for n in e["notes"]}
    assert notes == {"a1", "b1", "a3"}
