"""The permission matrix: every role (owner, editor, commenter, viewer, a share-link
holder, a holder of an expired link, a non-member, anonymous) against every HTTP endpoint
that touches a score and every Socket.IO event, checked against the table in
docs/protocol.md "Permissions" — the test parses that table, so the documentation and the
behaviour cannot drift apart (an action in one but not the other fails too).

The real app in the test process (``InProcessApp``: real routes, real database, the
Flask-SocketIO test client); each cell gets a fresh score, so destructive actions (delete,
leave, revoke) never leak into the next cell.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from server.extensions import get_comments, get_socketio
from server.persistence import Repositories
from server.persistence.rows import utcnow
from tests.support.inprocess import InProcessApp

DOC = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"
COLUMNS = (
    "owner",
    "editor",
    "commenter",
    "viewer",
    "link holder",
    "expired link",
    "non-member",
    "anonymous",
)
#: The person playing each column (anonymous has no account).
PEOPLE = {
    "owner": "pm_owner",
    "editor": "pm_editor",
    "commenter": "pm_commenter",
    "viewer": "pm_viewer",
    "link holder": "pm_link",
    "expired link": "pm_expired",
    "non-member": "pm_stranger",
}
TARGET = "pm_target"  # a viewer the owner acts upon (change role, remove)
ASKER = "pm_asker"  # has a pending request for access
#: The refusals of a role check (``no`` in the table); any other outcome passed it.
ROLE_REFUSALS = {"forbidden", "not_authenticated", "not_joined"}
TITLE_OP = {"op": "set_meta", "title": "Checked"}
MEASURE = {"kind": "measures", "first": "m1"}


def documented_matrix() -> dict[str, dict[str, str]]:
    """``{action: {column: expected}}`` from the "Permissions" table of docs/protocol.md."""
    text = DOC.read_text()
    section = text[text.index("## Permissions") :]
    rows: dict[str, dict[str, str]] = {}
    header: list[str] | None = None
    for line in section.splitlines():
        if not line.startswith("|"):
            if header is not None and rows:
                break
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = cells[1:]
            assert tuple(header) == COLUMNS, header
            continue
        if set(cells[0]) <= {"-"}:
            continue
        rows[cells[0]] = dict(zip(header, cells[1:], strict=True))
    return rows


@dataclass
class Cell:
    """One score set up with every column's person in place."""

    app: InProcessApp
    repos: Repositories
    score: str
    live_link: int
    comment: int  # the owner's comment
    suggestion: int  # a pending helper suggestion

    def http(self, column: str) -> FlaskClient:
        if column == "anonymous":
            return self.app.app.test_client()
        return self.app.http(PEOPLE[column])

    def name(self, column: str) -> str:
        return PEOPLE[column]


def outcome_of(status: int, body: Any) -> str:
    """``yes`` (done), ``no`` (a role refusal) or ``code: X`` (refused after the role check,
    e.g. ``helper_disabled``, ``last_owner``)."""
    if isinstance(body, dict) and body.get("ok") is False:
        code = body["error"]["code"]
        return "no" if code in ROLE_REFUSALS else f"code: {code}"
    assert status < 400, (status, body)
    return "yes"


def matches(expected: str, got: str) -> bool:
    """``yes`` in the table: done or refused only after the role check; ``no``: a role
    refusal; ``no: X``: refused with exactly that code."""
    if expected.startswith("no: "):
        return got == f"code: {expected[4:]}"
    if expected == "no":
        return got == "no"
    return got == "yes" or got.startswith("code: ")


def call(client: FlaskClient, method: str, path: str, body: Any = None) -> str:
    response = client.open(path, method=method, json=body)
    if response.mimetype == "application/json":
        return outcome_of(response.status_code, response.get_json())
    assert response.status_code < 400, (response.status_code, response.get_data()[:300])
    return "yes"


