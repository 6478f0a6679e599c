"""The edit log on the real PostgreSQL (127.0.0.1:5432): migrations, and many writer
processes with their own connections and caches committing to one score at once.

Each test gets a fresh database ``tutti_test_<random>`` (``pg_url`` in conftest), dropped
afterwards. ``TUTTI_LONG_TESTS=1`` makes every writer submit ten times as many edits.
"""

from __future__ import annotations

import multiprocessing
import os
import random
from multiprocessing.queues import Queue
from typing import Any

import pytest

from server.editing import ClientSeqReused, EditLog, replay
from server.persistence import Database, init_db, schema_head
from tests.support.records import records

pytestmark = pytest.mark.postgres

WRITERS = 16
EDITS_PER_WRITER = 250 if os.environ.get("TUTTI_LONG_TESTS") else 25
CONTEXT = multiprocessing.get_context("fork")  # children inherit nothing but the URL


def _edit(rng: random.Random, writer: int, k: int) -> list[dict[str, Any]]:
    """Edits that are valid on any state of the score, so none is refused."""
    if k % 3 == 0:
        return [{"op": "set_tempo", "measure": "m1", "tempo": 40 + writer * 10 + k % 10}]
    return [
        {
            "op": "write_event",
            "part": "p1",
            "measure": rng.choice(["m1", "m2", "m3", "m4"]),
            "offset": rng.choice(["0", "1/4", "1/2", "3/4"]),
            "event": {
                "id": f"w{writer}e{k}",
                "dur": {"type": 4},
                "notes": [{"id": f"w{writer}n{k}", "step": "CDEFGAB"[k % 7], "octave": 4}],
            },
        }
    ]


def _writer(url: str, score: str, author: int, writer: int, out: Queue[Any]) -> None:
    try:
        service = EditLog(Database(url, pool_size=1), snapshot_every=7)
        rng = random.Random(writer)
        seqs = []
        for k in range(EDITS_PER_WRITER):
            edit = service.submit(
                score, author, _edit(rng, writer, k), client_id=f"w{writer}", client_seq=k
            )
            assert not edit.duplicate
            seqs.append(edit.seq)
        # A resubmission after a reconnect must return the original seq, not a new one.
        again = service.submit(score, author, _edit(rng, writer, 0), client_id=f"w{writer}",
                               client_seq=0)  # fmt: skip
        assert again.duplicate and again.seq == seqs[0]
        service.db.dispose()
        out.put((writer, seqs, None))
    except BaseException as exc:  # reported to the parent, which fails the test
        out.put((writer, [], repr(exc)))


def _same_submission(url: str, score: str, author: int, out: Queue[Any]) -> None:
    try:
        service = EditLog(Database(url, pool_size=1))
        edit = service.submit(
            score, author, [{"op": "set_meta", "title": "once"}], client_id="tab", client_seq=1
        )
        service.db.dispose()
        out.put((edit.seq, edit.duplicate, None))
    except BaseException as exc:
        out.put((0, False, repr(exc)))


def _run(target: Any, args_list: list[tuple[Any, ...]]) -> list[Any]:
    out: Queue[Any] = CONTEXT.Queue()
    procs = [CONTEXT.Process(target=target, args=(*args, out)) for args in args_list]
    for p in procs:
        p.start()
    results = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    return results


def test_migrations_run_on_postgresql(pg_url: str) -> None:
    init_db(pg_url)  # a second run (another worker starting) is a no-op
    db = Database(pg_url)
    try:
        with db.read() as conn:
            tables = {
                r[0]
                for r in conn.exec_driver_sql(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                )
            }
            version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        assert {"users", "scores", "score_members", "edits", "snapshots", "versions"} <= tables
        assert "suggestions" in tables and version == schema_head()
        assert db.engine.dialect.driver == "psycopg2"
        from alembic.autogenerate import compare_metadata
        from alembic.migration import MigrationContext

        from server.persistence.models import Base

        with db.read() as conn:
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    finally:
        db.dispose()


def _migrate(url: str, out: Queue[Any]) -> None:
    try:
        init_db(url)
        out.put(None)
    except BaseException as exc:
        out.put(repr(exc))


def test_workers_starting_together_migrate_once() -> None:
    """Several server processes run init_db at start; the advisory lock serialises them."""
    from server.persistence.scratch import scratch_database
    from tests.conftest import PG_ADMIN_URL

    with scratch_database(PG_ADMIN_URL, "tutti_test", migrate=False) as url:
        assert _run(_migrate, [(url,)] * 6) == [None] * 6
        db = Database(url)
        with db.read() as conn:
            versions = conn.exec_driver_sql("SELECT version_num FROM alembic_version").all()
            assert versions == [(schema_head(),)]
        db.dispose()


