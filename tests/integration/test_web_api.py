"""The web layer against the real server: the vendor allow-list, the pages and the
JSON score API (create, list, info, import, export) with real sessions and roles."""

from __future__ import annotations

import re

import requests

from .conftest import LiveServer

PASSWORD = "web-api-pw-1"


def session_for(server: LiveServer, name: str) -> requests.Session:
    session = requests.Session()
    body = {"name": name, "password": PASSWORD}
    assert session.post(f"{server.url}/api/signup", json=body, timeout=10).status_code == 201
    assert session.post(f"{server.url}/api/login", json=body, timeout=10).ok
    return session


def test_vendor_route_serves_only_the_allow_list(live_server: LiveServer) -> None:
    url = f"{live_server.url}/vendor"
    expected = {
        "verovio/verovio-module.mjs": "text/javascript",
        "verovio/verovio.mjs": "text/javascript",
        "socket.io/socket.io.esm.min.js": "text/javascript",
        "tone/Tone.js": "text/javascript",
        "piano/D%234v10.mp3": "audio/mpeg",
        "piano/C4v10.mp3": "audio/mpeg",
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
    ):
        assert requests.get(f"{url}/{path}", timeout=10).status_code == 404, path


def test_pages_load_only_same_origin_resources(live_server: LiveServer) -> None:
    session = session_for(live_server, "pages")
    for path in ("/login", "/", "/scores/anything"):
        response = session.get(f"{live_server.url}{path}", timeout=10)
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("text/html")
        for ref in re.findall(r'(?:src|href)="([^"]+)"', response.text):
            assert ref.startswith(("/", "data:")), f"{path} references {ref}"


def test_score_api_create_list_export_import_and_roles(live_server: LiveServer) -> None:
    owner = session_for(live_server, "owner")
    api = f"{live_server.url}/api/scores"
    response = owner.post(
        api,
        json={
            "title": "Trio",
            "measures": 3,
            "parts": [{"name": "Flute"}, {"name": "Cello", "clef": "bass"}],
            "key": -2,
            "time": [3, 4],
        },
        timeout=10,
    )
    assert response.status_code == 201, response.text
    score_id = response.json()["id"]
    listed = owner.get(api, timeout=10).json()["scores"]
    assert [(s["id"], s["title"], s["role"]) for s in listed] == [(score_id, "Trio", "owner")]
    info = owner.get(f"{api}/{score_id}", timeout=10).json()["score"]
    assert info["role"] == "owner" and info["head_seq"] == 0

    xml = owner.get(f"{api}/{score_id}/export?format=musicxml", timeout=60)
    assert xml.status_code == 200
    assert "attachment" in xml.headers["Content-Disposition"]
    assert b"score-partwise" in xml.content and b"Cello" in xml.content
    midi = owner.get(f"{api}/{score_id}/export?format=midi", timeout=60)
    assert midi.status_code == 200 and midi.content.startswith(b"MThd")
    bad = owner.get(f"{api}/{score_id}/export?format=pdf", timeout=10)
    assert bad.status_code == 400

    files = {"file": ("trio.musicxml", xml.content, "application/xml")}
    imported = owner.post(f"{api}/import", files=files, timeout=60)
    assert imported.status_code == 201, imported.text
    new_id = imported.json()["id"]
    assert new_id != score_id
    titles = {s["id"] for s in owner.get(api, timeout=10).json()["scores"]}
    assert titles == {score_id, new_id}
    # The import is edit 1 of the new score, attributed to the uploader, origin "import".
    history = owner.get(f"{api}/{new_id}/history/export?format=json", timeout=30).json()
    rows = history if isinstance(history, list) else history["rows"]
    assert [(r["seq"], r["origin"]) for r in rows] == [(1, "import")]
    garbage = {"file": ("x.musicxml", b"not music", "application/xml")}
    refused_file = owner.post(f"{api}/import", files=garbage, timeout=60)
    assert refused_file.status_code == 400
    assert refused_file.json()["error"]["code"] in ("malformed_file", "unsupported_format")

    stranger = session_for(live_server, "stranger")
    assert stranger.get(f"{api}/{score_id}/export?format=midi", timeout=10).status_code == 403
    assert stranger.get(f"{api}/{score_id}", timeout=10).status_code == 403
    assert stranger.get(api, timeout=10).json()["scores"] == []
    assert requests.get(api, timeout=10).status_code == 401
    assert requests.post(api, json={"title": "x"}, timeout=10).status_code == 401
    refused = owner.post(api, json={"measures": 0}, timeout=10)
    assert refused.status_code == 400


def test_bad_uploads_and_fields_get_clear_json_errors(live_server: LiveServer) -> None:
    owner = session_for(live_server, "uploader")
    api = f"{live_server.url}/api/scores"
    before = owner.get(api, timeout=10).json()["scores"]
    # Over the upload limit (10 MB by default): refused by Flask before the view runs.
    huge = {"file": ("big.musicxml", b"\0" * (11 * 2**20), "application/xml")}
    refused = owner.post(f"{api}/import", files=huge, timeout=60)
    assert refused.status_code == 413
    assert refused.json()["error"]["code"] == "file_too_large"
    assert "MB" in refused.json()["error"]["message"]
    unknown = {"file": ("tune.xyz", b"abc", "application/octet-stream")}
    refused = owner.post(f"{api}/import", files=unknown, timeout=60)
    assert refused.json()["error"]["code"] == "unsupported_format"
    refused = owner.post(api, json={"title": 5}, timeout=10)
    assert refused.status_code == 400 and "must be a string" in refused.json()["error"]["message"]
    assert owner.get(api, timeout=10).json()["scores"] == before  # nothing half-created