def http_action(method: str, path: str, body: Any = None) -> Callable[[Cell, str], str]:
    def run(cell: Cell, column: str) -> str:
        me = cell.name(column) if column in PEOPLE else "x"
        url = path.format(
            id=cell.score,
            me=me,
            link=cell.live_link,
            comment=cell.comment,
            suggestion=cell.suggestion,
        )
        return call(cell.http(column), method, url, body)

    return run


def lists_the_score(cell: Cell, column: str) -> str:
    response = cell.http(column).get("/api/scores")
    if response.status_code == 401:
        return "no"
    ids = [s["id"] for s in response.get_json()["scores"]]
    return "yes" if cell.score in ids else "no"


def restore(cell: Cell, column: str) -> str:
    owner_id = cell.app.users[PEOPLE["owner"]]["id"]
    cell.repos.trash.put(cell.score, owner_id)
    return call(cell.http(column), "POST", f"/api/trash/{cell.score}/restore", {})


def socket_action(event: str | None, payload: Callable[[Cell], dict[str, Any]] | None = None):
    """Connect as the column's person (session cookie), join unless the event is the
    join itself, then send ``event`` and read its ack."""

    def run(cell: Cell, column: str) -> str:
        http = cell.http(column)
        client = get_socketio(cell.app.app).test_client(cell.app.app, flask_test_client=http)
        try:
            if not client.is_connected():
                return "no"
            if event is None:
                return "yes"
            join = {"score": cell.score}
            if event == "join":
                return outcome_of(200, client.emit("join", join, callback=True))
            client.emit("join", join, callback=True)
            assert payload is not None
            return outcome_of(200, client.emit(event, payload(cell), callback=True))
        finally:
            if client.is_connected():
                client.disconnect()

    return run


