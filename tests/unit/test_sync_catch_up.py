"""What a (re)joining client costs the server: ``Authority.catch_up`` on a real SQLite log,
with the edit rows each answer reads counted at the database (``RowsRead``)."""

from __future__ import annotations

from typing import Any

from server.editing import EditLog
from server.persistence import Database
from server.sync import protocol
from server.sync.authority import Authority
from tests.support.records import records
from tests.support.rows_read import RowsRead

LIMIT = protocol.CATCH_UP_LIMIT


def _edit(i: int) -> list[dict[str, Any]]:
    return [{"op": "set_meta", "title": f"take {i}"}]


def _log(db_url: str, count: int) -> tuple[str, EditLog]:
    log = EditLog(Database(db_url))
    owner = records(log).users.create_user("ana", "pw-ana-123", "Ana")
    score = log.create_score(owner)
    for i in range(count):
        log.submit(score, owner, _edit(i))
    return score, log


def test_far_behind_rejoin_reads_no_tail_and_near_rejoin_reads_only_the_gap(
    db_url: str,
) -> None:
    head = LIMIT + 40
    score, writer = _log(db_url, head)
    writer.db.dispose()
    fresh = EditLog(Database(db_url))  # a new process: no cached head
    authority = Authority(fresh, records(fresh).members)
    rows = RowsRead(fresh.db.engine, "edits")

    with rows.counting():
        far = authority.catch_up(score, 0)
    assert far["snapshot"] == writer.doc_at(score, head) and far["seq"] == far["head"] == head
    # The snapshot is rebuilt from the nearest stored one: at most one snapshot's tail.
    assert rows.rows <= fresh.snapshot_every, rows.statements

    with rows.counting():
        near = authority.catch_up(score, head - 7)
    assert "snapshot" not in near and near["head"] == head
    assert [e["seq"] for e in near["edits"]] == list(range(head - 6, head + 1))
    assert rows.rows == 7, rows.statements

    with rows.counting():
        edge = authority.catch_up(score, head - LIMIT)
    assert len(edge["edits"]) == LIMIT and rows.rows == LIMIT

    with rows.counting():
        past = authority.catch_up(score, head - LIMIT - 1)
    assert "snapshot" in past and past["seq"] == head
    assert rows.rows <= fresh.snapshot_every

    ahead = authority.catch_up(score, head + 5)  # a client from another log's future
    assert ahead["snapshot"] == far["snapshot"] and ahead["seq"] == head
    fresh.db.dispose()