def test_concurrent_writer_processes_keep_the_log_dense_and_chained(pg_url: str) -> None:
    service = EditLog(Database(pg_url), snapshot_every=7)
    try:
        author = records(service).users.create_user("ana", "h")
        score = service.create_score(author, "Contended")
        start, _ = service.load(score)

        results = _run(_writer, [(pg_url, score, author, w) for w in range(WRITERS)])
        assert [r[2] for r in results if r[2]] == []
        seqs = sorted(s for _, writer_seqs, _ in results for s in writer_seqs)
        total = WRITERS * EDITS_PER_WRITER
        assert seqs == list(range(1, total + 1)), "seqs must be dense, with no duplicates"
        for _, writer_seqs, _ in results:
            assert writer_seqs == sorted(writer_seqs), "one writer's edits keep their order"

        assert service.head_seq(score) == total
        assert service.verify_log(score) == []
        edits = service.edits(score)
        assert [e.seq for e in edits] == list(range(1, total + 1))
        # Each writer's client seqs were stored once each, in order.
        by_client: dict[str | None, list[int | None]] = {}
        for e in edits:
            by_client.setdefault(e.client_id, []).append(e.client_seq)
        assert all(v == list(range(EDITS_PER_WRITER)) for v in by_client.values())
        # The head built from snapshots equals a full replay of the log.
        assert service.load(score)[0] == replay(start, [e.ops for e in edits])
    finally:
        service.db.dispose()


def test_simultaneous_resubmissions_from_many_processes_store_one_edit(pg_url: str) -> None:
    service = EditLog(Database(pg_url))
    try:
        author = records(service).users.create_user("ben", "h")
        score = service.create_score(author, "Once")
        results = _run(_same_submission, [(pg_url, score, author)] * 8)
        assert [r[2] for r in results if r[2]] == []
        assert {r[0] for r in results} == {1}
        assert sorted(r[1] for r in results) == [False] + [True] * 7
        assert service.head_seq(score) == 1 and len(service.edits(score)) == 1
        assert service.verify_log(score) == []
    finally:
        service.db.dispose()


def test_verify_log_on_postgresql_detects_a_modified_row(pg_url: str) -> None:
    from server.cli import main

    service = EditLog(Database(pg_url))
    try:
        author = records(service).users.create_user("cy", "h")
        score = service.create_score(author, "Audit")
        for i in range(4):
            service.submit(score, author, [{"op": "set_meta", "title": f"t{i}"}])
        assert main(["--database-url", pg_url, "verify-log", score]) == 0
        with service.db.write() as conn:
            conn.exec_driver_sql(
                "UPDATE edits SET meta = '{\"forged\": true}' WHERE score_id = %(s)s AND seq = 2",
                {"s": score},
            )
        assert service.verify_log(score) == [
            "edit 2: content does not match its keyed hash"
            " (modified, or re-hashed without the log key)"
        ]
        assert main(["--database-url", pg_url, "verify-log", score]) == 2
    finally:
        service.db.dispose()


@pytest.mark.parametrize("same_ops", [True, False])
def test_client_seq_race_between_processes_is_judged_on_the_ops(
    pg_url: str, same_ops: bool
) -> None:
    """The race path: another process commits the same client seq after our duplicate
    check and before our insert; the unique constraint fires and the stored edit is
    compared with ours (the same -> duplicate ack, other ops -> ``ClientSeqReused``)."""
    first = EditLog(Database(pg_url))
    second = EditLog(Database(pg_url))
    try:
        author = records(first).users.create_user("dee", "h")
        score = first.create_score(author, "Race")
        theirs = [{"op": "set_meta", "title": "first"}]
        ours = theirs if same_ops else [{"op": "set_meta", "title": "second"}]
        raced: list[int] = []

        def commit_theirs_in_between(role: str | None) -> None:
            # Runs after this submit's duplicate check, before it takes the seq: the
            # other service (its own connection) commits the same client seq now.
            if not raced:
                raced.append(first.submit(score, author, theirs, client_id="t", client_seq=1).seq)

        kwargs = {"client_id": "t", "client_seq": 1, "check_role": commit_theirs_in_between}
        if same_ops:
            edit = second.submit(score, author, ours, **kwargs)  # type: ignore[arg-type]
            assert edit.duplicate and [edit.seq] == raced == [1]
        else:
            with pytest.raises(ClientSeqReused) as caught:
                second.submit(score, author, ours, **kwargs)  # type: ignore[arg-type]
            assert caught.value.seq == 1 and raced == [1]
        assert second.head_seq(score) == 1
        assert [e.ops for e in second.edits(score)] == [theirs]
        # The failed insert rolled back: the next edit takes seq 2 and the log is whole.
        assert second.submit(score, author, ours, client_id="t", client_seq=2).seq == 2
        assert second.verify_log(score) == []
    finally:
        first.db.dispose()
        second.db.dispose()
