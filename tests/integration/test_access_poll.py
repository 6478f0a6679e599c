"""The revocation poll stays cheap: with nothing changed, one round over many joined
scores runs a fixed, small number of SQL statements (the credential check and ONE read of
the access versions) and no role read at all; after a change it re-reads roles only in
the score that changed. The real app and database, statements counted on its engine."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event

from server.extensions import get_edit_log
from server.persistence import Repositories
from server.sync import SYNC_KEY, Limits
from tests.support.inprocess import InProcessApp, events

SCORES = 25


@pytest.fixture
def app(db_url: str) -> Iterator[InProcessApp]:
    # The background loop sleeps for an hour: the test runs each round itself.
    world = InProcessApp(db_url, sync_limits=Limits(role_recheck_s=3600))
    yield world
    world.close()


class Statements:
    """Counts the SQL the engine runs while active."""

    def __init__(self, engine: Any) -> None:
        self.seen: list[str] = []
        self.engine = engine

    def __enter__(self) -> Statements:
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *_: Any) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)

    def _record(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.strip().upper() not in ("BEGIN", "COMMIT", "ROLLBACK"):
            self.seen.append(statement)

    def reading(self, table: str) -> int:
        return sum(1 for s in self.seen if f"FROM {table}" in s)


def test_a_quiet_round_is_one_read_and_a_change_rereads_one_score(app: InProcessApp) -> None:
    app.signup("ana")
    ben = app.signup("ben")
    repos = Repositories.over(get_edit_log(app.app).db)
    scores = [app.create_score("ana") for _ in range(SCORES)]
    for score in scores:
        app.add_member("ana", score, "ben", "editor")
    ana_socket, ben_socket = app.socket("ana"), app.socket("ben")
    for score in scores:
        assert ana_socket.emit("join", {"score": score}, callback=True)["ok"]
        assert ben_socket.emit("join", {"score": score}, callback=True)["ok"]
    handlers = app.app.extensions[SYNC_KEY]
    engine = get_edit_log(app.app).db.engine
    handlers.recheck_access()  # the first round learns every score's version

    with Statements(engine) as quiet:
        handlers.recheck_access()
    assert quiet.reading("score_members") == 0  # no role read
    assert len(quiet.seen) <= 2, quiet.seen  # credentials + access versions
    assert events(ben_socket, "revoked") == []

    repos.members.set_member(scores[7], int(ben["id"]), None)
    with Statements(engine) as changed:
        handlers.recheck_access()
    # Roles re-read in the one score that changed: Ana's and Ben's, nothing more.
    assert changed.reading("score_members") == 2, changed.seen
    revoked = events(ben_socket, "revoked")
    assert [m["score"] for m in revoked] == [scores[7]]
    assert events(ana_socket, "revoked") == []
