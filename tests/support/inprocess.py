"""The whole app in the test process: ``create_app`` on a SQLite file, a Flask test client
per person (logged in through the real ``/api/signup``) and Flask-SocketIO test clients
sharing that person's session cookie. For tests where a real ``tutti serve`` adds nothing
(HTTP API behaviour, auth, history and helper APIs); tests about the real server
(convergence, kill -9, scale-out, serving) keep ``tests/integration/conftest.py``.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from flask_socketio import SocketIOTestClient

from server import create_app
from server.extensions import get_edit_log, get_socketio

PASSWORD = "secret-pw"
#: The Flask test client's own origin (its requests go to http://localhost/).
ORIGIN = "http://localhost"


class InProcessApp:
    """One app; ``people[name]`` is that person's logged-in HTTP client."""

    def __init__(self, database_url: str, **config: Any) -> None:
        self.database_url = database_url
        self.app: Flask = create_app(
            {
                "database_url": database_url,
                "secret_key": "in-process-test-key",
                "async_mode": "threading",
                "TESTING": True,
                **config,
            }
        )
        self.people: dict[str, FlaskClient] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self.sockets: list[SocketIOTestClient] = []

    @property
    def service(self) -> Any:
        return get_edit_log(self.app)

    def signup(self, name: str, password: str = PASSWORD) -> dict[str, Any]:
        """A new account, logged in on its own HTTP client (``http(name)``)."""
        client = self.browser()
        response = client.post("/api/signup", json={"name": name, "password": password})
        assert response.status_code == 201, response.get_data(as_text=True)
        self.people[name] = client
        self.users[name] = dict(response.get_json()["user"])
        return self.users[name]

    def browser(self) -> FlaskClient:
        """A fresh client that behaves like a browser on the app's own page: it sends
        ``Origin`` (state-changing calls without one are refused when they carry the
        session cookie; docs/security.md)."""
        client = self.app.test_client()
        client.environ_base["HTTP_ORIGIN"] = ORIGIN
        return client

    def http(self, name: str | None = None) -> FlaskClient:
        """``name``'s logged-in client, or a fresh anonymous one."""
        return self.people[name] if name is not None else self.browser()

    def token(self, name: str, password: str = PASSWORD) -> str:
        response = self.app.test_client().post(
            "/api/token", json={"name": name, "password": password}
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        return str(response.get_json()["token"])

    def socket(self, name: str) -> SocketIOTestClient:
        """A Socket.IO client connected with ``name``'s session cookie."""
        client = get_socketio(self.app).test_client(self.app, flask_test_client=self.people[name])
        assert client.is_connected()
        self.sockets.append(client)
        return client

    def create_score(self, owner: str, **body: Any) -> str:
        response = self.http(owner).post("/api/scores", json={"title": "Test", **body})
        assert response.status_code == 201, response.get_data(as_text=True)
        return str(response.get_json()["id"])

    def add_member(self, owner: str, score_id: str, name: str, role: str) -> None:
        response = self.http(owner).post(
            f"/api/scores/{score_id}/members", json={"name": name, "role": role}
        )
        assert response.status_code == 200, response.get_data(as_text=True)

    def close(self) -> None:
        for client in self.sockets:
            if client.is_connected():
                client.disconnect()
        self.service.db.dispose()


def events(client: SocketIOTestClient, name: str) -> list[Any]:
    """The payloads of the ``name`` events ``client`` received since the last call (this
    consumes everything received, of any name)."""
    return [e["args"][0] for e in client.get_received() if e["name"] == name]
