"""Fixtures that run the real server as a subprocess, started exactly like ``tutti serve``.

``live_server`` gives a running server on a fresh SQLite file plus a ``EditLog``
over the same database for setting up users and scores and checking the log.
``start_server`` starts more (or restarts one after ``kill -9``) on any database.
"""

from __future__ import annotations

import itertools
import os
import secrets
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from server.client import TuttiClient
from server.editing import EditLog
from server.persistence import Database

REPO = Path(__file__).resolve().parents[2]
TUTTI = REPO / ".venv" / "bin" / "tutti"
STARTUP_TIMEOUT_S = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """One ``tutti serve`` process; can be killed (-9) and restarted on the same port and DB."""

    def __init__(self, database_url: str, workdir: Path, env: dict[str, str] | None = None) -> None:
        self.database_url = database_url
        self.workdir = workdir
        self.port = free_port()
        self.secret_key = secrets.token_hex(16)
        self.extra_env = dict(env or {})
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = workdir / f"server-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LiveServer:
        env = {
            **os.environ,
            "TUTTI_DATABASE_URL": self.database_url,
            "TUTTI_SECRET_KEY": self.secret_key,
            "TUTTI_INSTANCE_DIR": str(self.workdir),
            **self.extra_env,
        }
        command = [str(TUTTI), "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child keeps writing to it
        self.process = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited at start:\n{self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"server did not listen within {STARTUP_TIMEOUT_S}s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """kill -9: no shutdown code runs, like a crash or a power cut."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.kill()

    # --- account helpers over the real HTTP API ----------------------------------------------

    def browser(self) -> requests.Session:
        """An HTTP session that behaves like a page of this server: it sends ``Origin``
        (cookie-authenticated state-changing calls without one are refused)."""
        session = requests.Session()
        session.headers["Origin"] = self.url
        return session

    def signup(self, name: str, password: str = "secret-pw") -> dict[str, Any]:
        response = requests.post(
            f"{self.url}/api/signup", json={"name": name, "password": password}, timeout=10
        )
        assert response.status_code == 201, f"{response.text[:500]}\n{self.log()[-3000:]}"
        return dict(response.json()["user"])

    def token(self, name: str, password: str = "secret-pw") -> str:
        response = requests.post(
            f"{self.url}/api/token", json={"name": name, "password": password}, timeout=10
        )
        assert response.status_code == 200, f"{response.text[:500]}\n{self.log()[-3000:]}"
        return str(response.json()["token"])

    def client(self, name: str, password: str = "secret-pw", **options: Any) -> TuttiClient:
        return TuttiClient(self.url, self.token(name, password), **options).connect()


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[Callable[..., LiveServer]]:
    """``start_server(database_url, env=None)``: every server started is stopped at the end."""
    servers: list[LiveServer] = []

    def start(database_url: str, env: dict[str, str] | None = None) -> LiveServer:
        server = LiveServer(database_url, tmp_path, env).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def live_server(db_url: str, start_server: Callable[..., LiveServer]) -> LiveServer:
    """A real server on a fresh SQLite database (``db_url`` from tests/conftest.py)."""
    return start_server(db_url)


@pytest.fixture(scope="session")
def shared_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[LiveServer, EditLog]]:
    """One server for every module that needs a real server but not a fresh one (start-up
    costs seconds); tests must use fresh names (``fresh_names``) and their own scores."""
    from server.persistence import init_db

    workdir = tmp_path_factory.mktemp("shared")
    url = f"sqlite:///{workdir / 'shared.sqlite3'}"
    init_db(url)
    server = LiveServer(url, workdir).start()
    service = EditLog(Database(url))
    yield server, service
    server.stop()
    service.db.dispose()


_names = itertools.count(1)


def fresh_names(*bases: str) -> list[str]:
    """Unique user names for tests sharing one server."""
    n = next(_names)
    return [f"{base}{n}" for base in bases]


@pytest.fixture
def server_service(live_server: LiveServer) -> Iterator[EditLog]:
    """A EditLog in the test process over the live server's database."""
    service = EditLog(Database(live_server.database_url))
    yield service
    service.db.dispose()


@pytest.fixture
def clients() -> Iterator[list[TuttiClient]]:
    """Append clients here; all are closed after the test."""
    opened: list[TuttiClient] = []
    yield opened
    for client in opened:
        try:
            client.close()
        except Exception:  # noqa: BLE001 - closing after a server kill may fail; fine
            pass
