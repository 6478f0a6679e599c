"""The helper API against the real server (``tutti serve``), over HTTP with bearer tokens,
with a real Socket.IO collaborator: the ``suggestions`` broadcast, the accepted ``edit``
through the normal seq pipeline, one-action revert, and the refusals."""

from __future__ import annotations

import threading
import time
from typing import Any

import requests
import socketio

from server.editing import EditLog
from server.score.model import new_document
from tests.support.records import records

from .conftest import LiveServer, fresh_names

SATB = [{"name": n} for n in ("Soprano", "Alto", "Tenor", "Bass")]
PARTS = {"soprano": "p1", "alto": "p2", "tenor": "p3", "bass": "p4"}


class Api:
    """One person's HTTP calls with their bearer token."""

    def __init__(self, server: LiveServer, token: str) -> None:
        self.url = server.url
        self.headers = {"Authorization": f"Bearer {token}"}

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, dict[str, Any]]:
        response = requests.request(
            method, f"{self.url}/api{path}", json=body, headers=self.headers, timeout=60
        )
        return response.status_code, response.json()


class Listener:
    """A bare Socket.IO client in the score's room that records what it is sent."""

    def __init__(self, server: LiveServer, token: str, score: str) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.cond = threading.Condition()
        self.sio = socketio.Client()
        for name in ("suggestions", "edit"):
            self.sio.on(name, lambda data, name=name: self._record(name, data))
        self.sio.connect(server.url, auth={"token": token}, transports=["websocket"])
        ack = self.sio.call("join", {"score": score}, timeout=10)
        assert ack["ok"], ack

    def _record(self, name: str, data: dict[str, Any]) -> None:
        with self.cond:
            self.events.append((name, data))
            self.cond.notify_all()

    def wait_for(self, name: str, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                found = [d for n, d in self.events if n == name]
                if len(found) >= count or time.monotonic() > deadline:
                    return found
                self.cond.wait(0.1)


def _score(service: EditLog, owner: int) -> str:
    score = service.create_score(owner, "Hymn", new_document(parts=SATB, measures=2))
    ops = [
        {
            "op": "set_chord_symbol",
            "part": "p1",
            "measure": "m1",
            "offset": o,
            "symbol": s,
            "id": f"h{i}",
        }
        for i, (o, s) in enumerate((("0", "C"), ("1/2", "G7")))
    ] + [
        {
            "op": "set_chord_symbol",
            "part": "p1",
            "measure": "m2",
            "offset": "0",
            "symbol": "C",
            "id": "h9",
        }
    ]
    service.submit(score, owner, ops)
    return score


def test_request_broadcast_accept_edit_and_revert(
    shared_server: tuple[LiveServer, EditLog],
) -> None:
    server, service = shared_server
    ana_name, ben_name = fresh_names("hana", "hben")
    ana_id, ben_id = server.signup(ana_name)["id"], server.signup(ben_name)["id"]
    ana, ben = Api(server, server.token(ana_name)), Api(server, server.token(ben_name))
    score = _score(service, ana_id)
    records(service).members.set_member(score, ben_id, "editor")
    listener = Listener(server, server.token(ben_name), score)
    collab = server.client(ben_name)
    try:
        collab.join(score)
        request = {"target": "satb", "first": "m1", "last": "m2", "parts": PARTS, "k": 3}
        # Off by default: for the score first, then for the person.
        status, body = ana.call("POST", f"/scores/{score}/suggestions", request)
        assert status == 403 and body["error"]["code"] == "helper_disabled"
        assert ben.call("PUT", f"/scores/{score}/helper", {"enabled": True})[0] == 403
        status, body = ana.call("PUT", f"/scores/{score}/helper", {"enabled": True})
        assert status == 200 and body["score_enabled"] and not body["user_enabled"]
        assert body["reason"] == "helper_not_enabled_for_user"
        status, body = ana.call("POST", f"/scores/{score}/suggestions", request)
        assert status == 403 and body["error"]["code"] == "helper_not_enabled_for_user"
        assert ana.call("GET", "/helper/preferences")[1]["enabled"] is False
        assert ana.call("PUT", "/helper/preferences", {"enabled": True})[1]["enabled"] is True

        doc_before, head_before = service.load(score)
        status, body = ana.call("POST", f"/scores/{score}/suggestions", request)
        assert status == 201, body
        suggestion = body["suggestion"]
        assert suggestion["status"] == "pending" and len(suggestion["result"]["alternatives"]) == 3
        # Requesting leaves the score alone: same head, same document.
        assert service.load(score) == (doc_before, head_before)
        [_, requested] = listener.wait_for("suggestions", 2)  # settings switch, then this
        assert (
            requested["action"] == "requested" and requested["suggestion"]["id"] == suggestion["id"]
        )
        assert requested["suggestion"]["requested_by"]["name"] == ana_name

        # Ben has not opted in, so he cannot accept; Ana can.
        path = f"/scores/{score}/suggestions/{suggestion['id']}"
        status, body = ben.call("POST", f"{path}/accept", {"alternative": 0})
        assert status == 403 and body["error"]["code"] == "helper_not_enabled_for_user"
        status, body = ana.call("POST", f"{path}/accept", {"alternative": 2})
        assert status == 200, body
        seq = body["seq"]
        [edit] = listener.wait_for("edit", 1)
        assert edit["seq"] == seq == head_before + 1 and edit["origin"] == "helper"
        assert edit["author"] == {"id": ana_id, "name": ana_name}
        assert edit["meta"]["accepted_by"] == ana_name and edit["meta"]["alternative"] == 2
        accepted = listener.wait_for("suggestions", 3)[-1]
        assert accepted["action"] == "accepted" and accepted["suggestion"]["accepted_seq"] == seq
        collab.wait_synced()
        assert collab.document == service.load(score)[0] != doc_before

        status, body = ben.call("GET", f"/scores/{score}/provenance")
        assert status == 200 and body["from_helper"] == 12 and body["written_by_people"] == 0
        assert body["from_helper_by_accepter"] == {ana_name: 12}

        # One action reverts it, broadcast as an ordinary edit.
        status, body = ben.call("POST", f"{path}/revert")
        assert status == 200 and body["conflicts"] == []
        edits = listener.wait_for("edit", 2)
        assert edits[-1]["origin"] == "revert" and edits[-1]["meta"]["reverts"] == [seq]
        collab.wait_synced()
        assert collab.document == doc_before == service.load(score)[0]
        assert ben.call("POST", f"{path}/revert")[1]["error"]["code"] == "already_reverted"

        status, body = ben.call("GET", f"/scores/{score}/suggestions")
        [row] = body["suggestions"]
        assert (row["status"], row["accepted_seq"], row["reverted_seq"]) == (
            "accepted",
            seq,
            seq + 1,
        )
    finally:
        collab.close()
        listener.sio.disconnect()


def test_refusals_reject_and_errors(shared_server: tuple[LiveServer, EditLog]) -> None:
    server, service = shared_server
    (ana_name, eve_name) = fresh_names("hrana", "hreve")
    ana_id = server.signup(ana_name)["id"]
    server.signup(eve_name)
    ana, eve = Api(server, server.token(ana_name)), Api(server, server.token(eve_name))
    score = _score(service, ana_id)
    assert eve.call("GET", f"/scores/{score}/suggestions")[0] == 403  # not a member
    ana.call("PUT", f"/scores/{score}/helper", {"enabled": True})
    ana.call("PUT", "/helper/preferences", {"enabled": True})
    service.submit(
        score,
        ana_id,
        [
            {
                "op": "set_chord_symbol",
                "part": "p2",
                "measure": "m2",
                "offset": "1/2",
                "symbol": "Qx7",
                "id": "hq",
            }
        ],
    )
    request = {"target": "satb", "first": "m1", "last": "m2", "parts": PARTS}
    status, body = ana.call("POST", f"/scores/{score}/suggestions", request)
    assert status == 400 and body["error"]["code"] == "unknown_chord_symbol"
    assert [s["symbol"] for s in body["error"]["symbols"]] == ["Qx7"]
    request = {"target": "piano", "first": "m1", "last": "m1", "parts": {"part": "p2"}, "k": 2}
    status, body = ana.call("POST", f"/scores/{score}/suggestions", request)
    assert status == 201
    path = f"/scores/{score}/suggestions/{body['suggestion']['id']}"
    assert ana.call("POST", f"{path}/reject")[1]["suggestion"]["status"] == "rejected"
    status, body = ana.call("POST", f"{path}/accept", {"alternative": 0})
    assert status == 409 and body["error"]["code"] == "already_decided"
    assert ana.call("GET", f"/scores/{score}/suggestions/99999")[0] == 404
    status, body = ana.call("POST", f"/scores/{score}/suggestions", {"target": "kazoo"})
    assert status == 400 and body["error"]["code"] == "bad_request"
    assert service.head_seq(score) == 2  # nothing but the two symbol edits in the log


def test_reverting_a_tweaked_suggestion_removes_only_untouched_helper_notes(
    shared_server: tuple[LiveServer, EditLog],
) -> None:
    server, service = shared_server
    ana_name, ben_name = fresh_names("hana", "hben")
    ana_id, ben_id = server.signup(ana_name)["id"], server.signup(ben_name)["id"]
    ana, ben = Api(server, server.token(ana_name)), Api(server, server.token(ben_name))
    score = _score(service, ana_id)
    records(service).members.set_member(score, ben_id, "editor")
    assert ana.call("PUT", f"/scores/{score}/helper", {"enabled": True})[0] == 200
    assert ana.call("PUT", "/helper/preferences", {"enabled": True})[0] == 200
    # Piano: each chord is one event holding all its notes.
    request = {"target": "piano", "first": "m1", "last": "m1", "parts": {"part": "p2"}, "k": 1}
    status, body = ana.call("POST", f"/scores/{score}/suggestions", request)
    assert status == 201, body
    path = f"/scores/{score}/suggestions/{body['suggestion']['id']}"
    status, body = ana.call("POST", f"{path}/accept", {"alternative": 0})
    assert status == 200, body
    doc, _ = service.load(score)
    chords = [e for e in doc["parts"][1]["bars"]["m1"]["voices"]["1"] if len(e["notes"]) > 1]
    assert chords, doc["parts"][1]["bars"]["m1"]
    tweaked = chords[0]["notes"][0]
    # Ben moves one note of the first chord by octaves: the only note a person touched.
    taken = {(n["step"], n["octave"]) for n in chords[0]["notes"]}
    moved = next(o for o in (1, 2, 3, -1) if (tweaked["step"], tweaked["octave"] + o) not in taken)
    pitch = {"step": tweaked["step"], "alter": tweaked.get("alter", 0)}
    octave = tweaked["octave"] + moved
    service.submit(
        score, ben_id, [{"op": "set_pitch", "note": tweaked["id"], **pitch, "octave": octave}]
    )

    status, body = ben.call("POST", f"{path}/revert")
    assert status == 200, body
    [kept] = body["conflicts"]  # the moved note, not the chord it is left alone in
    assert "the pitch of" in kept and kept.endswith(f"changed later by {ben_name}; kept")
    doc, _ = service.load(score)
    left = [n for e in doc["parts"][1]["bars"]["m1"]["voices"]["1"] for n in e["notes"]]
    assert [n["id"] for n in left] == [tweaked["id"]]
    assert left[0]["octave"] == octave
    # Nothing still marked as the helper's is left untouched by a person.
    _, blame = ben.call("GET", f"/scores/{score}/blame/{tweaked['id']}")
    element = blame["element"]
    assert element["via_helper"] and element["changed"]["author_id"] == ben_id
    _, blame = ben.call("GET", f"/scores/{score}/blame")
    helper_notes = [
        e for e in blame["elements"].values() if e["kind"] == "note" and e["via_helper"]
    ]
    assert [e["id"] for e in helper_notes] == [tweaked["id"]]
