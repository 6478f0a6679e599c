"""The protocol end to end against a real ``tutti serve``: join, submit, broadcast, presence."""

from __future__ import annotations

import time

import socketio

from server.editing import EditLog
from server.sync import protocol
from tests.support.records import records

from .conftest import LiveServer, fresh_names

Shared = tuple[LiveServer, EditLog]


def _score(shared: Shared, **roles: str) -> tuple[LiveServer, EditLog, str, dict]:
    """A score owned by ``ana<n>``; ``roles`` maps other base names to their roles."""
    server, service = shared
    names = fresh_names("ana", *roles)
    users = {base: server.signup(name) for base, name in zip(["ana", *roles], names, strict=True)}
    score = service.create_score(users["ana"]["id"])
    for base, role in roles.items():
        records(service).members.set_member(score, users[base]["id"], role)
    return server, service, score, users


def _wait(predicate, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.02)


def test_two_clients_see_each_others_edits(shared_server: Shared, clients: list) -> None:
    live_server, server_service, score, users = _score(shared_server, bob="editor")
    a = live_server.client(users["ana"]["name"])
    b = live_server.client(users["bob"]["name"])
    clients += [a, b]
    a.join(score)
    b.join(score)
    event = a.document["parts"][0]["bars"]["m1"]["voices"]["1"][0]["id"]
    a.submit([{"op": "set_meta", "title": "Duet in C"}])
    b.submit(
        [
            {
                "op": "write_event",
                "part": "p1",
                "measure": "m2",
                "offset": "0",
                "event": {
                    "id": "b-e1",
                    "dur": {"type": 4},
                    "notes": [{"id": "b-n1", "step": "D", "octave": 4}],
                },
            }
        ]
    )
    a.wait_synced()
    b.wait_synced()
    doc, head = server_service.load(score)
    assert head == 2
    assert a.document == b.document == doc
    assert doc["title"] == "Duet in C"
    assert event  # the first bar had a filler rest to address
    log = server_service.edits(score)
    assert {e.author_name for e in log} == {users["ana"]["name"], users["bob"]["name"]}
    assert a.acknowledged == {1: next(e.seq for e in log if e.author_id == users["ana"]["id"])}


def test_presence_lists_people_and_selections_and_clears_on_disconnect(
    shared_server: Shared, clients: list
) -> None:
    live_server, _, score, users = _score(shared_server, bob="viewer")
    ana, bob = users["ana"]["name"], users["bob"]["name"]
    a = live_server.client(ana)
    clients.append(a)
    a.join(score)
    b = live_server.client(bob)
    b.join(score)
    _wait(lambda: len(a.presence) == 2)
    names = sorted(p["user"]["name"] for p in a.presence)
    assert names == [ana, bob]
    assert all(p["user"]["colour"].startswith("#") for p in a.presence)
    b.select(["m1.p1.r0"])
    _wait(lambda: any(p["selection"] == ["m1.p1.r0"] for p in a.presence))
    b.close()
    _wait(lambda: [p["user"]["name"] for p in a.presence] == [ana])


def test_raw_socketio_client_protocol(shared_server: Shared) -> None:
    """What a third-party client sees, envelope by envelope (see docs/protocol.md)."""
    live_server, server_service, score, users = _score(shared_server)
    ana = users["ana"]
    received: list[dict] = []
    sio = socketio.Client(reconnection=False)
    sio.on(protocol.EDIT, received.append)
    sio.connect(
        live_server.url, auth={"token": live_server.token(ana["name"])}, transports=["websocket"]
    )
    try:
        joined = sio.call("join", {"score": score})
        assert joined["ok"] and joined["seq"] == 0 and joined["role"] == "owner"
        assert joined["snapshot"] == server_service.load(score)[0]
        op = {"op": "set_meta", "title": "Raw"}
        ack = sio.call("submit", {"score": score, "client_id": "raw", "client_seq": 1, "ops": [op]})
        assert ack == {"ok": True, "seq": 1, "skipped": [], "duplicate": False}
        again = sio.call(
            "submit", {"score": score, "client_id": "raw", "client_seq": 1, "ops": [op]}
        )
        assert again == {"ok": True, "seq": 1, "skipped": [], "duplicate": True}
        bad = sio.call(
            "submit",
            {"score": score, "client_id": "raw", "client_seq": 2, "ops": [{"op": "nope"}]},
        )
        assert bad["ok"] is False and bad["error"]["code"] == "invalid_op"
        assert bad["error"]["op_index"] == 0
        missing = sio.call(
            "submit",
            {
                "score": score,
                "client_id": "raw",
                "client_seq": 3,
                "ops": [{"op": "delete_event", "event": "gone"}],
            },
        )
        assert missing["ok"] and missing["seq"] == 2
        assert missing["skipped"][0]["code"] == "missing_target"
        fetched = sio.call("fetch", {"score": score, "from": 1})
        assert [e["seq"] for e in fetched["edits"]] == [1, 2] and fetched["head"] == 2
        _wait(lambda: len(received) == 2)
        assert received[0]["author"] == {"id": ana["id"], "name": ana["name"]}
        assert received[0]["client_id"] == "raw" and received[0]["ops"] == [op]
        caught_up = sio.call("join", {"score": score, "since": 1})
        assert [e["seq"] for e in caught_up["edits"]] == [2] and caught_up["head"] == 2
        not_joined = sio.call("fetch", {"score": "other", "from": 1})
        assert not_joined["error"]["code"] == "not_joined"
        assert sio.call("leave", {"score": score}) == {"ok": True, "score": score}
        assert sio.call("join", "not an object")["error"]["code"] == "bad_request"
    finally:
        sio.disconnect()


