"""Recovery against the real server: kill -9 mid-stream, and catch-up after being offline."""

from __future__ import annotations

import threading
import time
from typing import Any

import socketio

from server.client import TuttiClient
from server.editing import EditLog, replay
from tests.support.records import records

from .conftest import LiveServer, fresh_names


def _note_edit(tag: str, i: int, measure: str = "m1") -> list[dict[str, Any]]:
    return [
        {
            "op": "write_event",
            "part": "p1",
            "measure": measure,
            "offset": f"{i % 4}/4",
            "event": {
                "id": f"{tag}e{i}",
                "dur": {"type": 4},
                "notes": [{"id": f"{tag}n{i}", "step": "CDEFGAB"[i % 7], "octave": 4}],
            },
        }
    ]


def test_kill_9_loses_no_acknowledged_edit(
    live_server: LiveServer, server_service: EditLog, clients: list[TuttiClient]
) -> None:
    ana = live_server.signup("ana")
    bob = live_server.signup("bob")
    score = server_service.create_score(ana["id"])
    records(server_service).members.set_member(score, bob["id"], "editor")
    writer = live_server.client("ana")
    watcher = live_server.client("bob")
    clients += [writer, watcher]
    writer.join(score)
    watcher.join(score)
    sent: dict[int, list[dict[str, Any]]] = {}
    stop = threading.Event()

    def stream() -> None:
        i = 0
        while not stop.is_set():
            ops = _note_edit("w", i, measure=f"m{1 + i % 4}")
            sent[writer.submit(ops)] = ops
            i += 1
            time.sleep(0.01)  # a fast typist; the client's flow control paces the rest

    thread = threading.Thread(target=stream)
    thread.start()
    try:
        deadline = time.monotonic() + 60  # generous: CI machines can be very busy
        while len(writer.acknowledged) < 40:
            assert time.monotonic() < deadline, (
                f"the stream did not get going: {len(writer.acknowledged)} acknowledged, "
                f"{writer.pending} pending, errors {writer.errors}, dropped {writer.dropped[:1]}"
                f", connected {writer.connected}"
            )
            time.sleep(0.01)
        live_server.kill()
        acked_before_kill = dict(writer.acknowledged)
        time.sleep(0.3)  # edits keep coming while the server is down: they queue up
    finally:
        stop.set()
        thread.join()
    live_server.start()  # same port, same database
    writer.wait_synced(timeout=30)
    watcher.wait_synced(timeout=30)

    doc, head = server_service.load(score)
    log = server_service.edits(score)
    for client_seq, seq in acked_before_kill.items():
        assert log[seq - 1].ops == sent[client_seq], f"acknowledged edit {seq} lost or changed"
        assert log[seq - 1].client_seq == client_seq
    assert writer.acknowledged.items() >= acked_before_kill.items()
    assert len(writer.acknowledged) == len(sent) == head, "every edit stored exactly once"
    assert writer.document == watcher.document == doc
    assert replay(server_service.doc_at(score, 0), [e.ops for e in log]) == doc
    assert server_service.verify_log(score) == []
    assert writer.dropped == [] and writer.errors == [] and watcher.errors == []


def test_catch_up_after_offline_gets_exactly_the_missed_edits(
    shared_server: tuple[LiveServer, EditLog], clients: list[TuttiClient]
) -> None:
    live_server, server_service = shared_server
    ana_name, bob_name = fresh_names("ana", "bob")
    ana = live_server.signup(ana_name)
    bob = live_server.signup(bob_name)
    score = server_service.create_score(ana["id"])
    records(server_service).members.set_member(score, bob["id"], "editor")
    online = live_server.client(bob_name)
    clients.append(online)
    online.join(score)
    for i in range(3):
        online.submit(_note_edit("b", i))
    online.wait_synced()

    away = live_server.client(ana_name)
    clients.append(away)
    away.join(score)
    assert away.confirmed_seq == 3
    away.close()  # offline
    k = 17
    for i in range(3, 3 + k):
        online.submit(_note_edit("b", i, measure="m2"))
    online.wait_synced()

    # Exactly the K missed edits, in order, as a raw client asking with since=3 sees them.
    raw = socketio.Client(reconnection=False)
    raw.connect(
        live_server.url, auth={"token": live_server.token(ana_name)}, transports=["websocket"]
    )
    try:
        ack = raw.call("join", {"score": score, "since": 3})
    finally:
        raw.disconnect()
    assert ack["ok"] and "snapshot" not in ack and ack["head"] == 3 + k
    assert [e["seq"] for e in ack["edits"]] == list(range(4, 4 + k))
    assert [e["ops"] for e in ack["edits"]] == [_note_edit("b", i, "m2") for i in range(3, 3 + k)]

    # And the headless client gets there by itself when it comes back.
    away.connect()
    away.wait_synced()
    assert away.confirmed_seq == 3 + k
    assert away.document == online.document == server_service.load(score)[0]


def test_far_behind_client_gets_a_snapshot(shared_server: tuple[LiveServer, EditLog]) -> None:
    live_server, server_service = shared_server
    (ana_name,) = fresh_names("ana")
    ana = live_server.signup(ana_name)
    score = server_service.create_score(ana["id"])
    for i in range(501):  # one more than the catch-up limit
        server_service.submit(score, ana["id"], _note_edit("s", i, measure=f"m{1 + i % 4}"))
    raw = socketio.Client(reconnection=False)
    raw.connect(
        live_server.url, auth={"token": live_server.token(ana_name)}, transports=["websocket"]
    )
    try:
        behind = raw.call("join", {"score": score, "since": 0})
        near = raw.call("join", {"score": score, "since": 1})
    finally:
        raw.disconnect()
    assert behind["seq"] == 501 and behind["edits"] == []
    assert behind["snapshot"] == server_service.load(score)[0]
    assert "snapshot" not in near and len(near["edits"]) == 500


def test_resubmission_already_inside_a_snapshot_is_confirmed(
    shared_server: tuple[LiveServer, EditLog], clients: list[TuttiClient]
) -> None:
    """An edit stored while its ack was lost, then caught up by snapshot, is not pending."""
    live_server, server_service = shared_server
    (name,) = fresh_names("ana")
    ana = live_server.signup(name)
    score = server_service.create_score(ana["id"])
    client = live_server.client(name)
    clients.append(client)
    client.join(score)
    client.close()
    mine = _note_edit("mine", 0)
    client.submit(mine)  # offline: queued as client_seq 1
    # The server stores it anyway, as if it had arrived just before the connection
    # died (the ack never reached us)...
    raw = socketio.Client(reconnection=False)
    raw.connect(live_server.url, auth={"token": live_server.token(name)}, transports=["websocket"])
    try:
        raw.call("join", {"score": score})
        payload = {"score": score, "client_id": client.client_id, "client_seq": 1, "ops": mine}
        assert raw.call("submit", payload)["seq"] == 1
    finally:
        raw.disconnect()
    # ...and so much happens afterwards that the client comes back to a snapshot.
    for i in range(501):
        server_service.submit(score, ana["id"], _note_edit("s", i, measure=f"m{2 + i % 3}"))
    client.connect()
    client.wait_synced(timeout=20)
    assert client.pending == 0 and client.acknowledged[1] == 1
    assert client.document == server_service.load(score)[0]
    assert server_service.head_seq(score) == 502
