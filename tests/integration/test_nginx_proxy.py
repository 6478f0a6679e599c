"""The nginx config in docs/deploy/nginx.conf works: two ``tutti serve --workers 2``
workers behind it, WebSocket clients through it converge, /healthz answers through it.

Runs Debian's nginx (installed by .ci/run) with the documented file, only the upstream and
listen placeholders filled in."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from server.client import TuttiClient

from .conftest import REPO, free_port
from .test_serve_workers import Redis, Workers, _wait_listening

CONFIG = REPO / "docs" / "deploy" / "nginx.conf"


@pytest.fixture
def nginx_in_front(tmp_path: Path, db_url: str) -> Iterator[tuple[str, Workers]]:
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(binary).exists(), "nginx is not installed: .ci/run installs it (apt nginx-light)"
    redis = Redis(tmp_path).start()
    workers = Workers(db_url, redis.url, tmp_path, 2)
    port = free_port()
    text = CONFIG.read_text()
    text = text.replace("TUTTI_UPSTREAM", f"127.0.0.1:{workers.port}")
    text = text.replace("LISTEN", f"127.0.0.1:{port}")
    text = text.replace("/tmp/tutti-nginx", str(tmp_path / "nginx"))
    conf = tmp_path / "nginx.conf"
    conf.write_text(text)
    proc = subprocess.Popen(
        [binary, "-c", str(conf), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_listening(port, 10)
        yield f"http://127.0.0.1:{port}", workers
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        workers.stop()
        redis.stop()


def test_clients_through_nginx_converge(nginx_in_front: tuple[str, Workers]) -> None:
    url, _ = nginx_in_front
    assert requests.get(f"{url}/healthz", timeout=10).json()["ok"] is True
    tokens = []
    for name in ("ana", "ben"):
        body = {"name": name, "password": "secret-pw"}
        assert requests.post(f"{url}/api/signup", json=body, timeout=10).status_code == 201
        tokens.append(requests.post(f"{url}/api/token", json=body, timeout=10).json()["token"])
    created = requests.post(
        f"{url}/api/scores",
        json={"title": "Behind nginx"},
        headers={"Authorization": f"Bearer {tokens[0]}"},
        timeout=10,
    )
    score = created.json()["id"]
    ben = requests.post(
        f"{url}/api/scores/{score}/members",
        json={"name": "ben", "role": "editor"},
        headers={"Authorization": f"Bearer {tokens[0]}"},
        timeout=10,
    )
    assert ben.ok, ben.text
    clients = [TuttiClient(url, token).connect() for token in tokens]
    try:
        for client in clients:
            client.join(score)
        for i in range(10):  # turn by turn, each on the other's confirmed document
            clients[i % 2].submit([{"op": "set_meta", "title": f"through nginx {i}"}])
            clients[i % 2].wait_synced(timeout=10)
        deadline = time.monotonic() + 20
        for client in clients:
            client.wait_synced(timeout=max(1, deadline - time.monotonic()))
        assert clients[0].document == clients[1].document
        assert clients[0].document["title"] == "through nginx 9"
    finally:
        for client in clients:
            client.close()
