"""The web layer: the vendor allow-list and the pages against the real server (what it
serves over the wire), and the JSON score API (create, list, info, import, export) with
real sessions and roles in the test process (``create_app`` + Flask test clients: a
server process adds nothing to plain HTTP API behaviour)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from flask.testing import FlaskClient

from tests.support.inprocess import InProcessApp

from .conftest import LiveServer, fresh_names

PASSWORD = "web-api-pw-1"


def session_for(server: LiveServer, name: str) -> requests.Session:
    session = server.browser()
    body = {"name": name, "password": PASSWORD}
    assert session.post(f"{server.url}/api/signup", json=body, timeout=10).status_code == 201
    assert session.post(f"{server.url}/api/login", json=body, timeout=10).ok
    return session


Shared = tuple[LiveServer, Any]


@pytest.fixture
def tutti(db_url: str) -> Iterator[InProcessApp]:
    app = InProcessApp(db_url)
    yield app
    app.close()


def client_for(tutti: InProcessApp, name: str) -> FlaskClient:
    """``name``'s logged-in HTTP client (signed up, then logged in like a person)."""
    tutti.signup(name, PASSWORD)
    client = tutti.http(name)
    assert client.post("/api/login", json={"name": name, "password": PASSWORD}).status_code == 200
    return client


def _file(name: str, content: bytes, mime: str) -> dict[str, Any]:
    return {"file": (io.BytesIO(content), name, mime)}


def test_vendor_route_serves_only_the_allow_list(shared_server: Shared) -> None:
    live_server = shared_server[0]
    url = f"{live_server.url}/vendor"
    expected = {
        "verovio/verovio-module.mjs": "text/javascript",
        "verovio/verovio.mjs": "text/javascript",
        "socket.io/socket.io.esm.min.js": "text/javascript",
        "tone/Tone.js": "text/javascript",
        "piano/D%234v10.mp3": "audio/mpeg",
        "piano/C4v10.mp3": "audio/mpeg",
        "jspdf/jspdf.umd.min.js": "text/javascript",
        "svg2pdf/svg2pdf.umd.min.js": "text/javascript",
        "fonts/DejaVuSerifCondensed.ttf": "font/ttf",
        "instruments/violin/A4.mp3": "audio/mpeg",
        "instruments/cello/As3.mp3": "audio/mpeg",
    }
    for path, mime in expected.items():
        response = requests.get(f"{url}/{path}", timeout=30)
        assert response.status_code == 200, path
        assert response.headers["Content-Type"].startswith(mime), path
        assert len(response.content) > 1000
    for path in (
        "verovio/package.json",
        "verovio/dist/verovio.mjs",
        "../package.json",
        "..%2Fpackage.json",
        "tone/build/esm/index.js",
        "piano/B4v10.mp3",
        "socket.io-client/package.json",
        "instruments/violin/package.json",
        "instruments/violin/F2 v2.mp3",
        "instruments/banjo/A4.mp3",
        "instruments/..%2Fviolin/A4.mp3",
    ):
        assert requests.get(f"{url}/{path}", timeout=10).status_code == 404, path
    # The sample sets the player may use, as Tone.js note names.
    sounds = requests.get(f"{url}/instruments.json", timeout=10).json()
    assert set(sounds) == {
        "violin", "cello", "contrabass", "flute", "clarinet", "saxophone",
        "trumpet", "trombone", "guitar-acoustic", "bass-electric",
    }  # fmt: skip
    assert "A#3" in sounds["cello"] and all("s" not in n for n in sounds["cello"])


def test_pages_load_only_same_origin_resources(shared_server: Shared) -> None:
    live_server = shared_server[0]
    (name,) = fresh_names("pages")
    session = session_for(live_server, name)
    for path in ("/login", "/", "/scores/anything"):
        response = session.get(f"{live_server.url}{path}", timeout=10)
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("text/html")
        for ref in re.findall(r'(?:src|href)="([^"]+)"', response.text):
            assert ref.startswith(("/", "data:")), f"{path} references {ref}"


