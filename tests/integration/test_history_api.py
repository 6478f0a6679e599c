"""The history API against the real server (``tutti serve``) over HTTP with bearer tokens,
with real Socket.IO collaborators: revert and restore are new attributed edits that every
client receives, later changes survive a revert, versions, diffs, blame, exports, roles,
and ``tutti verify-log`` still passes afterwards."""

from __future__ import annotations

import csv
import io
import subprocess
import time
from collections.abc import Callable
from typing import Any

import requests

from server.editing import EditLog
from server.score.model import new_document
from tests.support.records import records

from .conftest import REPO, TUTTI, LiveServer, fresh_names

Shared = tuple[LiveServer, EditLog]


class Api:
    """One person's HTTP calls with their bearer token."""

    def __init__(self, server: LiveServer, name: str) -> None:
        self.url = server.url
        self.headers = {"Authorization": f"Bearer {server.token(name)}"}

    def raw(self, method: str, path: str, body: Any = None) -> requests.Response:
        return requests.request(
            method, f"{self.url}/api{path}", json=body, headers=self.headers, timeout=60
        )

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, dict[str, Any]]:
        response = self.raw(method, path, body)
        return response.status_code, response.json()


def note(event_id: str, note_id: str, step: str, measure: str = "m1", offset: str = "0") -> dict:
    return {
        "op": "write_event",
        "part": "p1",
        "measure": measure,
        "offset": offset,
        "event": {
            "id": event_id,
            "dur": {"type": 4},
            "notes": [{"id": note_id, "step": step, "octave": 4}],
        },
    }


def note_ids(doc: dict[str, Any]) -> set[str]:
    return {
        n["id"]
        for part in doc["parts"]
        for bar in part["bars"].values()
        for events in bar["voices"].values()
        for event in events
        for n in event["notes"]
    }


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.02)


def _people(shared: Shared) -> tuple[LiveServer, EditLog, str, dict[str, dict[str, Any]]]:
    """A fresh score owned by ana, with ben as editor and vera as viewer."""
    server, service = shared
    names = dict(zip(("ana", "ben", "vera"), fresh_names("yana", "yben", "yvera"), strict=True))
    users = {key: {**server.signup(name), "name": name} for key, name in names.items()}
    score = service.create_score(
        users["ana"]["id"], "Round", new_document(parts=[{"name": "Voice"}], measures=4)
    )
    records(service).members.set_member(score, users["ben"]["id"], "editor")
    records(service).members.set_member(score, users["vera"]["id"], "viewer")
    return server, service, score, users


