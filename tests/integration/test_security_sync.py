"""Security of the live server: who may connect, join, edit, and what a hostile client cannot do.

One server (module scope) with tight rates (edits 5/s burst 8, other events 5/s
burst 10) and small size
limits so that the limits are reached quickly; each test uses its own users.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio
from itsdangerous import URLSafeTimedSerializer

from server.client import TuttiClient
from server.editing import EditLog
from server.persistence import Database, init_db
from tests.support.records import records

from .conftest import LiveServer

LIMITS = {
    "TUTTI_SYNC_EDIT_RATE": "5",
    "TUTTI_SYNC_EDIT_BURST": "8",
    "TUTTI_SYNC_MAX_OPS": "50",
    "TUTTI_SYNC_MAX_EDIT_BYTES": "20000",
    "TUTTI_SYNC_MAX_MESSAGE_BYTES": "100000",
    "TUTTI_SYNC_EVENT_RATE": "5",
    "TUTTI_SYNC_EVENT_BURST": "10",
    "TUTTI_SYNC_ROLE_RECHECK_S": "0.3",
}
_names = itertools.count()


@pytest.fixture(scope="module")
def secure(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, EditLog]]:
    workdir: Path = tmp_path_factory.mktemp("security")
    url = f"sqlite:///{workdir / 'security.sqlite3'}"
    init_db(url)
    server = LiveServer(url, workdir, LIMITS).start()
    service = EditLog(Database(url))
    yield server, service
    server.stop()
    service.db.dispose()


def _users(server: LiveServer, *roles: str) -> list[dict[str, Any]]:
    return [server.signup(f"{role}{next(_names)}") for role in roles]


def _raw(server: LiveServer, token: str | None = None, **options: Any) -> socketio.Client:
    sio = socketio.Client(reconnection=False)
    sio.connect(
        server.url,
        auth={"token": token} if token else None,
        transports=["websocket"],
        **options,
    )
    return sio


def _submit(sio: socketio.Client, score: str, seq: int, ops: list[Any], **extra: Any) -> Any:
    payload = {"score": score, "client_id": "x", "client_seq": seq, "ops": ops, **extra}
    return sio.call("submit", payload, timeout=10)


TITLE = [{"op": "set_meta", "title": "Mine"}]


def test_anonymous_and_bad_credentials_are_refused(secure: tuple[LiveServer, EditLog]) -> None:
    server, _ = secure
    (user,) = _users(server, "u")
    # A stateless token as issued before server-side credentials, signed with the real
    # key: no live row, so refused.
    signer = URLSafeTimedSerializer(server.secret_key, salt="tutti-api-token")
    stateless = signer.dumps({"uid": user["id"]})
    revoked = server.token(user["name"])
    me = requests.get(f"{server.url}/api/tokens", headers=_bearer(revoked), timeout=5).json()
    (row,) = [t for t in me["tokens"]]
    gone = requests.delete(
        f"{server.url}/api/tokens/{row['id']}", headers=_bearer(revoked), timeout=5
    )
    assert gone.status_code == 200
    for auth in (
        None,
        {},
        {"token": "garbage"},
        {"token": stateless},
        {"token": revoked},
        {"user_id": user["id"]},
    ):
        sio = socketio.Client(reconnection=False)
        with pytest.raises(socketio.exceptions.ConnectionError):
            sio.connect(server.url, auth=auth, transports=["websocket"])
    with pytest.raises(Exception, match="bad_credentials"):
        TuttiClient(server.url, name=user["name"], password="wrong-password")


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_session_cookie_authenticates_a_same_origin_socket(
    secure: tuple[LiveServer, EditLog],
) -> None:
    server, service = secure
    (user,) = _users(server, "cookie")
    score = service.create_score(user["id"])
    http = server.browser()
    login = http.post(
        f"{server.url}/api/login", json={"name": user["name"], "password": "secret-pw"}, timeout=5
    )
    assert login.status_code == 200
    cookie = "; ".join(f"{c.name}={c.value}" for c in http.cookies)
    # websocket-client sends the same-origin ``Origin: http://127.0.0.1:<port>`` itself.
    sio = _raw(server, headers={"Cookie": cookie})
    try:
        joined = sio.call("join", {"score": score})
        assert joined["ok"] and joined["user"]["id"] == user["id"]
    finally:
        sio.disconnect()


def test_foreign_origin_is_refused(secure: tuple[LiveServer, EditLog]) -> None:
    server, _ = secure
    (user,) = _users(server, "origin")
    token = server.token(user["name"])
    evil = "http://evil.example"
    # websocket-client writes the Origin header itself: set it through its own option.
    ws = socketio.Client(reconnection=False, websocket_extra_options={"origin": evil})
    with pytest.raises(socketio.exceptions.ConnectionError):
        ws.connect(server.url, auth={"token": token}, transports=["websocket"])
    polling = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        polling.connect(
            server.url, headers={"Origin": evil}, auth={"token": token}, transports=["polling"]
        )
    # The very same client with the server's own origin gets in. (No polling client
    # here: its disconnect can wait out a 25 s long-poll.)
    same = socketio.Client(reconnection=False, websocket_extra_options={"origin": server.url})
    same.connect(server.url, auth={"token": token}, transports=["websocket"])
    assert same.connected
    same.disconnect()


def test_author_comes_from_the_session_not_the_payload(
    secure: tuple[LiveServer, EditLog],
) -> None:
    server, service = secure
    ana, bob = _users(server, "ana", "bob")
    score = service.create_score(ana["id"])
    records(service).members.set_member(score, bob["id"], "editor")
    sio = _raw(server, server.token(bob["name"]))
    try:
        sio.call("join", {"score": score})
        spoof = {"author": {"id": ana["id"], "name": ana["name"]}, "author_id": ana["id"]}
        ack = _submit(sio, score, 1, TITLE, **spoof)
        assert ack["ok"]
    finally:
        sio.disconnect()
    (edit,) = service.edits(score)
    assert edit.author_id == bob["id"] and edit.author_name == bob["name"]


def test_viewer_cannot_edit_and_revocation_applies_at_once(
    secure: tuple[LiveServer, EditLog],
) -> None:
    server, service = secure
    owner, viewer = _users(server, "owner", "viewer")
    score = service.create_score(owner["id"])
    records(service).members.set_member(score, viewer["id"], "viewer")
    sio = _raw(server, server.token(viewer["name"]))
    try:
        assert sio.call("join", {"score": score})["role"] == "viewer"
        ack = _submit(sio, score, 1, TITLE)
        assert ack["ok"] is False and ack["error"]["code"] == "forbidden"
        assert sio.call("fetch", {"score": score, "from": 1})["ok"]  # reading is fine
        records(service).members.set_member(score, viewer["id"], None)  # removed while connected
        assert sio.call("fetch", {"score": score, "from": 1})["error"]["code"] == "forbidden"
    finally:
        sio.disconnect()
    assert service.head_seq(score) == 0


def test_non_member_cannot_join_or_act(secure: tuple[LiveServer, EditLog]) -> None:
    server, service = secure
    owner, stranger = _users(server, "owner", "stranger")
    score = service.create_score(owner["id"])
    sio = _raw(server, server.token(stranger["name"]))
    try:
        joined = sio.call("join", {"score": score})
        assert joined["ok"] is False and joined["error"]["code"] == "forbidden"
        assert "snapshot" not in joined and "edits" not in joined
        assert _submit(sio, score, 1, TITLE)["error"]["code"] == "not_joined"
        assert sio.call("fetch", {"score": score, "from": 1})["error"]["code"] == "not_joined"
        assert sio.call("join", {"score": "nosuchscore"})["error"]["code"] == "forbidden"
    finally:
        sio.disconnect()
    assert service.head_seq(score) == 0


def test_only_the_owner_adds_members_over_http(secure: tuple[LiveServer, EditLog]) -> None:
    server, service = secure
    owner, editor, newcomer = _users(server, "owner", "editor", "newcomer")
    score = service.create_score(owner["id"])
    records(service).members.set_member(score, editor["id"], "editor")

    def add(as_user: dict[str, Any], name: str, role: str) -> requests.Response:
        return requests.post(
            f"{server.url}/api/scores/{score}/members",
            json={"name": name, "role": role},
            headers={"Authorization": f"Bearer {server.token(as_user['name'])}"},
            timeout=5,
        )

    assert add(editor, newcomer["name"], "owner").status_code == 403
    assert add(owner, "nobody-here", "viewer").status_code == 404
    assert add(owner, newcomer["name"], "admin").status_code == 400
    assert add(owner, newcomer["name"], "viewer").status_code == 200
    assert records(service).members.role_of(score, newcomer["id"]) == "viewer"
    anonymous = requests.post(
        f"{server.url}/api/scores/{score}/members", json={"name": "x", "role": "viewer"}, timeout=5
    )
    assert anonymous.status_code == 401


def test_oversized_payloads_are_refused_without_hurting_others(
    secure: tuple[LiveServer, EditLog],
) -> None:
    server, service = secure
    ana, bob = _users(server, "ana", "bob")
    score = service.create_score(ana["id"])
    records(service).members.set_member(score, bob["id"], "editor")
    bystander = TuttiClient(server.url, server.token(bob["name"])).connect()
    attacker = _raw(server, server.token(ana["name"]))
    try:
        bystander.join(score)
        attacker.call("join", {"score": score})
        many = _submit(attacker, score, 1, TITLE * 51)
        assert many["ok"] is False and many["error"]["code"] == "payload_too_large"
        big = [{"op": "set_meta", "title": "x" * 30_000}]
        assert _submit(attacker, score, 2, big)["error"]["code"] == "payload_too_large"
        assert attacker.connected  # refused politely: the connection lives on
        # A frame beyond engineio's message limit closes that one connection...
        attacker.emit("submit", {"score": score, "ops": [{"op": "set_meta", "x": "y" * 200_000}]})
        deadline = time.monotonic() + 10
        while attacker.connected and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not attacker.connected
        # ...and nobody else notices.
        bystander.submit([{"op": "set_meta", "title": "Still here"}])
        bystander.wait_synced()
        assert bystander.document["title"] == "Still here"
        assert service.head_seq(score) == 1
    finally:
        bystander.close()
        if attacker.connected:
            attacker.disconnect()


def test_edit_flood_is_rate_limited(secure: tuple[LiveServer, EditLog]) -> None:
    server, service = secure
    (ana,) = _users(server, "flood")
    score = service.create_score(ana["id"])
    sio = _raw(server, server.token(ana["name"]))
    try:
        sio.call("join", {"score": score})
        acks = [
            _submit(sio, score, i, [{"op": "set_meta", "title": f"t{i}"}]) for i in range(1, 16)
        ]
    finally:
        sio.disconnect()
    codes = [a["error"]["code"] if not a["ok"] else "ok" for a in acks]
    assert codes[:8] == ["ok"] * 8  # the burst
    assert "rate_limited" in codes
    limited = next(a for a in acks if not a["ok"])
    assert limited["error"]["retry_after"] > 0
    assert service.head_seq(score) == codes.count("ok")


def test_presence_flood_is_rate_limited(secure: tuple[LiveServer, EditLog]) -> None:
    server, service = secure
    (ana,) = _users(server, "selector")
    score = service.create_score(ana["id"])
    sio = _raw(server, server.token(ana["name"]))
    try:
        sio.call("join", {"score": score})
        acks = [sio.call("select", {"score": score, "selection": [f"e{i}"]}) for i in range(15)]
    finally:
        sio.disconnect()
    assert all(a["ok"] for a in acks[:9])  # the burst (the join took one)
    assert any(not a["ok"] and a["error"]["code"] == "rate_limited" for a in acks)


def test_removed_member_is_evicted_from_the_live_stream(
    secure: tuple[LiveServer, EditLog],
) -> None:
    server, service = secure
    owner, member = _users(server, "owner", "member")
    score = service.create_score(owner["id"])
    records(service).members.set_member(score, member["id"], "editor")
    edits: list[dict] = []
    revoked = threading.Event()
    sio = _raw(server, server.token(member["name"]))
    sio.on("edit", edits.append)
    sio.on("revoked", lambda message: revoked.set())
    writer = TuttiClient(server.url, server.token(owner["name"])).connect()
    try:
        sio.call("join", {"score": score})
        writer.join(score)
        writer.submit([{"op": "set_meta", "title": "Before"}])
        writer.wait_synced()
        records(service).members.set_member(score, member["id"], None)  # removed while connected
        assert revoked.wait(10), "the removed member was not evicted"
        writer.submit([{"op": "set_meta", "title": "After"}])
        writer.wait_synced()
        time.sleep(0.3)
        assert [e["ops"][0]["title"] for e in edits] == ["Before"]
        assert [p["user"]["name"] for p in writer.presence] == [owner["name"]]
    finally:
        writer.close()
        sio.disconnect()


def test_a_huge_exponent_cannot_freeze_the_server(
    secure: tuple[LiveServer, EditLog],
) -> None:
    server, service = secure
    (ana,) = _users(server, "exp")
    score = service.create_score(ana["id"])
    sio = _raw(server, server.token(ana["name"]))
    try:
        sio.call("join", {"score": score})
        event = {"id": "e", "dur": {"type": 4}, "notes": []}
        op = {"op": "write_event", "part": "p1", "measure": "m1", "offset": "1e-100000000"}
        ack = _submit(sio, score, 1, [{**op, "event": event}])
        assert ack["error"]["code"] == "bad_request"
        assert _submit(sio, score, 2, TITLE)["ok"]  # answered at once, still serving
    finally:
        sio.disconnect()


def test_revoking_in_another_process_cuts_the_socket(secure: tuple[LiveServer, EditLog]) -> None:
    """A token revoked by another process (here the test's, writing the database like a
    second worker would) cuts the server's socket opened with it within the re-check."""
    from server.persistence import Credentials

    server, service = secure
    (user,) = _users(server, "cut")
    score = service.create_score(user["id"])
    token = server.token(user["name"])
    revoked = threading.Event()
    sio = _raw(server, token)
    sio.on("revoked", lambda message: revoked.set())
    try:
        assert sio.call("join", {"score": score})["ok"]
        credentials = Credentials(service.db)
        (row,) = credentials.live(user["id"], "token")
        assert credentials.revoke(user["id"], row["id"])
        assert revoked.wait(10), "the socket of the revoked token was not told"
        deadline = time.monotonic() + 5
        while sio.connected and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not sio.connected
    finally:
        if sio.connected:
            sio.disconnect()