def test_score_api_create_list_export_import_and_roles(tutti: InProcessApp) -> None:
    owner = client_for(tutti, "owner")
    api = "/api/scores"
    response = owner.post(
        api,
        json={
            "title": "Trio",
            "measures": 3,
            "parts": [{"name": "Flute"}, {"name": "Cello", "clef": "bass"}],
            "key": -2,
            "time": [3, 4],
        },
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    score_id = response.get_json()["id"]
    listed = owner.get(api).get_json()["scores"]
    assert [(s["id"], s["title"], s["role"]) for s in listed] == [(score_id, "Trio", "owner")]
    info = owner.get(f"{api}/{score_id}").get_json()["score"]
    assert info["role"] == "owner" and info["head_seq"] == 0

    xml = owner.get(f"{api}/{score_id}/export?format=musicxml")
    assert xml.status_code == 200
    assert "attachment" in xml.headers["Content-Disposition"]
    assert b"score-partwise" in xml.data and b"Cello" in xml.data
    midi = owner.get(f"{api}/{score_id}/export?format=midi")
    assert midi.status_code == 200 and midi.data.startswith(b"MThd")
    bad = owner.get(f"{api}/{score_id}/export?format=pdf")
    assert bad.status_code == 400

    imported = owner.post(f"{api}/import", data=_file("trio.musicxml", xml.data, "application/xml"))
    assert imported.status_code == 201, imported.get_data(as_text=True)
    new_id = imported.get_json()["id"]
    assert new_id != score_id
    titles = {s["id"] for s in owner.get(api).get_json()["scores"]}
    assert titles == {score_id, new_id}
    # The import is edit 1 of the new score, attributed to the uploader, origin "import".
    history = owner.get(f"{api}/{new_id}/history/export?format=json").get_json()
    rows = history if isinstance(history, list) else history["rows"]
    assert [(r["seq"], r["origin"]) for r in rows] == [(1, "import")]
    garbage = _file("x.musicxml", b"not music", "application/xml")
    refused_file = owner.post(f"{api}/import", data=garbage)
    assert refused_file.status_code == 400
    assert refused_file.get_json()["error"]["code"] in ("malformed_file", "unsupported_format")

    stranger = client_for(tutti, "stranger")
    assert stranger.get(f"{api}/{score_id}/export?format=midi").status_code == 403
    assert stranger.get(f"{api}/{score_id}").status_code == 403
    assert stranger.get(api).get_json()["scores"] == []
    anonymous = tutti.http()
    assert anonymous.get(api).status_code == 401
    assert anonymous.post(api, json={"title": "x"}).status_code == 401
    refused = owner.post(api, json={"measures": 0})
    assert refused.status_code == 400


def test_bad_uploads_and_fields_get_clear_json_errors(tutti: InProcessApp) -> None:
    owner = client_for(tutti, "uploader")
    api = "/api/scores"
    before = owner.get(api).get_json()["scores"]
    # Over the upload limit (10 MB by default): refused by Flask before the view runs.
    huge = _file("big.musicxml", b"\0" * (11 * 2**20), "application/xml")
    refused = owner.post(f"{api}/import", data=huge)
    assert refused.status_code == 413
    assert refused.get_json()["error"]["code"] == "file_too_large"
    assert "MB" in refused.get_json()["error"]["message"]
    unknown = _file("tune.xyz", b"abc", "application/octet-stream")
    refused = owner.post(f"{api}/import", data=unknown)
    assert refused.get_json()["error"]["code"] == "unsupported_format"
    refused = owner.post(api, json={"title": 5})
    assert (
        refused.status_code == 400 and "must be a string" in refused.get_json()["error"]["message"]
    )
    assert owner.get(api).get_json()["scores"] == before  # nothing half-created
