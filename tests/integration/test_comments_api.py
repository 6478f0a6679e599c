"""Comments against the real server (``tutti serve``): HTTP with bearer tokens and real
Socket.IO clients. A commenter's comment reaches an editor's socket live; anchors follow
edits made by others and detach; a commenter cannot edit; a viewer reads but cannot
comment; mentions reach the mentioned person's socket and their unread list; resolve,
reopen, edit and delete with who may do each; the history export carries the comments;
a comment posted through one process reaches a socket on another."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
import socketio

from server.client import SyncError
from server.editing import EditLog
from server.persistence import Database
from server.persistence.scratch import scratch_database
from server.score.model import new_document
from tests.support.records import records

from .conftest import LiveServer, fresh_names

Shared = tuple[LiveServer, EditLog]
NOTE = {
    "op": "write_event",
    "part": "p1",
    "measure": "m2",
    "offset": "0",
    "event": {"id": "n1", "dur": {"type": 4}, "notes": [{"id": "n1a", "step": "C", "octave": 5}]},
}


class Api:
    """One person's HTTP calls with their bearer token."""

    def __init__(self, server: LiveServer, name: str) -> None:
        self.url = server.url
        self.headers = {"Authorization": f"Bearer {server.token(name)}"}

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, dict[str, Any]]:
        response = requests.request(
            method, f"{self.url}/api{path}", json=body, headers=self.headers, timeout=30
        )
        return response.status_code, response.json()


