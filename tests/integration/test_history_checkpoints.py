"""Stored history-view checkpoints (``HistoryViews`` + ``history_checkpoints``): a new
process (new ``EditLog`` and ``HistoryViews`` on the same database) resumes instead of
replaying and answers exactly like a full replay; damaged checkpoints fall back to replay;
checkpoints are refreshed every ``checkpoint_every`` edits. SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import random
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select, update

from server.editing import EditLog
from server.history_service import CHECKPOINT_FORMAT, Filters, HistoryService, HistoryViews
from server.persistence import Database, checkpoints
from server.persistence.models import HistoryCheckpoint
from server.score.model import new_document
from tests.support.records import records
from tests.support.rows_read import RowsRead

EVERY = 40  # checkpoint interval used here (the product default is 1,000)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, db_url: str) -> str:
    if request.param == "sqlite":
        return db_url
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def opened(url: str) -> Iterator[list[EditLog]]:
    """Every ``EditLog`` a test opens on ``url`` (one per simulated process)."""
    services: list[EditLog] = []
    yield services
    for s in services:
        s.db.dispose()


def _process(url: str, opened: list[EditLog], every: int | None = EVERY) -> HistoryService:
    """What a new server process has: its own service, its own (empty) view cache."""
    service = EditLog(Database(url), snapshot_every=10)
    opened.append(service)
    # Stored snapshots (every 10 edits) 20 apart: the resumed views' doc_at uses them.
    views = HistoryViews(
        service, records(service).checkpoints, checkpoint_every=every, snapshot_spacing=20
    )
    return HistoryService.over(service, records(service), views)


def _edit(rng: random.Random, k: int, live: list[str]) -> tuple[list[dict[str, Any]], str]:
    """A random edit (write, repitch, delete, lyric, title) and its origin."""
    roll = rng.random()
    if live and roll < 0.3:
        note = rng.choice(live)
        step = rng.choice("CDEFGAB")
        return [{"op": "set_pitch", "note": note, "step": step, "octave": 4}], "human"
    if live and roll < 0.4:
        event = rng.choice(live)[1:]
        live.remove("n" + event)
        return [{"op": "delete_event", "event": "e" + event}], "human"
    if roll < 0.45:
        return [{"op": "set_meta", "title": f"Song {k}"}], "human"
    measure, offset = f"m{rng.randint(1, 6)}", f"{rng.randint(0, 3)}/4"
    event = {
        "id": f"e{k}",
        "dur": {"type": 4},
        "notes": [{"id": f"n{k}", "step": "C", "octave": 4}],
    }
    live.append(f"n{k}")
    op = {"op": "write_event", "part": "p1", "measure": measure, "offset": offset, "event": event}
    return [op], ("helper" if rng.random() < 0.2 else "human")


class Log:
    """A score with two authors, grown by random edits and the odd revert."""

    def __init__(self, history: HistoryService) -> None:
        service = history.scores
        self.service = service
        self.ana = records(service).users.create_user("ana", "x", "Ana")
        self.ben = records(service).users.create_user("ben", "x", "Ben")
        self.score = service.create_score(self.ana, "Song", new_document(measures=6))
        records(service).members.set_member(self.score, self.ben, "editor")
        self.rng = random.Random(11)
        self.live: list[str] = []
        self.k = 0

    def grow(self, count: int, history: HistoryService, *, reverts: bool = True) -> None:
        for _ in range(count):
            self.k += 1
            who = self.rng.choice([self.ana, self.ben])
            if reverts and self.k % 25 == 0:  # a revert through the product, like the HTTP API's
                history.revert(self.score, who, [self.rng.randint(1, self.k - 1)], None)
                continue
            ops, origin = _edit(self.rng, self.k, self.live)
            meta = {"accepted_by": "Ana", "suggestion_id": self.k} if origin == "helper" else {}
            self.service.submit(self.score, who, ops, origin=origin, meta=meta)


def _answers(history: HistoryService, score: str, user: int) -> dict[str, Any]:
    """Everything the history API answers about a score."""
    head = history.scores.head_seq(score)
    return {
        "history": history.history(score, user, Filters()),
        "single": history.history(score, user, Filters(), group=False),
        "page": history.history(score, user, Filters(from_measure="2"), limit=3),
        "blame": history.blame(score, user),
        "contributions": history.contributions(score, user),
        "export": history.export(score, user, "json"),
        # Every third version (around snapshots and checkpoints alike) and the head.
        "docs": [history.doc_at(score, user, seq) for seq in [*range(0, head, 3), head]],
        "diff": history.diff(score, user, head // 3, None),
    }


def _stored(service: EditLog, score: str) -> list[int]:
    with service.db.read() as conn:
        rows = conn.execute(
            select(HistoryCheckpoint.seq)
            .where(HistoryCheckpoint.score_id == score)
            .order_by(HistoryCheckpoint.seq)
        )
        return [int(s) for s in rows.scalars()]


def test_a_new_process_resumes_and_answers_like_a_replay(url: str, opened: list[EditLog]) -> None:
    first = _process(url, opened)
    log = Log(first)
    log.grow(3 * EVERY + 7, first)
    first.blame(log.score, log.ana)
    # Built by replay at the first revert; checkpoints stored every EVERY edits since.
    assert first.views.resumed_from(log.score) == 0
    stored = _stored(first.scores, log.score)
    assert len(stored) == 2 and stored[1] - stored[0] >= EVERY
    log.grow(EVERY // 2, first)  # the log moves on after the checkpoint

    second = _process(url, opened)
    replayed = _process(url, opened, every=None)
    assert _answers(second, log.score, log.ben) == _answers(replayed, log.score, log.ben)
    assert second.views.resumed_from(log.score) == stored[1]
    # The resumed view keeps following the log exactly like the replayed one.
    log.grow(EVERY + 3, second)
    assert _answers(second, log.score, log.ana) == _answers(replayed, log.score, log.ana)
    assert _answers(second, log.score, log.ana) == _answers(
        _process(url, opened, every=None), log.score, log.ana
    )


def test_checkpoints_are_refreshed_every_n_edits_and_only_two_kept(
    url: str, opened: list[EditLog]
) -> None:
    history = _process(url, opened)
    log = Log(history)
    log.grow(EVERY - 1, history, reverts=False)
    history.blame(log.score, log.ana)
    assert _stored(history.scores, log.score) == []  # not worth one yet
    log.grow(1, history, reverts=False)
    history.blame(log.score, log.ana)
    assert _stored(history.scores, log.score) == [EVERY]
    log.grow(EVERY - 1, history, reverts=False)
    history.blame(log.score, log.ana)
    assert _stored(history.scores, log.score) == [EVERY]
    log.grow(1, history, reverts=False)
    history.blame(log.score, log.ana)
    log.grow(EVERY, history, reverts=False)
    history.blame(log.score, log.ana)
    assert _stored(history.scores, log.score) == [2 * EVERY, 3 * EVERY]
    # A second process saving the same seq replaces it (the same state, or a damaged row).
    other = _process(url, opened)
    assert other.views.get(log.score).seq == 3 * EVERY
    assert other.views.resumed_from(log.score) == 3 * EVERY
    stored = records(other.scores).checkpoints.latest_history_checkpoint(log.score)
    assert stored is not None and stored[1]["format"] == CHECKPOINT_FORMAT
    assert records(other.scores).checkpoints.save_history_checkpoint(
        log.score, 3 * EVERY, stored[1]
    )
    assert _stored(other.scores, log.score) == [2 * EVERY, 3 * EVERY]


def _damage(service: EditLog, score: str, data: bytes) -> None:
    with service.db.write() as conn:
        conn.execute(
            update(HistoryCheckpoint).where(HistoryCheckpoint.score_id == score).values(state=data)
        )


def test_damaged_or_foreign_checkpoints_fall_back_to_replay(
    url: str, opened: list[EditLog], caplog: pytest.LogCaptureFixture
) -> None:
    history = _process(url, opened)
    log = Log(history)
    log.grow(EVERY + 5, history)
    history.blame(log.score, log.ana)
    service = history.scores
    found = records(service).checkpoints.latest_history_checkpoint(log.score)
    assert found is not None
    seq, good = found
    expected = _answers(_process(url, opened, every=None), log.score, log.ana)
    other_log = dict(good, log_hash="0" * 64)  # as if built on another log up to seq
    broken_view = dict(good, view={**good["view"], "blame": {"seq": seq}})
    damaged = [
        checkpoints.encode(good)[:-9] + b"garbage!!",  # bytes damaged in storage
        b"not zlib at all",
        checkpoints.encode({"format": CHECKPOINT_FORMAT + 1, "view": good["view"]}),
        checkpoints.encode(other_log),
        checkpoints.encode(dict(good, score_id="someone")),
        checkpoints.encode(broken_view),
        checkpoints.encode(dict(good, seq=seq + 1)),
    ]
    for data in damaged:
        _damage(service, log.score, data)
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="server.history_service"):
            fresh = _process(url, opened)
            assert _answers(fresh, log.score, log.ana) == expected
        assert fresh.views.resumed_from(log.score) == 0
        assert "history checkpoint not used" in caplog.text
    # Each replay stored a sound checkpoint over the damaged one: the next process resumes.
    healed = _process(url, opened)
    assert _answers(healed, log.score, log.ana) == expected
    assert healed.views.resumed_from(log.score) == seq


def test_a_new_process_reads_only_the_edits_each_answer_needs(
    url: str, opened: list[EditLog]
) -> None:
    """Counted at the database: a first page of entries reads a window of the newest
    edits (no view is built), a resumed view reads only the edits after its checkpoint
    for blame, and a past version reads one page of old edits; all answers as a replay."""
    first = _process(url, opened)
    log = Log(first)
    log.grow(14 * EVERY, first, reverts=False)
    first.blame(log.score, log.ana)  # built by replay; stores a checkpoint
    stored = _stored(first.scores, log.score)[-1]
    log.grow(EVERY // 2, first, reverts=False)
    head = first.scores.head_seq(log.score)
    replayed = _process(url, opened, every=None)

    fresh = _process(url, opened)
    rows = RowsRead(fresh.scores.db.engine, "edits")
    for query in (
        {"limit": 5},
        {"limit": 5, "before_seq": head - 20},
        {"limit": 2, "group": False},
    ):
        with rows.counting():
            page = fresh.history(log.score, log.ben, Filters(), **query)  # type: ignore[arg-type]
        assert page == replayed.history(log.score, log.ben, Filters(), **query), query  # type: ignore[arg-type]
        assert rows.rows <= 4 * 3 * query["limit"] + 30 + 10, (query, rows.rows)
    assert fresh.views.cached(log.score) is None  # a page needs no view
    log.grow(3, first, reverts=False)  # the next page replays only the new edits
    with rows.counting():
        page = fresh.history(log.score, log.ben, Filters(), limit=5)
    assert page == replayed.history(log.score, log.ben, Filters(), limit=5)
    assert page["head"] == head + 3 and rows.rows <= 3 + 1, rows.rows
    head += 3

    with rows.counting():
        blame = fresh.blame(log.score, log.ben)
    assert blame == replayed.blame(log.score, log.ben)
    assert fresh.views.resumed_from(log.score) == stored
    # The tail after the checkpoint (plus the document at the checkpoint: one snapshot's tail).
    assert rows.rows <= (head - stored) + 10 + 2, rows.rows
    with rows.counting():
        doc = fresh.doc_at(log.score, log.ben, 5)
    assert doc == replayed.doc_at(log.score, log.ben, 5)
    assert rows.rows <= 500, rows.rows  # one page of old edits, not the log
    assert head > 500
