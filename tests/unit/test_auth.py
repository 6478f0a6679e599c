"""Auth building blocks (tokens, passwords, roles) and the JSON account API on a real app."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from server import create_app
from server.auth import (
    AuthError,
    at_least,
    check_password,
    hash_password,
    issue_token,
    read_token,
    require,
)
from server.extensions import get_service


def test_tokens_round_trip_and_refuse_forgeries() -> None:
    token = issue_token("key", 42)
    assert read_token("key", token) == 42
    assert read_token("other-key", token) is None
    assert read_token("key", token[:-2] + "xx") is None
    assert read_token("key", token, max_age=-1) is None  # expired
    assert read_token("key", None) is None and read_token("key", "") is None


def test_passwords() -> None:
    stored = hash_password("correct horse")
    assert stored != "correct horse"
    assert check_password(stored, "correct horse")
    assert not check_password(stored, "wrong")
    assert not check_password(None, "anything")


def test_roles() -> None:
    assert at_least("owner", "editor") and at_least("editor", "editor")
    assert not at_least("viewer", "editor") and not at_least(None, "viewer")
    with pytest.raises(AuthError) as refused:
        require("viewer", "editor", "edit")
    assert refused.value.code == "forbidden"


@pytest.fixture
def app(db_url: str) -> Iterator[Flask]:
    app = create_app({"database_url": db_url, "secret_key": "test-key", "async_mode": "threading"})
    yield app
    get_service(app).db.dispose()


@pytest.fixture
def http(app: Flask) -> FlaskClient:
    return app.test_client()


def _post(http: FlaskClient, path: str, body: Any, **kwargs: Any) -> Any:
    return http.post(path, json=body, **kwargs)


def test_signup_login_me_logout(http: FlaskClient) -> None:
    assert http.get("/api/me").status_code == 401
    created = _post(http, "/api/signup", {"name": "ana", "password": "secret-pw"})
    assert created.status_code == 201 and created.json["user"]["name"] == "ana"
    assert http.get("/api/me").json["user"]["name"] == "ana"  # signup logs in
    assert _post(http, "/api/logout", {}).json == {"ok": True}
    assert http.get("/api/me").status_code == 401
    wrong = _post(http, "/api/login", {"name": "ana", "password": "nope-nope"})
    assert wrong.status_code == 401 and wrong.json["error"]["code"] == "bad_credentials"
    unknown = _post(http, "/api/login", {"name": "zed", "password": "nope-nope"})
    assert unknown.json == wrong.json  # unknown names look like wrong passwords
    assert _post(http, "/api/login", {"name": "ana", "password": "secret-pw"}).status_code == 200
    assert http.get("/api/me").json["user"]["name"] == "ana"


def test_signup_validation(http: FlaskClient) -> None:
    assert _post(http, "/api/signup", {"name": "a b", "password": "secret-pw"}).status_code == 400
    assert _post(http, "/api/signup", {"name": "ana", "password": "short"}).status_code == 400
    assert _post(http, "/api/signup", {"name": "ana", "password": "secret-pw"}).status_code == 201
    taken = _post(http, "/api/signup", {"name": "ana", "password": "secret-pw"})
    assert taken.status_code == 409 and taken.json["error"]["code"] == "name_taken"


def test_form_posts_are_refused(http: FlaskClient) -> None:
    """Only JSON bodies: a cross-site HTML form cannot log anyone in or out."""
    form = http.post("/api/login", data={"name": "ana", "password": "secret-pw"})
    assert form.status_code == 400


def test_token_works_as_bearer(http: FlaskClient) -> None:
    _post(http, "/api/signup", {"name": "ana", "password": "secret-pw"})
    _post(http, "/api/logout", {})
    token = _post(http, "/api/token", {"name": "ana", "password": "secret-pw"}).json["token"]
    me = http.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json["user"]["name"] == "ana"
    bad = http.get("/api/me", headers={"Authorization": "Bearer forged"})
    assert bad.status_code == 401
    assert _post(http, "/api/token", {"name": "ana", "password": "wrong-pw"}).status_code == 401


def test_session_cookie_is_hardened(http: FlaskClient) -> None:
    response = _post(http, "/api/signup", {"name": "ana", "password": "secret-pw"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