def test_reused_client_seq_with_other_ops_is_refused_over_the_wire(
    shared_server: Shared, clients: list
) -> None:
    """Item 3 of issue 9: the second edit under one (client_id, client_seq) used to be
    acked ``duplicate: true`` and lost. Now it is refused, and nothing is stored."""
    live_server, server_service, score, users = _score(shared_server)
    ana = users["ana"]
    received: list[dict] = []
    sio = socketio.Client(reconnection=False)
    sio.on(protocol.EDIT, received.append)
    sio.connect(
        live_server.url, auth={"token": live_server.token(ana["name"])}, transports=["websocket"]
    )
    first = [{"op": "set_meta", "title": "First"}]
    other = [{"op": "set_meta", "title": "Other"}]
    try:
        assert sio.call("join", {"score": score})["ok"]
        submit = {"score": score, "client_id": "tab", "client_seq": 1}
        assert sio.call("submit", {**submit, "ops": first})["seq"] == 1
        refused = sio.call("submit", {**submit, "ops": other})
        assert refused["ok"] is False
        assert refused["error"]["code"] == protocol.CLIENT_SEQ_REUSED == "client_seq_reused"
        assert refused["error"]["seq"] == 1 and "client seq 1" in refused["error"]["message"]
        # The identical resubmission is still the original, and no seq was used.
        again = sio.call("submit", {**submit, "ops": first})
        assert again == {"ok": True, "seq": 1, "skipped": [], "duplicate": True}
        assert sio.call("submit", {**submit, "client_seq": 2, "ops": other})["seq"] == 2
        _wait(lambda: len(received) == 2)
        assert [e["ops"] for e in received] == [first, other]
    finally:
        sio.disconnect()
    assert [e.ops for e in server_service.edits(score)] == [first, other]
    assert server_service.verify_log(score) == []
    # The real client treats the refusal as final: a client restarted with the same id
    # and a fresh counter gets its edit dropped and reported, not resent forever.
    restarted = live_server.client(ana["name"], client_id="tab")
    clients.append(restarted)
    restarted.join(score)
    restarted.submit([{"op": "set_meta", "title": "Lost?"}])
    restarted.wait_synced()
    assert [(d.client_seq, d.code) for d in restarted.dropped] == [(1, "client_seq_reused")]
    assert restarted.document == server_service.load(score)[0]
    assert server_service.head_seq(score) == 2


def test_offline_edit_that_no_longer_applies_is_dropped_and_reported(
    shared_server: Shared, clients: list
) -> None:
    live_server, server_service, score, users = _score(shared_server, bob="editor")
    a = live_server.client(users["ana"]["name"])
    b = live_server.client(users["bob"]["name"])
    clients += [a, b]
    a.join(score)
    b.join(score)
    a.submit(
        [
            {
                "op": "write_event",
                "part": "p1",
                "measure": "m1",
                "offset": "0",
                "event": {
                    "id": "x",
                    "dur": {"type": 4},
                    "notes": [{"id": "x1", "step": "C", "octave": 4}],
                },
            }
        ]
    )
    a.wait_synced()
    b.wait_synced()
    b.close()  # offline: Bob adds E4 to the chord, queued
    bobs = [{"op": "add_note", "event": "x", "note": {"id": "b1", "step": "E", "octave": 4}}]
    b.submit(bobs)
    assert [n["id"] for n in b.document["parts"][0]["bars"]["m1"]["voices"]["1"][0]["notes"]] == [
        "x1",
        "b1",
    ]
    # Meanwhile Ana adds the same pitch: Bob's edit will clash with it.
    a.submit([{"op": "add_note", "event": "x", "note": {"id": "a1", "step": "E", "octave": 4}}])
    a.wait_synced()
    b.connect()
    b.wait_synced()
    assert [(d.client_seq, d.code) for d in b.dropped] == [(1, "invalid_op")]
    assert b.dropped[0].ops == bobs
    assert b.document == a.document == server_service.load(score)[0]
    notes = b.document["parts"][0]["bars"]["m1"]["voices"]["1"][0]["notes"]
    assert [n["id"] for n in notes] == ["x1", "a1"]


def test_a_submit_after_an_unstored_edit_is_refused_out_of_order_over_the_wire(
    shared_server: Shared, clients: list
) -> None:
    """A pipelined edit whose predecessor was refused (rate limit, database error) must not
    run without it: a later edit could remove the bars the refused one writes into. With
    ``after`` the server keeps one client's order; without, nothing changes."""
    live_server, server_service, score, users = _score(shared_server)
    ana = users["ana"]
    sio = socketio.Client(reconnection=False)
    sio.connect(
        live_server.url, auth={"token": live_server.token(ana["name"])}, transports=["websocket"]
    )
    first = [{"op": "set_meta", "title": "First"}]
    second = [{"op": "set_meta", "title": "Second"}]
    try:
        assert sio.call("join", {"score": score})["ok"]
        submit = {"score": score, "client_id": "pipe"}
        early = sio.call("submit", {**submit, "client_seq": 2, "after": 1, "ops": second})
        assert early["ok"] is False
        assert early["error"]["code"] == protocol.OUT_OF_ORDER == "out_of_order"
        assert early["error"]["after"] == 1
        assert sio.call("submit", {**submit, "client_seq": 1, "ops": first})["seq"] == 1
        again = sio.call("submit", {**submit, "client_seq": 2, "after": 1, "ops": second})
        assert again["ok"] and again["seq"] == 2 and not again["duplicate"]
        bad = sio.call("submit", {**submit, "client_seq": 3, "after": -1, "ops": first})
        assert bad["error"]["code"] == "bad_request"
    finally:
        sio.disconnect()
    assert [e.ops for e in server_service.edits(score)] == [first, second]