class Listener:
    """A bare Socket.IO client joined to a score, recording what it is sent."""

    def __init__(self, server: LiveServer, name: str, score: str) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.cond = threading.Condition()
        self.sio = socketio.Client(reconnection=False)
        for event in ("comment", "notification", "edit"):
            self.sio.on(event, lambda data, event=event: self._record(event, data))
        self.sio.connect(server.url, auth={"token": server.token(name)}, transports=["websocket"])
        self.join = self.sio.call("join", {"score": score}, timeout=10)

    def _record(self, event: str, data: dict[str, Any]) -> None:
        with self.cond:
            self.events.append((event, data))
            self.cond.notify_all()

    def of(self, event: str) -> list[dict[str, Any]]:
        with self.cond:
            return [d for n, d in self.events if n == event]

    def wait_for(self, event: str, count: int = 1, timeout: float = 10.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        with self.cond:
            while len([1 for n, _ in self.events if n == event]) < count:
                left = deadline - time.monotonic()
                assert left > 0, f"no {count} {event!r} events in time: {self.events}"
                self.cond.wait(left)
            return [d for n, d in self.events if n == event]

    def close(self) -> None:
        self.sio.disconnect()


@pytest.fixture
def listeners() -> Iterator[list[Listener]]:
    opened: list[Listener] = []
    yield opened
    for listener in opened:
        listener.close()


def _score(shared: Shared, **roles: str) -> tuple[LiveServer, EditLog, str, dict[str, Any]]:
    """A score by ``ana<n>`` with a note ``n1`` in m2; ``roles``: other people's roles."""
    server, service = shared
    bases = ["ana", *roles]
    users = {b: server.signup(n) for b, n in zip(bases, fresh_names(*bases), strict=True)}
    score = service.create_score(users["ana"]["id"], "Comments", new_document(measures=4))
    for base, role in roles.items():
        records(service).members.set_member(score, users[base]["id"], role)
    service.submit(score, users["ana"]["id"], [NOTE])
    return server, service, score, users


def test_a_commenters_comment_reaches_an_editors_socket_at_once(
    shared_server: Shared, listeners: list[Listener]
) -> None:
    server, service, score, users = _score(shared_server, cora="commenter", ed="editor")
    ed = Listener(server, users["ed"]["name"], score)
    listeners.append(ed)
    assert ed.join["ok"], ed.join
    cora = Api(server, users["cora"]["name"])
    body = {"body": "This C is too high for the altos", "anchor": {"kind": "event", "event": "n1"}}
    status, created = cora.call("POST", f"/scores/{score}/comments", body)
    assert status == 201, created
    [live] = ed.wait_for("comment")
    assert live["action"] == "created" and live["score"] == score
    thread = live["thread"]
    assert thread == created["thread"]
    assert thread["body"] == body["body"] and thread["author"]["name"] == users["cora"]["name"]
    assert thread["seq"] == service.head_seq(score) == 1  # written at the score's version 1
    assert thread["location"] == {
        "state": "attached", "part": "p1", "measure": "m2", "event": "n1", "first": 2, "last": 2,
    }  # fmt: skip
    assert thread["resolved"] is None and thread["replies"] == []

    # A reply (even to a reply) joins the thread, live too.
    status, reply = Api(server, users["ed"]["name"]).call(
        "POST", f"/scores/{score}/comments", {"body": "Agreed", "parent": thread["id"]}
    )
    assert status == 201 and reply["action"] == "replied" and reply["thread_id"] == thread["id"]
    status, again = cora.call(
        "POST",
        f"/scores/{score}/comments",
        {"body": "Done", "parent": reply["thread"]["replies"][0]["id"]},
    )
    assert status == 201 and [r["body"] for r in again["thread"]["replies"]] == ["Agreed", "Done"]
    assert ed.wait_for("comment", 3)[-1]["thread"]["replies"][-1]["body"] == "Done"


def test_the_headless_client_comments_and_hears_comments_and_mentions(
    shared_server: Shared, clients: list[Any]
) -> None:
    server, _, score, users = _score(shared_server, cora="commenter", ed="editor")
    ed, cora = server.client(users["ed"]["name"]), server.client(users["cora"]["name"])
    clients += [ed, cora]
    ed.join(score)
    cora.join(score)
    assert cora.role == "commenter"
    answer = cora.comment(f"@{users['ed']['name']} here", anchor={"kind": "event", "event": "n1"})
    reply = ed.comment("seen", parent=answer["thread_id"])
    assert reply["action"] == "replied"
    [created, replied] = ed.wait_for_comments(2)
    assert (created["action"], replied["thread"]["replies"][0]["body"]) == ("created", "seen")
    deadline = time.monotonic() + 10
    while not ed.notifications and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [n["comment"] for n in ed.notifications] == [answer["thread_id"]]
    with pytest.raises(SyncError) as refused:
        cora.comment("x", anchor={"kind": "event", "event": "nowhere"})
    assert refused.value.code == "anchor_not_found"


def test_anchors_follow_other_peoples_edits_and_detach_when_the_note_goes(
    shared_server: Shared,
) -> None:
    server, service, score, users = _score(shared_server, cora="commenter")
    cora = Api(server, users["cora"]["name"])
    on_note = {"body": "note", "anchor": {"kind": "event", "event": "n1"}}
    on_bars = {"body": "bars", "anchor": {"kind": "measures", "first": "m2", "last": "m3"}}
    assert cora.call("POST", f"/scores/{score}/comments", on_note)[0] == 201
    assert cora.call("POST", f"/scores/{score}/comments", on_bars)[0] == 201
    ana = users["ana"]["id"]
    service.submit(score, ana, [{"op": "set_pitch", "note": "n1a", "step": "E", "octave": 4}])
    service.submit(score, ana, [{"op": "insert_measures", "at": 0, "measures": [{"id": "x1"}]}])
    status, found = cora.call("GET", f"/scores/{score}/comments")
    assert status == 200 and found["seq"] == 3
    note, bars = found["threads"]
    assert note["location"]["state"] == "attached" and note["location"]["first"] == 3
    assert bars["location"] == {"state": "attached", "measure": "m2", "first": 3, "last": 4}
    service.submit(score, ana, [{"op": "delete_event", "event": "n1"}])
    note, bars = cora.call("GET", f"/scores/{score}/comments")[1]["threads"]
    assert note["location"] == {"state": "detached"} and note["body"] == "note"  # kept
    assert note["anchor"]["was"] == {"part": "p1", "first": 2, "last": 2}
    assert bars["location"]["state"] == "attached"


def test_a_commenter_can_comment_but_cannot_edit_the_score(
    shared_server: Shared, listeners: list[Listener]
) -> None:
    server, service, score, users = _score(shared_server, cora="commenter")
    cora = Listener(server, users["cora"]["name"], score)
    listeners.append(cora)
    assert cora.join["ok"] and cora.join["role"] == "commenter"
    ack = cora.sio.call(
        "submit",
        {
            "score": score,
            "client_id": "c1",
            "client_seq": 1,
            "ops": [{"op": "set_meta", "title": "x"}],
        },
        timeout=10,
    )
    assert ack["ok"] is False and ack["error"]["code"] == "forbidden"
    ack = cora.sio.call("revert", {"score": score, "seq": 1}, timeout=10)
    assert ack["ok"] is False and ack["error"]["code"] == "forbidden"
    api = Api(server, users["cora"]["name"])
    status, body = api.call("POST", f"/scores/{score}/revert", {"seqs": [1]})
    assert status == 403, body
    assert service.head_seq(score) == 1  # nothing was logged
    status, _ = api.call(
        "POST",
        f"/scores/{score}/comments",
        {"body": "ok", "anchor": {"kind": "part", "part": "p1"}},
    )
    assert status == 201


def test_a_viewer_reads_comments_live_but_cannot_write_resolve_or_delete(
    shared_server: Shared, listeners: list[Listener]
) -> None:
    server, _, score, users = _score(shared_server, cora="commenter", vic="viewer")
    cora, vic = Api(server, users["cora"]["name"]), Api(server, users["vic"]["name"])
    watcher = Listener(server, users["vic"]["name"], score)
    listeners.append(watcher)
    status, created = cora.call(
        "POST",
        f"/scores/{score}/comments",
        {"body": "hi", "anchor": {"kind": "part", "part": "p1"}},
    )
    assert status == 201
    thread = created["thread"]["id"]
    assert watcher.wait_for("comment")[0]["thread"]["body"] == "hi"  # viewers see them live
    status, found = vic.call("GET", f"/scores/{score}/comments")
    assert status == 200 and [t["body"] for t in found["threads"]] == ["hi"]
    refusals = [
        (
            "POST",
            f"/scores/{score}/comments",
            {"body": "me too", "anchor": {"kind": "part", "part": "p1"}},
        ),
        ("POST", f"/scores/{score}/comments", {"body": "me too", "parent": thread}),
        ("POST", f"/scores/{score}/comments/{thread}/resolve", {}),
        ("PATCH", f"/scores/{score}/comments/{thread}", {"body": "changed"}),
        ("DELETE", f"/scores/{score}/comments/{thread}", None),
    ]
    for method, path, body in refusals:
        status, answer = vic.call(method, path, body)
        assert status == 403 and answer["error"]["code"] == "forbidden", (method, path, answer)
    # A non-member can neither read nor write.
    [stranger] = fresh_names("zed")
    server.signup(stranger)
    zed = Api(server, stranger)
    assert zed.call("GET", f"/scores/{score}/comments")[0] == 403
    assert zed.call("POST", f"/scores/{score}/comments/{thread}/resolve", {})[0] == 403
    assert [t["body"] for t in vic.call("GET", f"/scores/{score}/comments")[1]["threads"]] == ["hi"]


def test_resolve_reopen_edit_and_delete_with_who_may_do_each(
    shared_server: Shared, listeners: list[Listener]
) -> None:
    server, _, score, users = _score(shared_server, cora="commenter", dan="commenter")
    cora, dan, ana = (Api(server, users[b]["name"]) for b in ("cora", "dan", "ana"))
    watcher = Listener(server, users["ana"]["name"], score)
    listeners.append(watcher)
    path = f"/scores/{score}/comments"
    thread = cora.call("POST", path, {"body": "a", "anchor": {"kind": "measures", "first": "m1"}})[
        1
    ]
    root = thread["thread_id"]
    reply = dan.call("POST", path, {"body": "b", "parent": root})[1]["thread"]["replies"][0]["id"]

    status, resolved = dan.call("POST", f"{path}/{reply}/resolve", {})  # via a reply: the thread
    assert status == 200 and resolved["action"] == "resolved"
    assert resolved["thread"]["resolved"]["by"]["name"] == users["dan"]["name"]
    status, reopened = cora.call("POST", f"{path}/{root}/reopen", {})
    assert status == 200 and reopened["thread"]["resolved"] is None
    actions = [e["action"] for e in watcher.wait_for("comment", 4)]
    assert actions == ["created", "replied", "resolved", "reopened"]

    assert dan.call("PATCH", f"{path}/{root}", {"body": "mine now"})[0] == 403  # not his
    status, edited = cora.call("PATCH", f"{path}/{root}", {"body": "a, edited"})
    assert status == 200 and edited["thread"]["body"] == "a, edited"
    assert edited["thread"]["edited_at"] is not None
    assert dan.call("DELETE", f"{path}/{root}")[0] == 403  # a commenter: only their own
    status, deleted = dan.call("DELETE", f"{path}/{reply}")
    assert status == 200 and deleted["thread"]["replies"] == []
    status, deleted = ana.call("DELETE", f"{path}/{root}")  # the owner may delete any
    assert status == 200 and deleted["action"] == "deleted" and deleted["thread"] is None
    assert watcher.wait_for("comment", 7)[-1] == {
        "score": score, "action": "deleted", "thread_id": root, "thread": None,
    }  # fmt: skip
    assert cora.call("GET", path)[1]["threads"] == []
    assert cora.call("POST", f"{path}/{root}/reopen", {})[0] == 404


def test_mentions_reach_the_mentioned_members_socket_and_unread_list(
    shared_server: Shared, listeners: list[Listener]
) -> None:
    server, _, score, users = _score(shared_server, cora="commenter", ed="editor")
    [outsider] = fresh_names("out")
    server.signup(outsider)
    # Ed is connected but has not joined the score: the mention still reaches him.
    ed_socket = socketio.Client(reconnection=False)
    mentions: list[dict[str, Any]] = []
    arrived = threading.Event()
    ed_socket.on("notification", lambda data: (mentions.append(data), arrived.set()))
    ed_socket.connect(server.url, auth={"token": server.token(users["ed"]["name"])})
    try:
        cora = Api(server, users["cora"]["name"])
        text = (
            f"@{users['ed']['name']} and @{users['ed']['name']}, see this; "
            f"@{outsider} @{users['cora']['name']} mail@{users['ana']['name']}"
        )
        status, created = cora.call(
            "POST",
            f"/scores/{score}/comments",
            {"body": text, "anchor": {"kind": "part", "part": "p1"}},
        )
        assert status == 201
        assert arrived.wait(10), "the mention did not arrive"
        time.sleep(0.3)  # a second (duplicate) notification would have arrived by now
        [note] = mentions
        assert note["kind"] == "mention" and note["score"] == score
        assert note["comment"] == note["thread"] == created["thread_id"]
        assert note["actor"]["name"] == users["cora"]["name"] and note["excerpt"].startswith("@")
        ed = Api(server, users["ed"]["name"])
        status, unread = ed.call("GET", "/notifications")
        assert status == 200 and [n["id"] for n in unread["notifications"]] == [note["id"]]
        # Not notified: a non-member, the author, an e-mail-like "mail@ana".
        for name in (outsider, users["cora"]["name"], users["ana"]["name"]):
            assert Api(server, name).call("GET", "/notifications")[1]["notifications"] == []
        assert ed.call("POST", "/notifications/read", {"ids": [note["id"]]})[1]["marked"] == 1
        assert ed.call("GET", "/notifications")[1]["notifications"] == []
        assert len(ed.call("GET", "/notifications?all=1")[1]["notifications"]) == 1
        # Editing a comment notifies only people newly mentioned.
        status, _ = cora.call(
            "PATCH",
            f"/scores/{score}/comments/{created['thread_id']}",
            {"body": f"{text} @{users['ana']['name']}"},
        )
        assert status == 200
        ana_unread = Api(server, users["ana"]["name"]).call("GET", "/notifications")[1]
        assert len(ana_unread["notifications"]) == 1
        assert ed.call("GET", "/notifications")[1]["notifications"] == []
    finally:
        ed_socket.disconnect()


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"body": "", "anchor": {"kind": "part", "part": "p1"}}, "bad_request"),
        ({"body": "x" * 4001, "anchor": {"kind": "part", "part": "p1"}}, "bad_request"),
        ({"body": "bell\x07", "anchor": {"kind": "part", "part": "p1"}}, "bad_request"),
        ({"body": 5, "anchor": {"kind": "part", "part": "p1"}}, "bad_request"),
        ({"body": "no anchor"}, "bad_request"),
        ({"body": "x", "anchor": {"kind": "event", "event": "<script>"}}, "bad_request"),
        ({"body": "x", "anchor": {"kind": "event", "event": "gone"}}, "anchor_not_found"),
        ({"body": "x", "anchor": {"kind": "part", "part": "p1"}, "parent": 1}, "bad_request"),
        ({"body": "x", "parent": 10**12}, "not_found"),
        ({"body": "x", "parent": "1"}, "bad_request"),
    ],
)
def test_bad_comments_are_refused(shared_server: Shared, body: Any, code: str) -> None:
    server, _, score, users = _score(shared_server, cora="commenter")
    status, answer = Api(server, users["cora"]["name"]).call(
        "POST", f"/scores/{score}/comments", body
    )
    assert status in (400, 404) and answer["error"]["code"] == code, answer


