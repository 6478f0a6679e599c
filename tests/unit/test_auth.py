"""Auth building blocks (tokens, passwords, roles) and the JSON account API on a real app."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from server import create_app
from server.auth import (
    RANK,
    ROLES,
    TOKEN_LIFETIME,
    AuthError,
    at_least,
    check_password,
    hash_password,
    require,
)
from server.extensions import get_credentials, get_edit_log


def test_tokens_are_live_rows_and_refuse_forgeries(app: Flask) -> None:
    credentials = get_credentials(app)
    uid = _user(app, "tok")
    cid, secret = credentials.issue(uid, "token", TOKEN_LIFETIME)
    assert credentials.check(secret, "token")["user_id"] == uid
    assert credentials.check(secret, "session") is None  # a token is not a session
    assert credentials.check(secret[:-2] + "xx", "token") is None
    assert credentials.live_ids({cid, cid + 99}) == {cid}
    assert credentials.revoke(uid, cid) and credentials.check(secret, "token") is None
    _, old = credentials.issue(uid, "token", timedelta(seconds=-1))
    assert credentials.check(old, "token") is None  # expired
    # Long-dead rows are dropped when a new credential is issued; live ones stay.
    _, ancient = credentials.issue(uid, "token", timedelta(days=-31))
    live_id, live = credentials.issue(uid, "session", timedelta(days=1))
    with credentials.db.read() as conn:
        from sqlalchemy import text

        count = conn.execute(text("SELECT count(*) FROM credentials")).scalar_one()
    assert count == 3  # the revoked and the just-expired token, the session; not the ancient
    assert (
        credentials.check(live, "session") is not None
        and credentials.check(ancient, "token") is None
    )


def _user(app: Flask, name: str) -> int:
    from server.extensions import get_users

    return get_users(app).create_user(name, hash_password("secret-pw"))


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
    assert "a viewer cannot edit; it needs editor" in refused.value.message
    with pytest.raises(AuthError) as refused:
        require(None, "viewer", "open this score")
    assert "not a member" in refused.value.message
    with pytest.raises(AuthError):
        require("reviewer", "viewer")  # an unknown role grants nothing
    # A commenter reads and comments, never edits.
    assert require("commenter", "viewer") == require("commenter", "commenter") == "commenter"
    with pytest.raises(AuthError, match="a commenter cannot edit"):
        require("commenter", "editor", "edit")
    assert require("owner", "editor") == "owner"
    assert ROLES == ("viewer", "commenter", "editor", "owner")
    assert RANK["viewer"] < RANK["commenter"] < RANK["editor"] < RANK["owner"]


def test_the_role_ranking_lives_only_in_auth_roles() -> None:
    """No other module keeps its own copy of the ranking (it was copied three times)."""
    import re
    from pathlib import Path

    server = Path(__file__).resolve().parents[2] / "server"
    copies = [
        str(path.relative_to(server))
        for path in server.rglob("*.py")
        if path.name != "roles.py"
        and re.search(r'["\']viewer["\']\s*:\s*\d', path.read_text(encoding="utf-8"))
    ]
    assert copies == []


def test_schema_roles_are_the_ranked_roles() -> None:
    from server.persistence.models import ROLES as STORED_ROLES

    assert set(STORED_ROLES) == set(ROLES)


def test_every_refusal_is_a_tutti_error_with_one_mapping() -> None:
    from server.errors import ScoreNotFound, TuttiError, body_of, status_of
    from server.formats import FormatError
    from server.history_service import HistoryError
    from server.score import InvalidOp
    from server.suggestions import HelperError
    from server.sync.protocol import ProtocolError

    refusals = [
        ProtocolError("rate_limited", "slow down", retry_after=0.5),
        HistoryError("nothing_selected", "no edit matches"),
        AuthError("forbidden", "no"),
        HelperError("already_decided", "decided"),
        ScoreNotFound("s1"),
        InvalidOp("bad pitch", op_index=2),
        FormatError("file_too_large", "too big"),
    ]
    for exc in refusals:
        assert isinstance(exc, TuttiError)
    bodies = [body_of(exc) for exc in refusals]
    assert bodies[0] == {
        "ok": False,
        "error": {"code": "rate_limited", "message": "slow down", "retry_after": 0.5},
    }
    assert bodies[4]["error"] == {"code": "not_found", "message": "no such score"}
    assert bodies[5]["error"] == {"code": "invalid_op", "message": "bad pitch", "op_index": 2}
    late = InvalidOp("bad pitch")
    late.op_index = 3  # what apply_edit does once it knows which op failed
    assert body_of(late)["error"]["op_index"] == 3
    assert [status_of(exc.code) for exc in refusals] == [429, 409, 403, 409, 404, 409, 413]
    assert status_of("some_new_code") == 400


@pytest.fixture
def app(db_url: str) -> Iterator[Flask]:
    app = create_app({"database_url": db_url, "secret_key": "test-key", "async_mode": "threading"})
    yield app
    get_edit_log(app).db.dispose()


@pytest.fixture
def http(app: Flask) -> FlaskClient:
    """A browser on the app's own origin: state-changing calls carry ``Origin``."""
    client = app.test_client()
    client.environ_base["HTTP_ORIGIN"] = "http://localhost"
    return client


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