def test_revert_keeps_later_change_reaches_collaborator_and_log_verifies(
    shared_server: Shared, clients: list
) -> None:
    server, service, score, users = _people(shared_server)
    ana, vera = Api(server, users["ana"]["name"]), Api(server, users["vera"]["name"])
    a, b = server.client(users["ana"]["name"]), server.client(users["ben"]["name"])
    clients += [a, b]
    a.join(score)
    b.join(score)
    # Ben writes two notes; Ana later changes the pitch of the first one.
    b.submit([note("be1", "bn1", "C")])
    b.submit([note("be2", "bn2", "E", measure="m2")])
    b.wait_synced()
    a.wait_synced()
    a.submit([{"op": "set_pitch", "note": "bn1", "step": "G", "octave": 4}])
    a.wait_synced()
    assert service.head_seq(score) == 3

    # The viewer may read the history but may not revert.
    status, body = vera.call("GET", f"/scores/{score}/history")
    assert status == 200 and [e["seqs"] for e in body["entries"]] == [[1, 2], [3]]
    assert body["entries"][0]["author"]["name"] == users["ben"]["name"]
    assert body["entries"][0]["author"]["colour"].startswith("#")
    status, body = vera.call("POST", f"/scores/{score}/revert", {"seqs": [1]})
    assert status == 403 and body["error"]["code"] == "forbidden"
    assert service.head_seq(score) == 3

    # Ana reverts everything Ben did: bn2 goes, bn1 stays because Ana built on it.
    status, body = ana.call("POST", f"/scores/{score}/revert", {"author": users["ben"]["id"]})
    assert status == 200, body
    assert body["requested"] == [1, 2] and body["seq"] == 4
    assert body["reverted"] == [2]
    assert body["conflicts"] == [
        f"m. 1, Voice: the pitch of G4 was changed later by {users['ana']['name']}; kept"
    ]
    edit = service.edit_at(score, 4)
    assert edit is not None and edit.origin == "revert"
    assert edit.author_id == users["ana"]["id"] and edit.meta["reverts"] == body["reverted"]
    doc, _ = service.load(score)
    assert "bn2" not in note_ids(doc) and "bn1" in note_ids(doc)
    # Ben's socket client received the revert through the normal edit pipeline.
    wait_until(lambda: b.confirmed_seq == 4 and a.confirmed_seq == 4)
    assert b.document == doc
    assert a.document == doc
    assert "bn2" not in note_ids(b.document)

    # The revert shows in the history with its author and what it reverted.
    _, body = vera.call("GET", f"/scores/{score}/history?origin=revert")
    [entry] = body["entries"]
    assert entry["origin"] == "revert" and entry["author"]["id"] == users["ana"]["id"]
    assert entry["reverts"] == edit.meta["reverts"]

    assert service.verify_log(score) == []
    result = subprocess.run(
        [str(TUTTI), "--database-url", server.database_url, "verify-log", score],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "hash chain intact" in result.stdout


def test_versions_diff_restore_and_exports(shared_server: Shared, clients: list) -> None:
    server, service, score, users = _people(shared_server)
    ana, ben = Api(server, users["ana"]["name"]), Api(server, users["ben"]["name"])
    vera = Api(server, users["vera"]["name"])
    b = server.client(users["ben"]["name"])
    clients.append(b)
    b.join(score)
    b.submit([note("e1", "n1", "C")])
    b.wait_synced()
    status, body = ben.call("POST", f"/scores/{score}/versions", {"label": "first idea"})
    assert status == 201, body
    assert body["version"]["seq"] == 1 and body["version"]["author"]["id"] == users["ben"]["id"]
    assert vera.call("POST", f"/scores/{score}/versions", {"label": "nope"})[0] == 403
    b.submit([{"op": "set_pitch", "note": "n1", "step": "D", "octave": 4}])
    b.submit([note("e2", "n2", "F", measure="m3")])
    b.wait_synced()

    _, body = vera.call("GET", f"/scores/{score}/versions")
    assert [(v["label"], v["seq"]) for v in body["versions"]] == [("first idea", 1)]

    status, body = vera.call("GET", f"/scores/{score}/diff?from=1&to=3")
    assert status == 200, body
    assert body["added"] == ["n2"] and body["changed"] == ["n1"] and body["removed"] == []
    assert any("C4" in line and "D4" in line for line in body["lines"]), body["lines"]
    assert vera.call("GET", f"/scores/{score}/diff?from=9")[0] == 400

    # The document as it was, at any seq.
    _, body = vera.call("GET", f"/scores/{score}/doc?at=1")
    assert body["seq"] == 1 and body["head"] == 3 and note_ids(body["doc"]) == {"n1"}
    assert body["doc"] == service.doc_at(score, 1)

    # Blame: created by Ben, changed by Ben (pitch); authorship colours for the notes.
    _, body = vera.call("GET", f"/scores/{score}/blame/n1")
    element = body["element"]
    assert element["created"]["seq"] == 1 and element["changed"]["seq"] == 2
    assert element["changed_props"] == ["pitch"]
    assert element["created"]["author"]["name"] == users["ben"]["name"]
    _, body = vera.call("GET", f"/scores/{score}/blame")
    assert body["colours"]["n2"] == str(users["ben"]["id"])
    assert body["authors"][str(users["ben"]["id"])]["colour"].startswith("#")
    assert vera.call("GET", f"/scores/{score}/blame/nothing")[0] == 404

    # Viewers cannot restore; an editor restores version 1 as one new edit Ben receives.
    assert vera.call("POST", f"/scores/{score}/restore", {"seq": 1})[0] == 403
    status, body = ana.call("POST", f"/scores/{score}/restore", {"seq": 1})
    assert status == 200 and body["seq"] == 4, body
    edit = service.edit_at(score, 4)
    assert edit is not None and edit.origin == "restore" and edit.author_id == users["ana"]["id"]
    assert edit.meta == {"version": 1, "label": "first idea"}
    doc, _ = service.load(score)
    assert doc == service.doc_at(score, 1)
    assert note_ids(doc) == {"n1"}
    wait_until(lambda: b.confirmed_seq == 4)
    assert b.document == doc
    _, body = ana.call("POST", f"/scores/{score}/restore", {"seq": 4})
    assert body["unchanged"] is True and body["seq"] is None
    assert service.verify_log(score) == []

    # Exports: the history as CSV and JSON, a past version as MusicXML.
    response = vera.raw("GET", f"/scores/{score}/history/export?format=csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["origin"] for r in rows] == ["human", "human", "human", "restore"]
    _, body = vera.call("GET", f"/scores/{score}/history/export?format=json")
    assert [r["seq"] for r in body["rows"]] == [1, 2, 3, 4]
    response = vera.raw("GET", f"/scores/{score}/versions/1/export?format=musicxml")
    assert response.status_code == 200 and b"<score-partwise" in response.content
    _, body = vera.call("GET", f"/scores/{score}/contributions")
    ben_row = next(a for a in body["authors"] if a["person"]["id"] == users["ben"]["id"])
    assert ben_row["edits"] == 3


def test_filters_selectors_and_refusals(shared_server: Shared) -> None:
    server, service, score, users = _people(shared_server)
    ana = Api(server, users["ana"]["name"])
    ben_id, ana_id = users["ben"]["id"], users["ana"]["id"]
    service.submit(score, ben_id, [note("e1", "n1", "C", measure="m1")])
    service.submit(score, ana_id, [note("e2", "n2", "D", measure="m2")])
    service.submit(score, ben_id, [note("e3", "n3", "E", measure="m4")])

    _, body = ana.call("GET", f"/scores/{score}/history?group=0&from_measure=2&to_measure=4")
    assert [e["seqs"] for e in body["entries"]] == [[2], [3]]
    _, body = ana.call("GET", f"/scores/{score}/history?group=0&author={ben_id}&part=p1")
    assert [e["seqs"] for e in body["entries"]] == [[1], [3]]
    _, body = ana.call("GET", f"/scores/{score}/history?group=0&limit=2")
    assert [e["seqs"] for e in body["entries"]] == [[2], [3]]
    _, body = ana.call("GET", f"/scores/{score}/history?group=0&limit=2&before=2")
    assert [e["seqs"] for e in body["entries"]] == [[1]]
    _, body = ana.call("GET", f"/scores/{score}/history?until=2000-01-01T00:00:00")
    assert body["entries"] == []
    assert ana.call("GET", f"/scores/{score}/history?since=yesterday")[0] == 400
    assert ana.call("GET", f"/scores/{score}/history?from_measure=99")[0] == 400
    assert ana.call("GET", f"/scores/{score}/history?origin=magic")[0] == 400

    # A selector: Ben's edits in measures 3..4 only.
    status, body = ana.call(
        "POST", f"/scores/{score}/revert", {"author": ben_id, "from_measure": 3, "to_measure": 4}
    )
    assert status == 200 and body["requested"] == [3] and body["conflicts"] == [], body
    assert note_ids(service.load(score)[0]) == {"n1", "n2"}
    status, body = ana.call("POST", f"/scores/{score}/revert", {"origin": "helper"})
    assert status == 409 and body["error"]["code"] == "nothing_selected"
    assert ana.call("POST", f"/scores/{score}/revert", {"seqs": [42]})[0] == 400
    assert ana.call("POST", f"/scores/{score}/revert", {"seqs": "1"})[0] == 400

    outsider_name = fresh_names("youtsider")[0]
    server.signup(outsider_name)
    outsider = Api(server, outsider_name)
    assert outsider.call("GET", f"/scores/{score}/history")[0] == 403
    assert outsider.call("GET", f"/scores/{score}/doc?at=0")[0] == 403
    assert requests.get(f"{server.url}/api/scores/{score}/history", timeout=10).status_code == 401
    assert ana.call("GET", "/scores/nosuchscore/history")[0] in (403, 404)
    assert service.verify_log(score) == []


def test_restore_credits_writers_again_and_revert_all_reaches_restored_notes(
    shared_server: Shared,
) -> None:
    server, service, score, users = _people(shared_server)
    ana, vera = Api(server, users["ana"]["name"]), Api(server, users["vera"]["name"])
    ben_id, ana_id = users["ben"]["id"], users["ana"]["id"]
    service.submit(score, ben_id, [note("e1", "n1", "C")])  # 1
    service.submit(score, ben_id, [note("e2", "n2", "E", measure="m2")])  # 2
    service.submit(score, ana_id, [{"op": "set_pitch", "note": "n1", "step": "G", "octave": 4}])
    service.submit(score, ana_id, [{"op": "delete_event", "event": "e2"}])  # 4
    status, body = ana.call("POST", f"/scores/{score}/restore", {"seq": 2})
    assert status == 200 and body["seq"] == 5, body

    # Ben's notes are back as he wrote them: blame credits him, restored by Ana.
    _, body = vera.call("GET", f"/scores/{score}/blame/n1")
    element = body["element"]
    assert element["created"]["author"]["name"] == users["ben"]["name"]
    assert "changed" not in element
    assert element["restored_by"]["seq"] == 5
    assert element["restored_by"]["author"]["name"] == users["ana"]["name"]
    _, body = vera.call("GET", f"/scores/{score}/blame")
    assert body["colours"] == {"n1": str(ben_id), "n2": str(ben_id)}
    assert body["elements"]["n2"]["restored_by"]["author_id"] == ana_id
    assert "past" not in body["elements"]["n2"]

    # "Revert all of Ben" reaches what the restore brought back.
    status, body = ana.call("POST", f"/scores/{score}/revert", {"author": ben_id})
    assert status == 200, body
    assert body["requested"] == [1, 2] and body["reverted"] == [1, 2]
    assert body["conflicts"] == [] and body["seq"] == 6
    assert note_ids(service.load(score)[0]) == set()
    assert service.verify_log(score) == []


def test_one_edit_of_a_merged_entry_is_expanded_and_reverted_alone(
    shared_server: Shared,
) -> None:
    server, service, score, users = _people(shared_server)
    ana, vera = Api(server, users["ana"]["name"]), Api(server, users["vera"]["name"])
    ben_id, ana_id = users["ben"]["id"], users["ana"]["id"]
    service.submit(score, ben_id, [note("e1", "n1", "C", measure="m1")])  # 1
    service.submit(score, ana_id, [note("e2", "n2", "D", measure="m2")])  # 2
    service.submit(score, ben_id, [note("e3", "n3", "E", measure="m3")])  # 3
    service.submit(score, ben_id, [note("e4", "n4", "F", measure="m4")])  # 4
    history = f"/scores/{score}/history"
    _, body = vera.call("GET", f"{history}?author={ben_id}")
    assert [e["seqs"] for e in body["entries"]] == [[1, 3, 4]]
    status, body = vera.call("GET", f"{history}?author={ben_id}&expand=3")
    assert status == 200, body
    assert body["expanded"] == [1, 3, 4]
    assert [e["seqs"] for e in body["entries"]] == [[1], [3], [4]]
    assert body["entries"][1]["author"]["id"] == ben_id
    assert "m. 3" in body["entries"][1]["summary"]
    status, body = vera.call("GET", f"{history}?author={ben_id}&expand=2")
    assert status == 404 and body["error"]["code"] == "not_found"
    assert vera.call("GET", f"{history}?expand=three")[0] == 400

    status, body = ana.call("POST", f"/scores/{score}/revert", {"seqs": [3]})
    assert status == 200 and body["reverted"] == [3] and body["conflicts"] == [], body
    assert note_ids(service.load(score)[0]) == {"n1", "n2", "n4"}
