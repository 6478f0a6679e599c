"""Undo and redo against a real ``tutti serve``: ``TuttiClient.undo()`` / ``redo()`` and the
raw ``revert`` event (docs/protocol.md). Two people write in the SAME bar (same part, same
voice): undoing one's own note must never take the other's with it."""

from __future__ import annotations

from typing import Any

import requests
import socketio

from server.client import SyncError, TuttiClient
from server.editing import EditLog
from server.persistence import Database
from tests.support.records import records

from .conftest import LiveServer, fresh_names

Shared = tuple[LiveServer, EditLog]


def _setup(shared: Shared, clients: list[TuttiClient]) -> tuple[Any, ...]:
    server, service = shared
    ana_name, ben_name = fresh_names("ana", "ben")
    ana, ben = server.signup(ana_name), server.signup(ben_name)
    score = service.create_score(ana["id"])
    records(service).members.set_member(score, ben["id"], "editor")
    a, b = server.client(ana_name), server.client(ben_name)
    clients += [a, b]
    a.join(score)
    b.join(score)
    return server, service, score, a, b, ana, ben


def _write(event_id: str, step: str, offset: str) -> list[dict[str, Any]]:
    note = {"id": f"{event_id}n", "step": step, "alter": 0, "octave": 4}
    event = {"id": event_id, "dur": {"type": 4}, "notes": [note]}
    return [{"op": "write_event", "part": "p1", "measure": "m1", "offset": offset, "event": event}]


def _notes(doc: dict[str, Any]) -> list[tuple[str, str]]:
    """(note id, step) of every note in bar 1, part 1, voice 1, in order."""
    voice = doc["parts"][0]["bars"]["m1"]["voices"]["1"]
    return [(n["id"], n["step"]) for e in voice for n in e["notes"]]


def _synced(service: EditLog, score: str, *clients: TuttiClient) -> dict[str, Any]:
    """The database's document, after checking every client holds exactly it."""
    for client in clients:
        client.wait_synced()
    service.forget_cache()
    doc, _ = service.load(score)
    for client in clients:
        assert client.document == doc
    return doc


def test_undo_keeps_a_collaborators_note_in_the_same_bar_and_redo_brings_mine_back(
    shared_server: Shared, clients: list[TuttiClient]
) -> None:
    _, service, score, a, b, _, ben = _setup(shared_server, clients)
    a.submit(_write("ana-e", "C", "0"))
    a.wait_synced()
    b.wait_synced()
    b.submit(_write("ben-e", "E", "1/4"))  # later, same bar, same voice
    b.wait_synced()
    a.wait_synced()
    assert _notes(a.document) == [("ana-en", "C"), ("ben-en", "E")]

    undone = a.undo()
    assert undone is not None and undone.target == 1 and undone.seq == 3
    assert undone.outcome == "partly_reverted"
    # Her note is gone, its beat stays a rest: Ben reshaped the bar's rhythm after her.
    assert undone.conflicts == [
        f"m. 1, Piano: the rhythm of voice 1 was changed later by {ben['name']}; kept"
    ]
    assert _notes(a.document) == [("ben-en", "E")]  # in Ana's document on return
    assert _notes(_synced(service, score, a, b)) == [("ben-en", "E")]
    log = service.edits(score)
    assert (log[-1].origin, log[-1].meta, log[-1].author_name) == (
        "revert",
        {"reverts": [1]},
        a.user["name"] if a.user else None,
    )

    redone = a.redo()
    assert redone is not None and redone.target == 3 and redone.outcome == "reverted"
    assert _notes(_synced(service, score, a, b)) == [("ana-en", "C"), ("ben-en", "E")]
    assert a.redo() is None  # one undo, one redo
    # Undo again undoes the redo: the stack holds the redo edit now.
    again = a.undo()
    assert again is not None and again.target == redone.seq
    assert _notes(_synced(service, score, a, b)) == [("ben-en", "E")]
    assert a.undo() is None and b.errors == [] and a.errors == []


