"""Property: whatever the edit sequence, loading a score from its latest snapshot plus the
tail equals a full replay of the log from seq 0, and equals the document the service
kept in memory while committing. Same for every past seq via ``doc_at``.

``TUTTI_LONG_TESTS=1`` runs many more and longer sequences.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.editing import EditLog, replay
from server.persistence import Database, Users, init_db
from server.score import InvalidOp, apply_edit, clone, new_document
from tests.support.records import records
from tests.support.score_gen import IdSource, random_edit

LONG = bool(os.environ.get("TUTTI_LONG_TESTS"))


@pytest.fixture(scope="module")
def shared_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('replay') / 'tutti.sqlite3'}"
    init_db(url)
    return url


@pytest.fixture(scope="module")
def author(shared_url: str) -> Iterator[tuple[Database, int]]:
    db = Database(shared_url)
    user = Users(db).create_user("prop", "h")
    yield db, user
    db.dispose()


@settings(
    max_examples=200 if LONG else 25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    seed=st.integers(0, 2**32 - 1),
    steps=st.integers(1, 150 if LONG else 40),
    every=st.integers(1, 9),
)
def test_snapshot_plus_tail_equals_full_replay(
    author: tuple[Database, int], seed: int, steps: int, every: int
) -> None:
    db, user = author
    rng = random.Random(seed)
    service = EditLog(db, snapshot_every=every)
    start = new_document(
        title="Prop",
        parts=[{"name": "S"}, {"name": "B", "clef": "bass"}][: rng.randint(1, 2)],
        measures=rng.randint(1, 3),
        time=rng.choice([[4, 4], [3, 4], [6, 8]]),
    )
    score = service.create_score(user, doc=start)
    mirror = clone(start)  # the document as the committing client would see it
    history = [clone(start)]
    new_id = IdSource("p")
    for _ in range(steps):
        ops = random_edit(mirror, rng, new_id)
        try:
            service.submit(score, user, ops)
        except InvalidOp:
            continue
        apply_edit(mirror, ops)
        history.append(clone(mirror))

    # Cold load: latest snapshot + tail, nothing from the in-process cache.
    cold = EditLog(db, snapshot_every=every)
    doc, seq = cold.load(score)
    assert seq == len(history) - 1
    full = replay(clone(start), [e.ops for e in cold.edits(score)])
    assert doc == full == mirror
    assert service.load(score) == (mirror, seq)
    for k in sorted({0, seq, *rng.sample(range(seq + 1), min(seq + 1, 4))}):
        assert cold.doc_at(score, k) == history[k], f"doc_at({k}) differs from replay"
    assert cold.verify_log(score) == []


def test_replay_of_a_long_log_from_two_snapshot_intervals(tmp_path: Path) -> None:
    """The same log read back with different snapshot spacing gives the same documents."""
    url = f"sqlite:///{tmp_path / 'log.sqlite3'}"
    init_db(url)
    db = Database(url)
    try:
        rng = random.Random(7)
        service = EditLog(db, snapshot_every=7)
        user = records(service).users.create_user("x", "h")
        score = service.create_score(user, "Long")
        new_id = IdSource("q")
        mirror, _ = service.load(score)
        committed = 0
        while committed < 120:
            ops = random_edit(mirror, rng, new_id)
            try:
                service.submit(score, user, ops)
            except InvalidOp:
                continue
            apply_edit(mirror, ops)
            committed += 1
        sparse = EditLog(db, snapshot_every=1000)
        assert sparse.load(score) == (mirror, 120)
        assert sparse.doc_at(score, 60) == service.doc_at(score, 60)
    finally:
        db.dispose()