ACTIONS: dict[str, Callable[[Cell, str], str]] = {
    "`GET /api/scores` (lists the score)": lists_the_score,
    "`GET /api/scores/<id>`": http_action("GET", "/api/scores/{id}"),
    "`GET /api/scores/<id>/export`": http_action("GET", "/api/scores/{id}/export?format=midi"),
    "`PATCH /api/scores/<id>` (rename)": http_action("PATCH", "/api/scores/{id}", {"title": "R"}),
    "`POST /api/scores/<id>/duplicate`": http_action("POST", "/api/scores/{id}/duplicate", {}),
    "`DELETE /api/scores/<id>` (to the trash)": http_action("DELETE", "/api/scores/{id}"),
    "`POST /api/trash/<id>/restore`": restore,
    "`GET /api/scores/<id>/members`": http_action("GET", "/api/scores/{id}/members"),
    "`POST /api/scores/<id>/members` (invite)": http_action(
        "POST", "/api/scores/{id}/members", {"name": ASKER, "role": "viewer"}
    ),
    "`PATCH /api/scores/<id>/members/<name>` (another's role)": http_action(
        "PATCH", f"/api/scores/{{id}}/members/{TARGET}", {"role": "commenter"}
    ),
    "`DELETE /api/scores/<id>/members/<name>` (remove another)": http_action(
        "DELETE", f"/api/scores/{{id}}/members/{TARGET}"
    ),
    "`DELETE /api/scores/<id>/members/<me>` (leave)": http_action(
        "DELETE", "/api/scores/{id}/members/{me}"
    ),
    "`POST /api/scores/<id>/links`": http_action(
        "POST", "/api/scores/{id}/links", {"role": "viewer", "expires_in_days": 1}
    ),
    "`DELETE /api/scores/<id>/links/<link>`": http_action(
        "DELETE", "/api/scores/{id}/links/{link}"
    ),
    "`GET /api/scores/<id>/access`": http_action("GET", "/api/scores/{id}/access"),
    "`POST /api/scores/<id>/access-requests`": http_action(
        "POST", "/api/scores/{id}/access-requests", {}
    ),
    "`POST /api/scores/<id>/access-requests/<name>` (approve)": http_action(
        "POST", f"/api/scores/{{id}}/access-requests/{ASKER}", {"role": "viewer"}
    ),
    "`GET /api/scores/<id>/history`": http_action("GET", "/api/scores/{id}/history"),
    "`GET /api/scores/<id>/history/export`": http_action(
        "GET", "/api/scores/{id}/history/export?format=csv"
    ),
    "`GET /api/scores/<id>/blame`": http_action("GET", "/api/scores/{id}/blame"),
    "`GET /api/scores/<id>/doc`": http_action("GET", "/api/scores/{id}/doc?at=0"),
    "`GET /api/scores/<id>/diff`": http_action("GET", "/api/scores/{id}/diff?from=0&to=1"),
    "`GET /api/scores/<id>/contributions`": http_action("GET", "/api/scores/{id}/contributions"),
    "`GET /api/scores/<id>/versions`": http_action("GET", "/api/scores/{id}/versions"),
    "`POST /api/scores/<id>/versions`": http_action(
        "POST", "/api/scores/{id}/versions", {"label": "v1", "seq": 1}
    ),
    "`GET /api/scores/<id>/versions/<seq>/export`": http_action(
        "GET", "/api/scores/{id}/versions/1/export?format=midi"
    ),
    "`POST /api/scores/<id>/revert`": http_action("POST", "/api/scores/{id}/revert", {"seqs": [1]}),
    "`POST /api/scores/<id>/restore`": http_action("POST", "/api/scores/{id}/restore", {"seq": 0}),
    "`GET /api/scores/<id>/helper`": http_action("GET", "/api/scores/{id}/helper"),
    "`PUT /api/scores/<id>/helper`": http_action(
        "PUT", "/api/scores/{id}/helper", {"enabled": True}
    ),
    "`GET /api/scores/<id>/suggestions`": http_action("GET", "/api/scores/{id}/suggestions"),
    "`POST /api/scores/<id>/suggestions`": http_action(
        "POST",
        "/api/scores/{id}/suggestions",
        {"target": "satb", "measures": [0, 1], "chords": ["C"]},
    ),
    "`GET /api/scores/<id>/suggestions/<n>`": http_action(
        "GET", "/api/scores/{id}/suggestions/{suggestion}"
    ),
    "`POST /api/scores/<id>/suggestions/<n>/preview` (draws only)": http_action(
        "POST", "/api/scores/{id}/suggestions/{suggestion}/preview", {"alternative": 0}
    ),
    "`POST /api/scores/<id>/suggestions/<n>/accept`": http_action(
        "POST", "/api/scores/{id}/suggestions/{suggestion}/accept", {"alternative": 0}
    ),
    "`POST /api/scores/<id>/suggestions/<n>/reject`": http_action(
        "POST", "/api/scores/{id}/suggestions/{suggestion}/reject", {}
    ),
    "`POST /api/scores/<id>/suggestions/<n>/revert`": http_action(
        "POST", "/api/scores/{id}/suggestions/{suggestion}/revert", {}
    ),
    "`GET /api/scores/<id>/provenance`": http_action("GET", "/api/scores/{id}/provenance"),
    "`GET /api/scores/<id>/blame/<element>`": http_action("GET", "/api/scores/{id}/blame/m1"),
    "`GET /api/scores/<id>/comments`": http_action("GET", "/api/scores/{id}/comments"),
    "`POST /api/scores/<id>/comments`": http_action(
        "POST", "/api/scores/{id}/comments", {"body": "A thought", "anchor": MEASURE}
    ),
    "`PATCH /api/scores/<id>/comments/<n>` (the owner's)": http_action(
        "PATCH", "/api/scores/{id}/comments/{comment}", {"body": "Changed"}
    ),
    "`DELETE /api/scores/<id>/comments/<n>` (the owner's)": http_action(
        "DELETE", "/api/scores/{id}/comments/{comment}"
    ),
    "`POST /api/scores/<id>/comments/<n>/resolve`": http_action(
        "POST", "/api/scores/{id}/comments/{comment}/resolve", {}
    ),
    "`POST /api/scores/<id>/comments/<n>/reopen`": http_action(
        "POST", "/api/scores/{id}/comments/{comment}/reopen", {}
    ),
    "socket `connect`": socket_action(None),
    "socket `join`": socket_action("join"),
    "socket `fetch`": socket_action("fetch", lambda c: {"score": c.score, "from": 1}),
    "socket `select` (presence)": socket_action(
        "select", lambda c: {"score": c.score, "selection": []}
    ),
    "socket `submit`": socket_action(
        "submit",
        lambda c: {"score": c.score, "client_id": "pm", "client_seq": 1, "ops": [TITLE_OP]},
    ),
    "socket `revert`": socket_action("revert", lambda c: {"score": c.score, "seq": 1}),
    "socket `leave`": socket_action("leave", lambda c: {"score": c.score}),
}
MATRIX = documented_matrix()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[InProcessApp, Repositories]]:
    from server.persistence import Database, init_db

    url = f"sqlite:///{tmp_path_factory.mktemp('permissions') / 'tutti.sqlite3'}"
    init_db(url)
    app = InProcessApp(url)
    for name in [*PEOPLE.values(), TARGET, ASKER]:
        app.signup(name)
    db = Database(url)
    yield app, Repositories.over(db)
    db.dispose()


