"""The real server (eventlet) keeps serving while the heaviest request runs: an export of
the largest allowed score goes to a job process, and another user's edits keep being
acknowledged meanwhile; a job over its time limit is stopped with ``too_slow`` and the
server carries on. Before ``server/offload`` the export ran on the loop (70 s here for
2000 x 16) and every other socket waited for it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from server.editing import EditLog
from server.score.limits import MAX_BARS, MAX_MEASURES
from server.score.model import new_document

from .conftest import LiveServer


def _create(server: LiveServer, token: str, **body: Any) -> str:
    response = requests.post(
        f"{server.url}/api/scores", json=body, headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )  # fmt: skip
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _export(server: LiveServer, token: str, score: str, into: dict[str, Any]) -> None:
    try:
        response = requests.get(
            f"{server.url}/api/scores/{score}/export?format=musicxml",
            headers={"Authorization": f"Bearer {token}"}, timeout=600,
        )  # fmt: skip
        into["status"] = response.status_code
        into["body"] = response.content
    except requests.RequestException as exc:  # the server was stopped under it: fine
        into["error"] = exc
    into["done"] = time.monotonic()


def test_edits_are_acked_while_the_largest_score_exports(
    live_server: LiveServer, server_service: EditLog
) -> None:
    ana = live_server.signup("ana")
    live_server.signup("bob")
    parts = MAX_BARS // MAX_MEASURES  # 2000 measures x 16 parts: the largest allowed
    largest = new_document(measures=MAX_MEASURES, parts=[{"name": f"P{i}"} for i in range(parts)])
    big = server_service.create_score(ana["id"], "Largest", doc=largest)
    bob_token = live_server.token("bob")
    small = _create(live_server, bob_token, title="Small")
    with live_server.client("bob") as bob:
        bob.join(small)
        export: dict[str, Any] = {}
        runner = threading.Thread(
            target=_export, args=(live_server, live_server.token("ana"), big, export), daemon=True
        )
        runner.start()
        time.sleep(1.0)  # the request is in: the job process is starting or writing
        acked = []
        for i in range(20):
            bob.submit([{"op": "set_meta", "title": f"during export {i}"}])
            bob.wait_synced(timeout=5)  # raises if the server stops serving bob
            acked.append(time.monotonic())
        assert "done" not in export, f"the export finished too soon to show anything: {export}"
        assert bob.confirmed_document["title"] == "during export 19"
    assert len(acked) == 20


def test_a_job_over_its_time_limit_gets_too_slow_and_the_server_keeps_serving(
    db_url: str, start_server: Callable[..., LiveServer]
) -> None:
    server = start_server(db_url, {"TUTTI_JOB_TIME_LIMIT": "1.5"})
    server.signup("ana")
    token = server.token("ana")
    big = _create(server, token, title="Big", measures=500, parts=[{"name": "P"}] * 16)
    small = _create(server, token, title="Small")
    with server.client("ana") as client:
        client.join(small)
        export: dict[str, Any] = {}
        _export(server, token, big, export)
        assert export["status"] == 503, export
        body = requests.models.complexjson.loads(export["body"])
        assert body["error"]["code"] == "too_slow" and body["error"]["limit_s"] == 1.5
        client.submit([{"op": "set_meta", "title": "after"}])
        client.wait_synced(timeout=5)
        assert client.confirmed_document["title"] == "after"
    fine: dict[str, Any] = {}
    _export(server, token, small, fine)
    assert fine["status"] == 200 and b"<score-partwise" in fine["body"]


def _job_children(pid: int) -> list[int]:
    """Pids of ``pid``'s child processes that are job processes (``server.offload.child``)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            try:
                cmdline = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue  # ended meanwhile
            if b"server.offload.child" in cmdline:
                found.append(int(child))
    return found


def test_the_server_starts_a_job_process_before_the_first_request(
    db_url: str, start_server: Callable[..., LiveServer]
) -> None:
    """The first export or voicing request must not wait for a job process's start-up
    (music21's import and warm-up: seconds): ``tutti serve`` starts one as it starts."""
    live_server = start_server(db_url, {"TUTTI_JOB_PREWARM": "1"})
    assert live_server.process is not None
    deadline = time.monotonic() + 120  # a busy shared machine starts processes slowly
    while not _job_children(live_server.process.pid):
        assert time.monotonic() < deadline, "no job process was started"
        time.sleep(0.2)
