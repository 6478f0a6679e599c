"""Classrooms against the real server (``tutti serve``): HTTP with bearer tokens and cookie
sessions (with their Origin), and real Socket.IO clients editing the copies. A student
opens and edits their own copy and is refused on another's; a locked template note cannot
be changed; a forbidden helper can be neither requested nor switched on by a student; a
turned-in copy is read-only until returned; draft grades stay hidden until returned; a
teacher sees nothing of a class they do not teach; the grade export is CSV."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import socketio

from server.editing import EditLog
from server.score.model import new_document

from .conftest import LiveServer, fresh_names

Shared = tuple[LiveServer, EditLog]
_client_seqs = itertools.count(1)


def note(eid: str, measure: str, step: str = "C", offset: str = "0") -> dict[str, Any]:
    return {
        "op": "write_event", "part": "p1", "measure": measure, "offset": offset,
        "event": {"id": eid, "dur": {"type": 4}, "notes": [{"id": eid + "a", "step": step,
                                                           "octave": 5}]},
    }  # fmt: skip


class Api:
    def __init__(self, server: LiveServer, name: str) -> None:
        self.url = server.url
        self.headers = {"Authorization": f"Bearer {server.token(name)}"}

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        response = requests.request(
            method, f"{self.url}/api{path}", json=body, headers=self.headers, timeout=30
        )
        if response.headers.get("Content-Type", "").startswith("text/csv"):
            return response.status_code, response.text
        return response.status_code, response.json()


class Editor:
    """A bare Socket.IO client: join a score and submit edits, reading each ack."""

    def __init__(self, server: LiveServer, name: str) -> None:
        self.sio = socketio.Client(reconnection=False)
        self.sio.connect(server.url, auth={"token": server.token(name)}, transports=["websocket"])
        self.client_id = f"c{next(_client_seqs)}"

    def join(self, score: str) -> dict[str, Any]:
        return dict(self.sio.call("join", {"score": score}, timeout=10))

    def submit(self, score: str, ops: list[dict[str, Any]]) -> dict[str, Any]:
        payload = {
            "score": score, "client_id": self.client_id, "client_seq": next(_client_seqs),
            "ops": ops,
        }  # fmt: skip
        return dict(self.sio.call("submit", payload, timeout=10))

    def close(self) -> None:
        self.sio.disconnect()


@pytest.fixture
def editors() -> Iterator[list[Editor]]:
    opened: list[Editor] = []
    yield opened
    for editor in opened:
        editor.close()


def _school(shared: Shared, **spec: Any) -> dict[str, Any]:
    """A teacher, a class joined by ana, ben, cy, dee with its code, a template with a
    given note n1 in m1, and an assignment made from it over HTTP."""
    server, log = shared
    bases = ["tess", "ana", "ben", "cy", "dee", "out"]
    names = dict(zip(bases, fresh_names(*bases), strict=True))
    users = {b: server.signup(n) for b, n in names.items()}
    tess = Api(server, names["tess"])
    status, klass = tess.call("POST", "/classes", {"title": "Year 9"})
    assert status == 201, klass
    for base in ("ana", "ben", "cy", "dee"):
        status, joined = Api(server, names[base]).call(
            "POST", "/classes/join", {"code": klass["join_code"]}
        )
        assert status == 200 and joined["role"] == "student", joined
    template = log.create_score(users["tess"]["id"], "Template", new_document(measures=3))
    log.submit(template, users["tess"]["id"], [note("n1", "m1")])
    if spec.get("mode") == "group":
        spec["groups"] = f"{names['ana']},{names['ben']};{names['cy']},{names['dee']}"
    status, made = tess.call(
        "POST", f"/classes/{klass['id']}/assignments",
        {"title": "Melody", "template": template, "points": 10, **spec},
    )  # fmt: skip
    assert status == 201, made
    return {"names": names, "users": users, "class": klass, "made": made, "tess": tess}


def test_a_student_edits_their_own_copy_and_is_refused_on_anothers(
    shared_server: Shared, editors: list[Editor]
) -> None:
    server, _ = shared_server
    school = _school(shared_server)
    names, copies = school["names"], school["made"]["copies"]
    ana = Editor(server, names["ana"])
    editors.append(ana)
    joined = ana.join(copies[names["ana"]])
    assert joined["ok"] and joined["role"] == "editor", joined
    assert ana.submit(copies[names["ana"]], [note("a1", "m2", "E")])["ok"]
    refused = ana.join(copies[names["ben"]])
    assert not refused["ok"] and refused["error"]["code"] == "forbidden", refused
    # Over HTTP too: another student's copy is not hers to read, nor her submission.
    api = Api(server, names["ana"])
    status, _ = api.call("GET", f"/scores/{copies[names['ben']]}")
    assert status in (403, 404)
    status, mine = api.call("GET", "/my/assignments")
    assert status == 200 and [a["submission"]["score"] for a in mine["assignments"]] == [
        copies[names["ana"]]
    ]
    status, seen = api.call("GET", f"/assignments/{school['made']['id']}")
    assert status == 200 and [s["score"] for s in seen["submissions"]] == [copies[names["ana"]]]
    status, _ = api.call("GET", f"/assignments/{school['made']['id']}/status")
    assert status == 403
    # A teacher of another class sees nothing of this one.
    out = Api(server, names["out"])
    status, _ = out.call("GET", f"/classes/{school['class']['id']}")
    assert status == 404
    status, _ = out.call("GET", f"/assignments/{school['made']['id']}/grades.csv")
    assert status == 404


def test_a_locked_template_note_cannot_be_changed_by_a_student(
    shared_server: Shared, editors: list[Editor]
) -> None:
    server, log = shared_server
    school = _school(shared_server)
    names = school["names"]
    copy = school["made"]["copies"][names["cy"]]
    cy = Editor(server, names["cy"])
    editors.append(cy)
    assert cy.join(copy)["ok"]
    head = log.head_seq(copy)
    for ops in (
        [{"op": "set_pitch", "note": "n1a", "step": "E", "alter": 0, "octave": 4}],
        [{"op": "delete_event", "event": "n1"}],
        [note("x1", "m1", "G")],
    ):
        ack = cy.submit(copy, ops)
        assert not ack["ok"] and ack["error"]["code"] == "forbidden", ack
        assert "locked" in ack["error"]["message"]
    assert log.head_seq(copy) == head
    assert cy.submit(copy, [note("x2", "m2", "G")])["ok"]
    tess = Editor(server, names["tess"])
    editors.append(tess)
    assert tess.join(copy)["ok"]
    assert tess.submit(copy, [{"op": "delete_event", "event": "n1"}])["ok"]


def test_a_forbidden_helper_cannot_be_requested_or_switched_on_by_a_student(
    shared_server: Shared,
) -> None:
    server, log = shared_server
    school = _school(shared_server, helper="forbid")
    names = school["names"]
    copy = school["made"]["copies"][names["dee"]]
    dee = Api(server, names["dee"])
    assert dee.call("PUT", "/helper/preferences", {"enabled": True})[0] == 200
    status, state = dee.call("GET", f"/scores/{copy}/helper")
    assert status == 200 and state["reason"] == "helper_forbidden", state
    status, refused = dee.call("POST", f"/scores/{copy}/suggestions", {"measures": ["m2"]})
    assert status == 403 and refused["error"]["code"] == "forbidden", refused
    assert "switched off for this assignment" in refused["error"]["message"]
    status, refused = dee.call("PUT", f"/scores/{copy}/helper", {"enabled": True})
    assert status == 403, refused
    # Even with the score switch on (the teacher did it), the student is refused.
    status, _ = school["tess"].call("PUT", f"/scores/{copy}/helper", {"enabled": True})
    assert status == 200
    status, refused = dee.call("POST", f"/scores/{copy}/suggestions", {"measures": ["m2"]})
    assert status == 403, refused


def test_turn_in_makes_the_copy_read_only_until_returned_with_a_grade(
    shared_server: Shared, editors: list[Editor]
) -> None:
    server, _ = shared_server
    school = _school(shared_server, mode="group")
    names, tess = school["names"], school["tess"]
    group = f"{names['ana']},{names['ben']}"
    copy = school["made"]["copies"][group]
    ana, ben = Editor(server, names["ana"]), Editor(server, names["ben"])
    editors.extend([ana, ben])
    assert ana.join(copy)["ok"] and ben.join(copy)["ok"]
    assert ana.submit(copy, [note("a1", "m2")])["ok"]
    assert ben.submit(copy, [note("b1", "m3")])["ok"]
    assert ben.submit(copy, [note("b2", "m3", "D", offset="1/4")])["ok"]
    # Cy (the other group) cannot open this group's score.
    cy = Editor(server, names["cy"])
    editors.append(cy)
    assert cy.join(copy)["error"]["code"] == "forbidden"

    student = Api(server, names["ben"])
    [work] = student.call("GET", "/my/assignments")[1]["assignments"]
    sub_id = work["submission"]["id"]
    status, turned = student.call("POST", f"/submissions/{sub_id}/turn-in")
    assert status == 200 and turned["state"] == "turned_in", turned
    ack = ana.submit(copy, [note("a2", "m2", "F", offset="1/2")])
    assert not ack["ok"] and ack["error"]["code"] == "forbidden"
    assert "turned in" in ack["error"]["message"]

    status, graded = tess.call(
        "POST", f"/submissions/{sub_id}/grade", {"grade": 8, "feedback": "Nice"}
    )
    assert status == 200 and graded["grade"] == 8
    assert student.call("GET", f"/submissions/{sub_id}")[1]["grade"] is None  # draft
    status, rows = tess.call("GET", f"/assignments/{school['made']['id']}/status")
    by = {r["student"]: r for r in rows["rows"]}
    assert (by[names["ana"]]["edits"], by[names["ben"]]["edits"]) == (1, 2)
    assert (by[names["ana"]]["notes_written"], by[names["ben"]]["notes_standing"]) == (1, 2)
    assert by[names["ana"]]["state"] == "turned_in"

    assert tess.call("POST", f"/submissions/{sub_id}/return")[0] == 200
    seen = student.call("GET", f"/submissions/{sub_id}")[1]
    assert (seen["state"], seen["grade"], seen["feedback"]) == ("returned", 8, "Nice")
    assert ana.submit(copy, [note("a2", "m2", "F", offset="1/2")])["ok"]  # editable again
    status, text = tess.call("GET", f"/assignments/{school['made']['id']}/grades.csv")
    assert status == 200
    grades = {r["student"]: r for r in csv.DictReader(io.StringIO(text))}
    assert grades[names["ana"]]["grade"] == "8.0" and grades[names["cy"]]["grade"] == ""
    # A student cannot return or grade.
    assert student.call("POST", f"/submissions/{sub_id}/return")[0] == 403


def test_cookie_sessions_need_their_origin_for_classroom_changes(shared_server: Shared) -> None:
    server, _ = shared_server
    [name] = fresh_names("kim")
    browser = server.browser()
    assert browser.post(
        f"{server.url}/api/signup", json={"name": name, "password": "secret-pw"}, timeout=10
    ).status_code == 201  # fmt: skip
    made = browser.post(f"{server.url}/api/classes", json={"title": "Choir"}, timeout=10)
    assert made.status_code == 201 and made.json()["join_code"]
    foreign = requests.post(
        f"{server.url}/api/classes", json={"title": "X"}, cookies=browser.cookies,
        headers={"Origin": "https://evil.example"}, timeout=10,
    )  # fmt: skip
    assert foreign.status_code == 403


def test_join_codes_cannot_be_walked_and_rosters_post_as_csv(shared_server: Shared) -> None:
    server, _ = shared_server
    tess_name, eve_name, mal_name = fresh_names("tess", "eve", "mal")
    for name in (tess_name, mal_name):
        server.signup(name)
    tess, mal = Api(server, tess_name), Api(server, mal_name)
    status, klass = tess.call("POST", "/classes", {"title": "Band"})
    assert status == 201
    codes = [f"ZZZZZZ{a}{b}" for a in "23" for b in "23456789"][:12]
    answers = [mal.call("POST", "/classes/join", {"code": c})[0] for c in codes]
    assert answers[:10] == [404] * 10 and answers[10:] == [429, 429], answers
    # Throttled even with the right code: walking cannot be finished by a lucky guess.
    assert mal.call("POST", "/classes/join", {"code": klass["join_code"]})[0] == 429

    response = requests.post(
        f"{server.url}/api/classes/{klass['id']}/roster",
        data=f"name,display_name,password\n{eve_name},Eve,pw-eve-123\n",
        headers={**tess.headers, "Content-Type": "text/csv"},
        timeout=30,
    )
    assert response.status_code == 200 and response.json()["created"] == [eve_name]
    eve = requests.get(
        f"{server.url}/api/classes",
        headers={"Authorization": f"Bearer {server.token(eve_name, 'pw-eve-123')}"},
        timeout=30,
    ).json()  # the roster's password logs her in
    assert eve["classes"][0]["role"] == "student"
    status, _ = mal.call("POST", f"/classes/{klass['id']}/roster", {"csv": "x,,pw-x-1234\n"})
    assert status == 404  # not a member: not told the class exists
