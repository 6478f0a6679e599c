"""The job pool (``server/offload``): real job processes reading a real database.

Exports come back byte for byte as the in-process writer makes them; a job over its
time or memory limit is stopped with ``too_slow`` / ``too_big`` and the pool keeps
serving; a full queue answers ``busy``; password hashing leaves an eventlet loop running.
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from server.editing import EditLog
from server.formats import export_score
from server.offload import Jobs, Limits, OffloadError, Pool
from server.persistence import Database
from server.score.model import new_document
from tests.support.records import records

REPO = Path(__file__).resolve().parents[2]
LOG_KEY = "offload-test-key"


@pytest.fixture
def log(db_url: str) -> Iterator[EditLog]:
    service = EditLog(Database(db_url), log_key=LOG_KEY)
    yield service
    service.db.dispose()


@pytest.fixture
def ana(log: EditLog) -> int:
    return records(log).users.create_user("ana", "hash", display_name="Ana")


def _jobs(pool: Pool, log: EditLog, db_url: str) -> Jobs:
    return Jobs(pool, db_url, LOG_KEY)


def _same_export(a: bytes, b: bytes) -> bool:
    """Equal up to the random part/instrument ids and the date music21 writes."""

    def norm(data: bytes) -> bytes:
        data = re.sub(rb"[PI][0-9a-f]{32}", b"ID", data)
        return re.sub(rb"<encoding-date>[^<]*</encoding-date>", b"", data)

    return norm(a) == norm(b)


def _big(measures: int, parts: int) -> dict:
    return new_document(measures=measures, parts=[{"name": f"P{i}"} for i in range(parts)])


@pytest.fixture
def pool() -> Iterator[Pool]:
    made = Pool(Limits(workers=1, queue=1, time_limit_s=60))
    yield made
    made.stop()


def test_an_export_is_written_by_a_job_process_from_the_stored_score(
    pool: Pool, log: EditLog, ana: int, db_url: str
) -> None:
    score = log.create_score(ana, "Song")
    log.submit(score, ana, [{"op": "set_meta", "title": "Renamed"}])
    jobs = _jobs(pool, log, db_url)
    head, _ = log.load(score)
    assert _same_export(jobs.export(score, 1, "musicxml"), export_score(head, "musicxml"))
    assert b"Renamed" in jobs.export(score, 1, "musicxml")
    # A past seq is read as it was, not as the head is now.
    assert _same_export(jobs.export(score, 0, "midi"), export_score(log.doc_at(score, 0), "midi"))
    assert b"Renamed" not in jobs.export(score, 0, "musicxml")
    with pytest.raises(OffloadError) as missing:
        jobs.export("no-such-score", 0, "musicxml")
    assert missing.value.code == "not_found"
    assert pool.served == 5


def test_a_job_over_its_time_limit_is_stopped_and_the_pool_keeps_serving(
    log: EditLog, ana: int, db_url: str
) -> None:
    pool = Pool(Limits(workers=1, queue=1, time_limit_s=1.0))
    try:
        jobs = _jobs(pool, log, db_url)
        big = log.create_score(ana, "Big", doc=_big(500, 16))  # ~18 s to export here
        small = log.create_score(ana, "Small")
        with pytest.raises(OffloadError) as slow:
            jobs.export(big, 0, "musicxml")
        assert slow.value.code == "too_slow" and slow.value.extra == {"limit_s": 1.0}
        assert b"<score-partwise" in jobs.export(small, 0, "musicxml")
    finally:
        pool.stop()


def test_a_job_over_its_memory_limit_is_refused_as_too_big(
    log: EditLog, ana: int, db_url: str
) -> None:
    # Enough for the process and music21 (~0.1 GB of address space), not for the score.
    pool = Pool(Limits(workers=1, queue=1, time_limit_s=120, memory_limit_bytes=250 * 1024**2))
    try:
        jobs = _jobs(pool, log, db_url)
        big = log.create_score(ana, "Big", doc=_big(2000, 16))
        small = log.create_score(ana, "Small")
        with pytest.raises(OffloadError) as heavy:
            jobs.export(big, 0, "musicxml")
        assert heavy.value.code == "too_big"
        assert b"<score-partwise" in jobs.export(small, 0, "musicxml")
    finally:
        pool.stop()


def test_a_full_queue_answers_busy(log: EditLog, ana: int, db_url: str) -> None:
    pool = Pool(Limits(workers=1, queue=0, time_limit_s=2.0))
    try:
        jobs = _jobs(pool, log, db_url)
        pool.warm()
        big = log.create_score(ana, "Big", doc=_big(500, 16))
        outcome: list[str] = []

        def slow_export() -> None:
            try:
                jobs.export(big, 0, "musicxml")
            except OffloadError as exc:
                outcome.append(exc.code)

        runner = threading.Thread(target=slow_export)
        runner.start()
        while pool._running == 0:  # the first job holds the only worker
            threading.Event().wait(0.01)
        with pytest.raises(OffloadError) as busy:
            jobs.export(big, 0, "midi")
        assert busy.value.code == "busy"
        runner.join()
        assert outcome == ["too_slow"]
    finally:
        pool.stop()


def test_password_hashing_leaves_the_eventlet_loop_running() -> None:
    """While one green thread hashes, another keeps ticking every 10 ms; hashed on the
    loop itself it would not tick at all."""
    script = """
import eventlet; eventlet.monkey_patch()
import time
from server.auth.passwords import check_password, hash_password
ticks = []
def ticker():
    while True:
        ticks.append(time.monotonic()); eventlet.sleep(0.005)
eventlet.spawn(ticker); eventlet.sleep(0.02)
before = len(ticks)
hashed = hash_password("correct horse")
ok = check_password(hashed, "correct horse") and not check_password(hashed, "wrong")
print(ok, len(ticks) - before)
"""
    out = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", script], cwd=REPO, capture_output=True,
        text=True, timeout=60, check=True,
    ).stdout.split()  # fmt: skip
    assert out[0] == "True"
    assert int(out[1]) >= 5, out  # three hashes of ~100 ms: dozens of ticks when free
