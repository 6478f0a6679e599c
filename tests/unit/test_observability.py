"""``/healthz`` and ``/metrics`` in process: the numbers move with real Socket.IO traffic."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from server import create_app
from server.extensions import get_edit_log, get_socketio


@pytest.fixture
def app(db_url: str) -> Iterator[Flask]:
    app = create_app({"database_url": db_url, "secret_key": "k", "async_mode": "threading"})
    yield app
    get_edit_log(app).db.dispose()


@pytest.fixture
def http(app: Flask) -> FlaskClient:
    client = app.test_client()
    client.environ_base["HTTP_ORIGIN"] = "http://localhost"  # a page of the app's own
    assert (
        client.post("/api/signup", json={"name": "ana", "password": "secret-pw"}).status_code == 201
    )
    return client


def _metric(text: str, name: str) -> float:
    found = re.search(rf"^{re.escape(name)} (\S+)$", text, re.MULTILINE)
    assert found, f"{name} missing from /metrics"
    return float(found.group(1))


def test_metrics_count_connections_rooms_edits_refusals_and_ack_latency(
    app: Flask, http: FlaskClient
) -> None:
    score = http.post("/api/scores", json={"title": "m"}).json["id"]
    before = http.get("/metrics")
    assert before.status_code == 200 and before.content_type.startswith("text/plain")
    assert _metric(before.text, "tutti_connections") == 0
    sock = get_socketio(app).test_client(app, flask_test_client=http)
    assert sock.emit("join", {"score": score}, callback=True)["ok"]
    for n in (1, 2, 3):
        ops = [{"op": "set_meta", "title": f"t{n}"}]
        payload = {"score": score, "client_id": "c", "client_seq": n, "ops": ops}
        assert sock.emit("submit", payload, callback=True)["ok"]
    resent = {"score": score, "client_id": "c", "client_seq": 3, "ops": ops}
    assert sock.emit("submit", resent, callback=True)["duplicate"]  # not a new edit
    bad = {"score": score, "client_id": "c", "client_seq": 4, "ops": [{"op": "nope"}]}
    assert not sock.emit("submit", bad, callback=True)["ok"]
    text = http.get("/metrics").text
    assert _metric(text, "tutti_connections") == 1
    assert _metric(text, "tutti_rooms") == 1
    assert _metric(text, "tutti_edits_total") == 3
    assert _metric(text, "tutti_ack_latency_seconds_count") == 3
    assert _metric(text, 'tutti_refusals_total{code="invalid_op"}') == 1
    assert "tutti_loop_lag_seconds_bucket" in text and "tutti_worker_info{worker=" in text
    sock.disconnect()
    assert _metric(http.get("/metrics").text, "tutti_connections") == 0


def test_healthz_reports_database_and_no_queue(http: FlaskClient) -> None:
    response = http.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"ok": True, "database": "ok", "queue": "none"}


def test_healthz_checks_the_redis_queue(db_url: str) -> None:
    live = create_app(
        {
            "database_url": db_url,
            "async_mode": "threading",
            "message_queue": "redis://127.0.0.1:6379/0",
        }
    )
    assert live.test_client().get("/healthz").json["queue"] == "ok"
    get_edit_log(live).db.dispose()