def test_a_comment_of_another_score_is_not_found_through_this_one(shared_server: Shared) -> None:
    server, service, score, users = _score(shared_server, cora="commenter")
    other = service.create_score(users["cora"]["id"], "Cora's own")
    cora = Api(server, users["cora"]["name"])
    status, created = cora.call(
        "POST", f"/scores/{other}/comments", {"body": "x", "anchor": {"kind": "part", "part": "p1"}}
    )
    assert status == 201
    foreign = created["thread_id"]
    assert cora.call("POST", f"/scores/{score}/comments/{foreign}/resolve", {})[0] == 404
    assert cora.call("DELETE", f"/scores/{score}/comments/{foreign}")[0] == 404
    assert (
        cora.call("POST", f"/scores/{score}/comments", {"body": "r", "parent": foreign})[0] == 404
    )


def test_the_history_export_includes_the_comments(shared_server: Shared) -> None:
    server, service, score, users = _score(shared_server, cora="commenter")
    cora = Api(server, users["cora"]["name"])
    path = f"/scores/{score}/comments"
    root = cora.call(
        "POST", path, {"body": "on the note", "anchor": {"kind": "event", "event": "n1"}}
    )
    cora.call("POST", path, {"body": "a reply", "parent": root[1]["thread_id"]})
    service.submit(score, users["ana"]["id"], [{"op": "delete_event", "event": "n1"}])
    status, exported = cora.call("GET", f"/scores/{score}/history/export?format=json")
    assert status == 200 and [r["seq"] for r in exported["rows"]] == [1, 2]
    assert [(c["body"], c["thread"], c["seq"], c["state"]) for c in exported["comments"]] == [
        ("on the note", root[1]["thread_id"], 1, "detached"),
        ("a reply", root[1]["thread_id"], 1, "detached"),
    ]
    assert exported["comments"][0]["anchor"] == "detached (was m. 2)"
    response = requests.get(
        f"{server.url}/api/scores/{score}/history/export?format=comments-csv",
        headers=cora.headers,
        timeout=30,
    )
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    lines = response.text.splitlines()
    assert lines[0] == "id,thread,seq,time,author,anchor,state,resolved,body"
    assert lines[1].endswith(",detached (was m. 2),detached,False,on the note")