def make_cell(app: InProcessApp, repos: Repositories) -> Cell:
    uid = {name: int(user["id"]) for name, user in app.users.items()}
    owner = uid[PEOPLE["owner"]]
    score = app.service.create_score(owner, "Matrix")
    app.service.submit(score, owner, [{"op": "set_meta", "title": "Matrix 1"}])
    for column in ("editor", "commenter", "viewer"):
        repos.members.set_member(score, uid[PEOPLE[column]], column)
    repos.members.set_member(score, uid[TARGET], "viewer")
    live, _ = repos.links.create(score, "editor", owner, utcnow() + timedelta(days=1))
    repos.links.join(score, uid[PEOPLE["link holder"]], "editor", live)
    dead, _ = repos.links.create(score, "editor", owner, utcnow() - timedelta(seconds=1))
    repos.links.join(score, uid[PEOPLE["expired link"]], "editor", dead)
    repos.requests.ask(score, uid[ASKER])
    comment = get_comments(app.app).create(score, owner, {"body": "Mine", "anchor": MEASURE})
    # Each person's comment budget (comments_api) is per process: a fresh one per cell, or
    # the hundreds of cells would be answered 429 instead of by the role check.
    app.app.extensions.pop("tutti.comment_buckets", None)
    suggestion = repos.suggestions.create_suggestion(score, owner, {"target": "satb"}, None)
    return Cell(app, repos, score, live, comment.thread_id, int(suggestion["id"]))


def _route(text: str) -> str:
    """A path with every ``<...>`` placeholder made the same, to compare table and app."""
    return re.sub(r"<[^>]*>", "<>", text)


def test_the_documented_table_covers_every_action_and_nothing_else(
    world: tuple[InProcessApp, Repositories],
) -> None:
    assert set(MATRIX) == set(ACTIONS)
    documented = set()
    for key in MATRIX:
        found = re.match(r"`(GET|POST|PUT|PATCH|DELETE) (/\S+)`", key)
        if found:
            documented.add((found.group(1), _route(found.group(2))))
    app = world[0].app
    served = {
        (method, _route(rule.rule))
        for rule in app.url_map.iter_rules()
        if "score_id" in rule.arguments
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    }
    # Every route naming a score is in the table (the editor page only renders HTML).
    assert served - documented == {("GET", "/scores/<>")}
    allowed = re.compile(r"^(yes|no|no: [a-z_]+)$")
    assert all(allowed.match(v) for row in MATRIX.values() for v in row.values())


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_permission_matrix(world: tuple[InProcessApp, Repositories], action: str) -> None:
    app, repos = world
    got = {column: ACTIONS[action](make_cell(app, repos), column) for column in COLUMNS}
    wrong = {
        c: (MATRIX[action][c], got[c]) for c in COLUMNS if not matches(MATRIX[action][c], got[c])
    }
    assert wrong == {}, f"(documented, got) per column: {wrong}"