def test_redo_after_a_collaborator_changed_the_bar_again_keeps_their_work(
    shared_server: Shared, clients: list[TuttiClient]
) -> None:
    _, service, score, a, b, _, _ = _setup(shared_server, clients)
    a.submit(_write("ana-e", "C", "0"))
    a.wait_synced()
    b.wait_synced()
    b.submit(_write("ben-e", "E", "1/4"))
    b.wait_synced()
    a.wait_synced()
    assert a.undo() is not None
    b.wait_synced()
    b.submit(_write("ben-f", "F", "1/2"))  # Ben writes on while Ana's note is undone
    b.wait_synced()
    a.wait_synced()
    redone = a.redo()
    assert redone is not None and redone.seq is not None
    assert _notes(_synced(service, score, a, b)) == [
        ("ana-en", "C"),
        ("ben-en", "E"),
        ("ben-fn", "F"),
    ]


def test_redo_after_a_collaborator_wrote_over_my_undone_beat_keeps_their_note(
    shared_server: Shared, clients: list[TuttiClient]
) -> None:
    _, service, score, a, b, _, ben = _setup(shared_server, clients)
    a.submit(_write("ana-e", "C", "0"))
    a.wait_synced()
    b.wait_synced()
    b.submit(_write("ben-e", "E", "1/4"))
    b.wait_synced()
    a.wait_synced()
    undone = a.undo()
    assert undone is not None and undone.seq is not None
    b.wait_synced()
    b.submit(_write("ben-g", "G", "0"))  # Ben writes on the beat Ana's undo freed
    b.wait_synced()
    a.wait_synced()
    redone = a.redo()
    assert redone is not None and redone.seq is None and redone.outcome == "kept_by_others"
    assert redone.message == (
        f"Nothing could be redone: what edit {undone.seq} changed was removed later by "
        f"{ben['name']}; kept"
    )
    assert _notes(_synced(service, score, a, b)) == [("ben-gn", "G"), ("ben-en", "E")]


def test_undo_pressed_before_the_ack_waits_for_it_and_reverts_that_edit(
    shared_server: Shared, clients: list[TuttiClient]
) -> None:
    _, service, score, a, b, _, _ = _setup(shared_server, clients)
    b.submit(_write("ben-e", "E", "1/4"))
    b.wait_synced()
    a.wait_synced()
    client_seq = a.submit(_write("ana-e", "C", "0"))
    # No wait: undo names the edit by the seq its ack brings, never by a guess.
    undone = a.undo()
    assert undone is not None and undone.target == a.acknowledged[client_seq] == 2
    assert _notes(_synced(service, score, a, b)) == [("ben-en", "E")]


def test_undo_after_a_collaborator_changed_my_note_keeps_their_pitch_and_says_so(
    shared_server: Shared, clients: list[TuttiClient]
) -> None:
    _, service, score, a, b, _, ben = _setup(shared_server, clients)
    a.submit(_write("ana-e", "C", "0"))
    a.wait_synced()
    b.wait_synced()
    b.submit([{"op": "set_pitch", "note": "ana-en", "step": "G", "alter": 0, "octave": 4}])
    b.wait_synced()
    a.wait_synced()
    undone = a.undo()
    assert undone is not None and undone.seq is None and undone.outcome == "kept_by_others"
    said = f"m. 1, Piano: the pitch of G4 was changed later by {ben['name']}; kept"
    assert undone.conflicts == [said]
    assert undone.message == f"Nothing could be undone: {said}"
    assert _notes(_synced(service, score, a, b)) == [("ana-en", "G")]
    assert service.head_seq(score) == 2  # nothing stored
    assert a.undo() is None and a.redo() is None  # the entry is used up, nothing to redo