def test_a_comment_flood_is_cut_to_a_burst_and_spares_other_people(
    shared_server: Shared, listeners: list[Listener]
) -> None:
    server, _, score, users = _score(shared_server, cora="commenter", dan="commenter")
    watcher = Listener(server, users["ana"]["name"], score)
    listeners.append(watcher)
    cora = Api(server, users["cora"]["name"])
    anchor = {"kind": "part", "part": "p1"}
    statuses, retry_after = [], []
    for i in range(40):
        response = requests.post(
            f"{server.url}/api/scores/{score}/comments",
            json={"body": f"spam {i}", "anchor": anchor},
            headers=cora.headers,
            timeout=30,
        )
        statuses.append(response.status_code)
        if response.status_code == 429:
            retry_after.append(response.headers.get("Retry-After"))
            assert response.json()["error"]["code"] == "rate_limited"
    accepted = statuses.count(201)
    assert 20 <= accepted < 30 and statuses.count(429) == 40 - accepted, statuses
    assert retry_after and all(r is not None and int(r) >= 1 for r in retry_after)
    # Only what was stored reached the room; another commenter still gets through.
    status, _ = Api(server, users["dan"]["name"]).call(
        "POST", f"/scores/{score}/comments", {"body": "not spam", "anchor": anchor}
    )
    assert status == 201
    seen = watcher.wait_for("comment", accepted + 1)
    time.sleep(0.3)
    assert len(watcher.of("comment")) == accepted + 1 == len(seen)
    assert len(cora.call("GET", f"/scores/{score}/comments")[1]["threads"]) == accepted + 1


