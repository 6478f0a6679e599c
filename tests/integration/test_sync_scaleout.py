"""Scale-out: two ``tutti serve`` processes sharing one PostgreSQL database and Redis.

Clients connected to different processes edit one score concurrently; broadcasts
cross processes through Flask-SocketIO's Redis message queue and seqs are allocated
by the database, so everyone converges on the log. Uses a fresh database
``tutti_sync_<random>`` on 127.0.0.1, dropped afterwards.
"""

from __future__ import annotations

import random
import secrets
import threading
from collections.abc import Callable, Iterator

import pytest
import socketio

from server.client import TuttiClient
from server.editing import EditLog, replay
from server.persistence import Database
from server.persistence.scratch import scratch_database
from server.score import ScoreError
from tests.support.records import records

from ..support.random_ops import IdSource, valid_edit
from .conftest import LiveServer

pytestmark = pytest.mark.postgres

PG_ADMIN = "postgresql+psycopg2://root@127.0.0.1:5432/test"
REDIS = "redis://127.0.0.1:6379/0"


@pytest.fixture
def sync_pg_url() -> Iterator[str]:
    with scratch_database(PG_ADMIN, "tutti_sync") as url:
        yield url


def test_clients_on_two_processes_converge(
    sync_pg_url: str, start_server: Callable[..., LiveServer]
) -> None:
    # One deployment: one database, one message queue, one secret key.
    env = {"TUTTI_MESSAGE_QUEUE": REDIS, "TUTTI_SECRET_KEY": secrets.token_hex(16)}
    first = start_server(sync_pg_url, env)
    second = start_server(sync_pg_url, env)
    service = EditLog(Database(sync_pg_url))
    try:
        users = [first.signup(name) for name in ("ana", "bob", "cai", "dee")]
        score = service.create_score(users[0]["id"], "Two processes")
        for user in users[1:]:
            records(service).members.set_member(score, user["id"], "editor")
        # A broadcast crosses processes: an edit committed through the first process
        # reaches a raw client of the second as an 'edit' event.
        seen: list[dict] = []
        arrived = threading.Event()
        watcher = socketio.Client(reconnection=False)
        watcher.on("edit", lambda wire: (seen.append(wire), arrived.set()))
        watcher.connect(
            second.url, auth={"token": first.token("bob")}, transports=["websocket"]
        )  # a token from one process is good on the other
        assert watcher.call("join", {"score": score})["ok"]
        presence: list[dict] = []
        both_present = threading.Event()

        def on_presence(message: dict) -> None:
            presence.append(message)
            if sorted(p["user"]["name"] for p in message["peers"]) == ["ana", "bob"]:
                both_present.set()

        watcher.on("presence", on_presence)
        writer = TuttiClient(first.url, first.token("ana")).connect()
        writer.join(score)
        writer.submit([{"op": "set_meta", "title": "Across"}])
        assert arrived.wait(10), "the edit did not cross to the second process"
        assert seen[0]["seq"] == 1 and seen[0]["author"]["name"] == "ana"
        # Presence is shared too (Redis): the watcher on the second process lists the
        # writer on the first, and the writer lists the watcher.
        assert both_present.wait(10), presence
        assert sorted(p["user"]["name"] for p in writer.presence) == ["ana", "bob"]
        watcher.disconnect()
        writer.close()

        clients = [
            TuttiClient(server.url, server.token(user["name"])).connect()
            for server, user in zip([first, second, first, second], users, strict=True)
        ]
        for client in clients:
            client.join(score)
        errors: list[BaseException] = []

        def work(i: int, client: TuttiClient) -> None:
            rng, ids = random.Random(i), IdSource(f"x{i}")
            try:
                for _ in range(15):
                    try:
                        client.submit(valid_edit(client.document, rng, ids))
                    except ScoreError:
                        pass
                client.wait_synced(timeout=30)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(i, c)) for i, c in enumerate(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not errors, errors
        for client in clients:
            client.wait_synced(timeout=30)
        doc, head = service.load(score)
        assert head == 1 + sum(len(c.acknowledged) for c in clients) > 1
        for client in clients:
            assert client.errors == []
            assert client.confirmed_seq == head
            assert client.document == doc
        log = service.edits(score)
        assert replay(service.doc_at(score, 0), [e.ops for e in log]) == doc
        assert service.verify_log(score) == []
        for client in clients:
            client.close()
    finally:
        service.db.dispose()
