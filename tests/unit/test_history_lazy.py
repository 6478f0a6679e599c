"""Lazy history: ``EditPages`` behaves as the list of edits it stands for, a view resumed
over pages and lazily loaded snapshots answers exactly like a full replay while reading
only what each query needs, and a ``window`` of the newest edits gives the full view's
descriptions, places and (when complete) page of entries."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from server.history.lazy import EditPages, MissingEdits, Snapshots, count_upto
from server.history.view import HistoryView, IncompleteWindow
from server.score import clone
from tests.unit.history_strategies import (
    AUTHORS,
    Log,
    Record,
    commit,
    history_settings,
    random_log,
    seeds,
    start_doc,
)


class Source:
    """A log's edits served by seq range, counting the edits handed out."""

    def __init__(self, edits: list[Record]) -> None:
        self.edits = edits
        self.served = 0

    def __call__(self, first: int, last: int) -> list[Record]:
        found = self.edits[first - 1 : last]
        self.served += len(found)
        return found


def _entries(view: HistoryView, **query: Any) -> list[dict[str, Any]]:
    return [e.to_json() for e in view.entries(**query)]


def _queries(log: Log, rng: random.Random) -> list[dict[str, Any]]:
    measures = [m["id"] for m in log.now["measures"]]
    parts = [p["id"] for p in log.now["parts"]]
    n = len(log.edits)
    return [
        {},
        {"limit": 1},
        {"limit": rng.randint(1, 6)},
        {"limit": rng.randint(1, 4), "before_seq": rng.randint(1, n + 1)},
        {"author_id": rng.choice(AUTHORS)[0], "limit": 3},
        {"origin": "helper"},
        {"measures": rng.sample(measures, 1), "limit": 2},
        {"parts": rng.sample(parts, 1)},
        {"window": -1.0, "limit": 5},
    ]


@history_settings
@given(
    seed=seeds,
    steps=st.integers(1, 40),
    page=st.integers(1, 7),
    every=st.integers(1, 6),
    cut_at=st.integers(0, 10**6),
)
def test_a_view_resumed_over_pages_answers_like_the_full_replay(
    seed: int, steps: int, page: int, every: int, cut_at: int
) -> None:
    log = random_log(seed, steps)
    assume(log.edits)
    cut = 1 + cut_at % len(log.edits)
    state = json.loads(json.dumps(HistoryView(log.initial, log.edits[:cut]).state()))
    source = Source(log.edits)
    pages = EditPages(source, cut, page=page)
    marks = list(range(0, cut, every))
    loaded: list[int] = []

    def snapshot(seq: int) -> Any:
        loaded.append(seq)
        return clone(log.docs[seq])

    lazy = HistoryView.resume(
        state, log.docs[cut], pages, snapshots=Snapshots(lazy=marks, load=snapshot)
    )
    assert source.served == 0 and loaded == []  # resuming read no edit and no snapshot
    for edit in log.edits[cut:]:
        lazy.append(edit)
    assert source.served == 0
    full = HistoryView(log.initial, log.edits)

    rng = random.Random(seed)
    for query in _queries(log, rng):
        assert _entries(lazy, **query) == _entries(full, **query), query
    assert lazy.head == full.head and lazy.blame().summary() == full.blame().summary()
    for seq in range(len(log.docs)):
        assert lazy.doc_at(seq) == log.docs[seq]
    assert set(loaded) <= set(marks) and len(loaded) == len(set(loaded))
    targets = sorted(rng.sample(range(1, len(log.edits) + 1), min(2, len(log.edits))))
    assert lazy.plan_revert(targets) == full.plan_revert(targets)
    assert lazy.rows() == full.rows()
    assert [a.to_json() for a in lazy.contributions()] == [
        a.to_json() for a in full.contributions()
    ]
    assert [lazy.has_edit(s) for s in range(-1, len(log.edits) + 3)] == [
        full.has_edit(s) for s in range(-1, len(log.edits) + 3)
    ]
    assert source.served == cut  # each old edit was read once, however many queries


@history_settings
@given(seed=seeds, steps=st.integers(1, 40), start_at=st.integers(0, 10**6))
def test_a_window_describes_its_edits_exactly_as_the_full_view(
    seed: int, steps: int, start_at: int
) -> None:
    log = random_log(seed, steps)
    start = start_at % (len(log.edits) + 1)
    window = HistoryView.window(log.docs[start], start, log.edits[start:])
    full = HistoryView(log.initial, log.edits)
    assert window.head == full.head and window.seq == full.seq
    for edit in log.edits[start:]:
        assert window.descriptions[edit.seq] == full.descriptions[edit.seq]
        assert window.places[edit.seq] == full.places[edit.seq]
    rng = random.Random(seed)
    for query in _queries(log, rng):
        try:
            got = window.entries(**query)
        except IncompleteWindow:  # what the service widens the window on
            assert start > 0
            continue
        assert [e.to_json() for e in got] == _entries(full, **query), query
    if start > 0:
        with pytest.raises(IncompleteWindow):
            window.entries()  # every entry: always past the first edit


def test_a_page_of_recent_entries_reads_only_the_newest_page() -> None:
    rng = random.Random(5)
    log = Log(start_doc(rng), [], [])
    log.docs.append(clone(log.initial))
    for i in range(600):  # alternating authors: one entry per edit
        commit(log, [{"op": "set_meta", "title": f"take {i}"}], AUTHORS[i % 2])
    state = HistoryView(log.initial, log.edits).state()
    source = Source(log.edits)
    view = HistoryView.resume(state, log.now, EditPages(source, 600, page=50))
    unread = view.approx_bytes()  # the estimate counts only the edits held
    assert [e.last_seq for e in view.entries(limit=20)] == list(range(581, 601))
    assert source.served == 50
    assert unread < view.approx_bytes() < HistoryView(log.initial, log.edits).approx_bytes()
    assert [e.last_seq for e in view.entries(limit=20, before_seq=551)] == list(range(531, 551))
    assert source.served == 100
    assert view.doc_at(599) == log.docs[599] and source.served == 100


def test_edit_pages_behave_as_the_list_they_stand_for() -> None:
    rng = random.Random(9)
    log = random_log(9, 60)
    edits = log.edits
    n = len(edits) - 5
    pages = EditPages(Source(edits), n, page=7)
    for edit in edits[n:]:
        pages.append(edit)
    assert len(pages) == len(edits) and list(pages) == edits
    assert list(reversed(pages)) == edits[::-1]
    for _ in range(200):
        a, b = rng.randint(-70, 70), rng.randint(-70, 70)
        assert pages[a:b] == edits[a:b]
        assert pages[a:b:2] == edits[a:b:2]
        if -len(edits) <= a < len(edits):
            assert pages[a] == edits[a]
        assert count_upto(pages, a) == count_upto(edits, a)
    with pytest.raises(IndexError):
        pages[len(edits)]
    with pytest.raises(ValueError, match="does not follow"):
        pages.append(edits[3])


def test_a_page_with_a_gap_in_the_log_is_refused() -> None:
    log = random_log(3, 20)
    holed = [e for e in log.edits if e.seq != 4]
    pages = EditPages(lambda first, last: [e for e in holed if first <= e.seq <= last], 10)
    with pytest.raises(MissingEdits, match="1..10"):
        pages[0]