@pytest.fixture
def pg_url_scaled() -> Iterator[str]:
    with scratch_database("postgresql+psycopg2://root@127.0.0.1:5432/test", "tutti_cmt") as url:
        yield url


@pytest.mark.postgres
def test_a_comment_posted_through_one_process_reaches_a_socket_on_another(
    pg_url_scaled: str, start_server: Callable[..., LiveServer]
) -> None:
    env = {
        "TUTTI_MESSAGE_QUEUE": "redis://127.0.0.1:6379/0",
        "TUTTI_SECRET_KEY": secrets.token_hex(16),
    }
    first, second = start_server(pg_url_scaled, env), start_server(pg_url_scaled, env)
    service = EditLog(Database(pg_url_scaled))
    try:
        ana, cora = first.signup("ana"), first.signup("cora")
        score = service.create_score(ana["id"], "Two processes")
        records(service).members.set_member(score, cora["id"], "commenter")
        watcher = Listener(second, "ana", score)
        mention = socketio.Client(reconnection=False)
        notes: list[dict[str, Any]] = []
        mention.on("notification", notes.append)
        mention.connect(second.url, auth={"token": second.token("ana")})
        try:
            status, _ = Api(first, "cora").call(
                "POST",
                f"/scores/{score}/comments",
                {"body": "@ana look", "anchor": {"kind": "measures", "first": "m1"}},
            )
            assert status == 201
            assert watcher.wait_for("comment")[0]["thread"]["body"] == "@ana look"
            deadline = time.monotonic() + 10
            while len(notes) < 1 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert [n["kind"] for n in notes] == ["mention"]
        finally:
            watcher.close()
            mention.disconnect()
    finally:
        service.db.dispose()
