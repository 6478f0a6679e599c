"""Validation at the edge (issue 14 item 1): every bad creation field and every malformed
edit is refused with a clear ``bad_request`` / ``invalid_op``, nothing is stored, and no
score can be created or edited into a state that cannot be opened again."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_socketio import SocketIOTestClient

from server import create_app
from server.extensions import get_edit_log, get_socketio
from server.score import InvalidOp, apply_edit, check_invariants, new_document
from server.score.limits import (
    MAX_BARS,
    MAX_EVENTS_PER_VOICE,
    json_problem,
    size_problems,
    text_problem,
)
from server.score.ops.structure import clean_document

# --- the pure limits -------------------------------------------------------------------


@pytest.mark.parametrize(
    "options",
    [
        {"time": [1000000000, 1]},
        {"time": [4, 3]},
        {"time": [0, 4]},
        {"time": "4/4"},
        {"key": 99},
        {"key": True},
        {"tempo": math.nan},
        {"tempo": math.inf},
        {"tempo": 0},
        {"measures": 0},
        {"measures": 2001},
        {"title": "\ud800"},
        {"title": "x" * 201},
    ],
)
def test_new_document_refuses_out_of_range_options_before_building(options: Any) -> None:
    started = time.perf_counter()
    with pytest.raises(ValueError):
        new_document(**options)
    # Refused before a single bar exists: [1000000000, 1] once filled memory at ~40 MB/s.
    assert time.perf_counter() - started < 1.0


def test_bars_limit_counts_measures_times_parts() -> None:
    parts = [{"name": f"P{i}"} for i in range(64)]
    with pytest.raises(ValueError, match="bars"):
        new_document(parts=parts, measures=MAX_BARS // 64 + 1)
    doc = new_document(parts=parts[:32], measures=MAX_BARS // 32)  # exactly the limit
    assert not check_invariants(doc)
    one_more = {"op": "insert_measures", "at": 0, "measures": [{"id": "extra"}]}
    with pytest.raises(InvalidOp, match="measures x parts"):
        apply_edit(doc, [one_more])
    another_part = {"op": "add_part", "part": {"id": "p99", "name": "One too many"}}
    with pytest.raises(InvalidOp, match="measures x parts"):
        apply_edit(doc, [another_part])
    assert len(doc["measures"]) == MAX_BARS // 32 and len(doc["parts"]) == 32


def test_a_voice_never_grows_past_its_limit() -> None:
    doc = new_document(measures=1, time=[9, 4])
    full = [{"id": f"s{i}", "dur": {"type": 128}, "notes": []} for i in range(224)]
    full += [{"id": f"l{i}", "dur": {"type": 64}, "notes": []} for i in range(32)]
    apply_edit(
        doc, [{"op": "set_bar", "part": "p1", "measure": "m1", "bar": {"voices": {"1": full}}}]
    )
    before = check_invariants(doc), [e["id"] for e in doc["parts"][0]["bars"]["m1"]["voices"]["1"]]
    write = {
        "op": "write_event",
        "part": "p1",
        "measure": "m1",
        "voice": "1",
        "offset": "7/4",  # on a 64th: a 128th plus a filler rest, one event more
        "event": {
            "id": "w",
            "dur": {"type": 128},
            "notes": [{"id": "nw", "step": "C", "octave": 4}],
        },
    }
    with pytest.raises(InvalidOp, match=f"at most {MAX_EVENTS_PER_VOICE}"):
        apply_edit(doc, [write])
    after = check_invariants(doc), [e["id"] for e in doc["parts"][0]["bars"]["m1"]["voices"]["1"]]
    assert after == before  # refused with nothing changed


def test_documents_with_broken_attributes_or_text_are_unsound() -> None:
    doc = new_document()
    doc["measures"][0]["tempo"] = math.nan
    assert any("tempo" in p for p in check_invariants(doc))
    doc = new_document()
    doc["measures"][0]["key"] = 99
    assert any("key" in p for p in check_invariants(doc))
    doc = new_document()
    doc["parts"][0]["name"] = "Pi\udc00ano"
    assert any("Unicode" in p for p in check_invariants(doc))
    with pytest.raises(InvalidOp):
        clean_document({**new_document(), "title": "\ud800"})


def test_json_problem_finds_nan_surrogates_and_depth_without_recursing() -> None:
    assert json_problem({"ops": [{"tempo": 120.5, "name": "Bläser ♩"}]}) is None
    assert "finite" in str(json_problem([{"tempo": math.nan}]))
    assert "finite" in str(json_problem({"a": [1, -math.inf]}))
    assert "Unicode" in str(json_problem({"name": "\ud83c"}))
    assert "Unicode" in str(json_problem({"\udfff": 1}))
    deep: Any = []
    for _ in range(100_000):  # far deeper than Python's recursion limit
        deep = [deep]
    assert "deep" in str(json_problem(deep))
    assert text_problem("ok", "name", 2) is None and text_problem("abc", "name", 2)
    assert size_problems(new_document()) == []


# --- over HTTP and Socket.IO, in process ----------------------------------------------------


@pytest.fixture
def app(db_url: str) -> Iterator[Flask]:
    app = create_app({"database_url": db_url, "secret_key": "k", "async_mode": "threading"})
    yield app
    get_edit_log(app).db.dispose()


@pytest.fixture
def http(app: Flask) -> FlaskClient:
    client = app.test_client()
    client.environ_base["HTTP_ORIGIN"] = "http://localhost"  # a page of the app's own
    body = {"name": "ana", "password": "secret-pw"}
    assert client.post("/api/signup", json=body).status_code == 201
    return client


def _raw(http: FlaskClient, body: str) -> Any:
    return http.post("/api/scores", data=body, content_type="application/json")


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ('{"time": [1000000000, 1]}', "time must be"),
        ('{"tempo": NaN}', "NaN"),
        ('{"tempo": Infinity}', "Infinity"),
        ('{"tempo": 1e999}', "finite"),
        ('{"key": 99}', "key must be"),
        ('{"measures": 100000}', "measures"),
        ('{"title": "\\ud800"}', "Unicode"),
        ('{"parts": [{"name": "Violin \\udc00"}]}', "Unicode"),
        ('{"parts": "piano"}', "parts"),
        ("[" * 200 + "]" * 200, "deep"),
        ('{"title": ', "not valid JSON"),
    ],
)
def test_each_bad_creation_field_is_refused(http: FlaskClient, body: str, says: str) -> None:
    before = http.get("/api/scores").json["scores"]
    response = _raw(http, body)
    assert response.status_code == 400
    assert response.json["error"]["code"] == "bad_request"
    assert says in response.json["error"]["message"]
    assert http.get("/api/scores").json["scores"] == before  # nothing created


def test_a_sound_creation_still_works(http: FlaskClient) -> None:
    response = http.post(
        "/api/scores", json={"title": "Bläser ♩", "time": [6, 8], "key": -3, "tempo": 72.5}
    )
    assert response.status_code == 201
    assert http.get(f"/api/scores/{response.json['id']}").status_code == 200


def _socket(app: Flask, http: FlaskClient) -> SocketIOTestClient:
    return get_socketio(app).test_client(app, flask_test_client=http)


def test_a_nan_or_surrogate_edit_is_refused_and_the_score_stays_usable(
    app: Flask, http: FlaskClient
) -> None:
    score = http.post("/api/scores", json={"title": "t"}).json["id"]
    sock = _socket(app, http)
    assert sock.emit("join", {"score": score}, callback=True)["ok"]
    bad_edits = [
        [{"op": "set_tempo", "measure": "m1", "tempo": math.nan}],
        [{"op": "set_part", "part": "p1", "name": "Pi\ud800ano"}],
        [{"op": "set_lyric", "event": "m1.p1.r0", "verse": 1, "text": "\udfff"}],
    ]
    for n, ops in enumerate(bad_edits, 1):
        ack = sock.emit(
            "submit", {"score": score, "client_id": "c", "client_seq": n, "ops": ops}, callback=True
        )
        assert ack["ok"] is False and ack["error"]["code"] == "bad_request", ack
        assert "plain JSON" in ack["error"]["message"]
    doc, seq = get_edit_log(app).load(score)
    assert seq == 0 and not check_invariants(doc)
    good = [{"op": "set_part", "part": "p1", "name": "Piano ♪"}]
    ack = sock.emit(
        "submit", {"score": score, "client_id": "c", "client_seq": 9, "ops": good}, callback=True
    )
    assert ack["ok"] and ack["seq"] == 1
    assert get_edit_log(app).load(score)[0]["parts"][0]["name"] == "Piano ♪"
    sock.disconnect()