def test_undo_of_an_edit_someone_else_reverted_says_it_was_already_undone(
    shared_server: Shared, clients: list[TuttiClient]
) -> None:
    server, service, score, a, b, _, _ = _setup(shared_server, clients)
    a.submit(_write("ana-e", "C", "0"))
    a.wait_synced()
    # Ben reverts it from the history panel (HTTP), then Ana presses undo.
    token = server.token(b.user["name"] if b.user else "")
    reply = requests.post(
        f"{server.url}/api/scores/{score}/revert",
        json={"seqs": [1]},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert reply.json()["seq"] == 2, reply.text
    a.wait_synced()
    undone = a.undo()
    assert undone is not None and undone.outcome == "already_reverted"
    assert undone.message == "That edit was already undone"
    assert service.head_seq(score) == 2 and a.undo() is None


def test_undo_while_offline_says_so_and_keeps_the_edit_undoable(
    shared_server: Shared, clients: list[TuttiClient]
) -> None:
    server, service, score, a, b, _, _ = _setup(shared_server, clients)
    a.submit(_write("ana-e", "C", "0"))
    a.wait_synced()
    a.close()
    try:
        a.undo()
        raise AssertionError("undo while offline must refuse")
    except SyncError as exc:
        assert exc.code == "offline" and "offline" in exc.message
    assert service.head_seq(score) == 1


def test_the_raw_revert_event(shared_server: Shared) -> None:
    """What a third-party client sees: names, fields, errors (docs/protocol.md)."""
    server, service = shared_server
    ana_name, ben_name, viv_name = fresh_names("ana", "ben", "viv")
    ana, ben, viv = server.signup(ana_name), server.signup(ben_name), server.signup(viv_name)
    score = service.create_score(ana["id"])
    records(service).members.set_member(score, ben["id"], "editor")
    records(service).members.set_member(score, viv["id"], "viewer")
    socks = {}
    for name in (ana_name, ben_name, viv_name):
        sio = socketio.Client(reconnection=False)
        sio.connect(server.url, auth={"token": server.token(name)}, transports=["websocket"])
        socks[name] = sio
    try:
        sa, sb, sv = socks[ana_name], socks[ben_name], socks[viv_name]
        assert sa.call("revert", {"score": score, "seq": 1})["error"]["code"] == "not_joined"
        for sio in socks.values():
            assert sio.call("join", {"score": score})["ok"]
        write = {
            "score": score,
            "client_id": "ana-raw",
            "client_seq": 7,
            "ops": _write("e", "C", "0"),
        }
        # Submit and revert back to back, no wait: the revert is handled after the submit.
        sa.emit("submit", write)
        ack = sa.call("revert", {"score": score, "client_id": "ana-raw", "client_seq": 7})
        assert ack == {
            "ok": True,
            "score": score,
            "requested": [1],
            "reverted": [1],
            "conflicts": [],
            "already_reverted": [],
            "seq": 2,
            "outcome": "reverted",
        }
        again = sa.call("revert", {"score": score, "seq": 1})
        assert (again["seq"], again["outcome"], again["already_reverted"]) == (
            None,
            "already_reverted",
            [1],
        )
        # Ben cannot name Ana's edit by her client ids; a viewer cannot revert at all.
        stolen = sb.call("revert", {"score": score, "client_id": "ana-raw", "client_seq": 7})
        assert stolen["error"]["code"] == "not_stored"
        assert sv.call("revert", {"score": score, "seq": 2})["error"]["code"] == "forbidden"
        assert sa.call("revert", {"score": score, "seq": 99})["error"]["code"] == "bad_request"
        for bad in (
            {"score": score},
            {"score": score, "seq": 1, "client_id": "x", "client_seq": 1},
            {"score": score, "seq": 0},
            {"score": score, "seq": True},
            {"score": score, "client_id": "", "client_seq": 1},
            {"score": score, "client_id": "x" * 65, "client_seq": 1},
            {"score": score, "client_id": "x"},
            "not an object",
        ):
            assert sa.call("revert", bad)["error"]["code"] == "bad_request", bad
        assert service.head_seq(score) == 2
    finally:
        for sio in socks.values():
            sio.disconnect()


def test_reverts_spend_the_edit_budget(start_server: Any, db_url: str) -> None:
    server = start_server(db_url, {"TUTTI_SYNC_EDIT_BURST": "2", "TUTTI_SYNC_EDIT_RATE": "0.01"})
    service = EditLog(Database(db_url))
    try:
        ana = server.signup("ana")
        score = service.create_score(ana["id"])
        sio = socketio.Client(reconnection=False)
        sio.connect(server.url, auth={"token": server.token("ana")}, transports=["websocket"])
        try:
            assert sio.call("join", {"score": score})["ok"]
            write = {
                "score": score,
                "client_id": "c",
                "client_seq": 1,
                "ops": _write("e", "C", "0"),
            }
            assert sio.call("submit", write)["ok"]
            assert sio.call("revert", {"score": score, "seq": 1})["seq"] == 2
            limited = sio.call("revert", {"score": score, "seq": 2})
            assert (
                limited["error"]["code"] == "rate_limited" and limited["error"]["retry_after"] > 0
            )
            assert service.head_seq(score) == 2
        finally:
            sio.disconnect()
    finally:
        service.db.dispose()
