"""Removal and link revocation reach open connections at once, across processes.

A real ``tutti serve``, real python-socketio clients, and the change made where the server
cannot see it: by ``tutti unshare`` in another process (the server only learns of it from
the database, through its per-score access-version poll). The removed member's socket gets
``revoked`` within seconds and can neither edit nor read afterwards; on PostgreSQL too.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
import socketio

from server.client import TuttiClient
from server.editing import EditLog
from server.persistence import Database, Repositories

from .conftest import TUTTI, LiveServer, fresh_names

#: The poll runs every second; "within seconds" with room for a loaded machine.
REVOKE_WITHIN_S = 4.0


def tutti(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The ``tutti`` command in its own process, as an administrator would run it."""
    env = {**os.environ, "TUTTI_DATABASE_URL": database_url}
    return subprocess.run(
        [str(TUTTI), *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


class Watcher:
    """A raw socket that records the edits and revocations it receives."""

    def __init__(self, server: LiveServer, token: str) -> None:
        self.sio = socketio.Client(reconnection=False)
        self.edits: list[dict[str, Any]] = []
        self.revoked: list[tuple[float, dict[str, Any]]] = []
        self.roles: list[dict[str, Any]] = []
        self.got_revoked = threading.Event()
        self.sio.on("edit", self.edits.append)
        self.sio.on("role_changed", self.roles.append)
        self.sio.on("revoked", self._on_revoked)
        self.sio.connect(server.url, auth={"token": token}, transports=["websocket"])

    def _on_revoked(self, message: dict[str, Any]) -> None:
        self.revoked.append((time.monotonic(), message))
        self.got_revoked.set()

    def call(self, event: str, payload: dict[str, Any]) -> Any:
        return self.sio.call(event, payload, timeout=10)

    def close(self) -> None:
        self.sio.disconnect()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, db_url: str) -> Iterator[str]:
    if request.param == "sqlite":
        yield db_url
    else:
        yield request.getfixturevalue("pg_url")


@pytest.fixture
def world(
    database: str, start_server: Callable[..., LiveServer]
) -> Iterator[tuple[LiveServer, EditLog, Repositories]]:
    server = start_server(database)
    service = EditLog(Database(database))
    yield server, service, Repositories.over(service.db)
    service.db.dispose()


def test_unshare_from_the_cli_revokes_an_open_socket_within_seconds(
    world: tuple[LiveServer, EditLog, Repositories],
) -> None:
    server, service, _ = world
    ana, ben = fresh_names("ana", "ben")
    ana_id = server.signup(ana)["id"]
    server.signup(ben)
    score = service.create_score(ana_id, "Duet")
    shared = tutti(service.db.url, "share", score, ben, "--role", "editor")
    assert shared.returncode == 0, shared.stderr
    listed = tutti(service.db.url, "members", score)
    assert listed.stdout.splitlines() == [f"{ana}\towner", f"{ben}\teditor"]

    watcher = Watcher(server, server.token(ben))
    writer = TuttiClient(server.url, server.token(ana)).connect()
    try:
        assert watcher.call("join", {"score": score})["role"] == "editor"
        writer.join(score)
        ack = watcher.call(
            "submit",
            {"score": score, "client_id": "b", "client_seq": 1, "ops": [_title("By Ben")]},
        )
        assert ack["ok"], ack
        writer.wait_synced()

        removed = tutti(service.db.url, "unshare", score, ben)
        assert removed.returncode == 0, removed.stderr
        done = time.monotonic()
        assert watcher.got_revoked.wait(REVOKE_WITHIN_S + 2), "no revoked event"
        at, message = watcher.revoked[0]
        assert at - done < REVOKE_WITHIN_S, f"revoked after {at - done:.2f}s"
        assert message == {"score": score, "reason": "your access to this score was removed"}

        # Cannot edit, cannot read, cannot come back, sees nothing new.
        refused = watcher.call(
            "submit",
            {"score": score, "client_id": "b", "client_seq": 2, "ops": [_title("Sneaky")]},
        )
        assert refused["error"]["code"] in ("not_joined", "forbidden")
        assert watcher.call("fetch", {"score": score, "from": 1})["error"]["code"] in (
            "not_joined",
            "forbidden",
        )
        assert watcher.call("join", {"score": score})["error"]["code"] == "forbidden"
        before = len(watcher.edits)
        writer.submit([_title("After")])
        writer.wait_synced()
        time.sleep(0.5)
        assert len(watcher.edits) == before
        assert service.load(score)[0]["title"] == "After"
        http = requests.get(
            f"{server.url}/api/scores/{score}",
            headers={"Authorization": f"Bearer {server.token(ben)}"},
            timeout=10,
        )
        assert http.status_code == 403
        assert [p["user"]["name"] for p in writer.presence] == [ana]
    finally:
        writer.close()
        watcher.close()


def test_revoking_a_link_evicts_who_joined_through_it_and_a_role_change_is_told(
    world: tuple[LiveServer, EditLog, Repositories],
) -> None:
    server, service, repos = world
    ana, ben, cleo = fresh_names("ana", "ben", "cleo")
    ana_id = server.signup(ana)["id"]
    server.signup(ben)
    server.signup(cleo)
    score = service.create_score(ana_id, "Linked")
    owner = server.browser()
    assert owner.post(
        f"{server.url}/api/login", json={"name": ana, "password": "secret-pw"}, timeout=10
    ).ok
    link = owner.post(
        f"{server.url}/api/scores/{score}/links", json={"role": "editor"}, timeout=10
    ).json()["link"]
    guest = server.browser()
    guest.post(f"{server.url}/api/login", json={"name": ben, "password": "secret-pw"}, timeout=10)
    opened = guest.get(f"{server.url}/s/{link['token']}", allow_redirects=False, timeout=10)
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/scores/{score}")
    tutti(service.db.url, "share", score, cleo, "--role", "editor")

    ben_socket = Watcher(server, server.token(ben))
    cleo_socket = Watcher(server, server.token(cleo))
    try:
        assert ben_socket.call("join", {"score": score})["role"] == "editor"
        assert cleo_socket.call("join", {"score": score})["ok"]
        # Another process demotes Cleo: she stays, and is told her new role.
        assert tutti(service.db.url, "share", score, cleo, "--role", "viewer").returncode == 0
        deadline = time.monotonic() + REVOKE_WITHIN_S
        while not cleo_socket.roles and time.monotonic() < deadline:
            time.sleep(0.05)
        assert cleo_socket.roles == [{"score": score, "role": "viewer"}]
        demoted = cleo_socket.call(
            "submit",
            {"score": score, "client_id": "c", "client_seq": 1, "ops": [_title("Cleo")]},
        )
        assert demoted["error"]["code"] == "forbidden"
        assert cleo_socket.call("fetch", {"score": score, "from": 1})["ok"]

        revoked = owner.delete(f"{server.url}/api/scores/{score}/links/{link['id']}", timeout=10)
        assert revoked.ok, revoked.text
        done = time.monotonic()
        assert ben_socket.got_revoked.wait(REVOKE_WITHIN_S + 2)
        assert ben_socket.revoked[0][0] - done < REVOKE_WITHIN_S
        assert not cleo_socket.got_revoked.is_set()  # by hand, not through the link
        assert repos.members.role_of(score, server_user_id(repos, ben)) is None
        dead = guest.get(f"{server.url}/s/{link['token']}", allow_redirects=False, timeout=10)
        assert dead.status_code == 410 and "revoked" in dead.text
    finally:
        ben_socket.close()
        cleo_socket.close()


def test_deleting_a_score_evicts_everyone_and_restoring_lets_them_back(
    world: tuple[LiveServer, EditLog, Repositories],
) -> None:
    server, service, repos = world
    ana, ben = fresh_names("ana", "ben")
    ana_id = server.signup(ana)["id"]
    ben_id = server.signup(ben)["id"]
    score = service.create_score(ana_id, "Bin")
    repos.members.set_member(score, ben_id, "editor")
    watcher = Watcher(server, server.token(ben))
    try:
        assert watcher.call("join", {"score": score})["ok"]
        repos.trash.put(score, ana_id)  # as the library's DELETE does, from this process
        assert watcher.got_revoked.wait(REVOKE_WITHIN_S + 2)
        assert watcher.revoked[0][1]["reason"] == "the score was deleted"
        assert watcher.call("join", {"score": score})["error"]["code"] == "forbidden"
        repos.trash.restore(score)
        assert watcher.call("join", {"score": score})["role"] == "editor"
    finally:
        watcher.close()


def server_user_id(repos: Repositories, name: str) -> int:
    user = repos.users.user_by_name(name)
    assert user is not None
    return int(user["id"])


def _title(title: str) -> dict[str, Any]:
    return {"op": "set_meta", "title": title}


def test_removal_through_one_process_evicts_a_socket_on_another(
    pg_url: str, start_server: Callable[..., LiveServer]
) -> None:
    """Two ``tutti serve`` processes (PostgreSQL + the Redis message queue): Ana removes
    Ben through the first; his socket on the second is evicted and his presence goes."""
    import secrets

    env = {"TUTTI_MESSAGE_QUEUE": "redis://127.0.0.1:6379/0"}
    env["TUTTI_SECRET_KEY"] = secrets.token_hex(16)
    first, second = start_server(pg_url, env), start_server(pg_url, env)
    service = EditLog(Database(pg_url))
    ana, ben = fresh_names("ana", "ben")
    try:
        ana_id = first.signup(ana)["id"]
        ben_id = first.signup(ben)["id"]
        score = service.create_score(ana_id, "Two processes")
        Repositories.over(service.db).members.set_member(score, ben_id, "commenter")
        watcher = Watcher(second, first.token(ben))
        writer = TuttiClient(first.url, first.token(ana)).connect()
        try:
            assert watcher.call("join", {"score": score})["role"] == "commenter"
            writer.join(score)
            deadline = time.monotonic() + 5
            while len(writer.presence) < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert sorted(p["user"]["name"] for p in writer.presence) == sorted([ana, ben])
            owner = first.browser()
            owner.post(f"{first.url}/api/login", json={"name": ana, "password": "secret-pw"})
            removed = owner.delete(f"{first.url}/api/scores/{score}/members/{ben}", timeout=10)
            assert removed.ok, removed.text
            done = time.monotonic()
            assert watcher.got_revoked.wait(REVOKE_WITHIN_S + 2)
            assert watcher.revoked[0][0] - done < REVOKE_WITHIN_S
            deadline = time.monotonic() + 5
            while len(writer.presence) > 1 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert [p["user"]["name"] for p in writer.presence] == [ana]
            assert watcher.call("fetch", {"score": score, "from": 1})["ok"] is False
        finally:
            writer.close()
            watcher.close()
    finally:
        service.db.dispose()
