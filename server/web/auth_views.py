"""JSON endpoints for accounts: sign up, log in/out, who am I, API tokens (score members
are ``sharing_api``'s).

Bodies must be JSON (``Content-Type: application/json``): a cross-site HTML form
cannot send that without a CORS preflight, which is our CSRF guard together with
the SameSite=Lax session cookie. Calls the ``Users`` repository; never SQL.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from ..auth import (
    check_password,
    hash_password,
    issue_token,
    password_problem,
)
from ..auth.sessions import (
    identity_from_record,
    json_error,
    login_user,
    logout_user,
    request_identity,
)
from ..extensions import get_settings, get_users

bp = Blueprint("auth_api", __name__, url_prefix="/api")

NAME_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")
MAX_DISPLAY_NAME = 80


def _body() -> dict[str, Any] | None:
    data = request.get_json(silent=True) if request.is_json else None
    return data if isinstance(data, dict) else None


def _bad(message: str) -> ResponseReturnValue:
    return json_error("bad_request", message)


def _credentials(data: dict[str, Any]) -> Any | None:
    """The user record when name + password match, else None (same answer for both)."""
    name, password = data.get("name"), data.get("password")
    if not isinstance(name, str) or not isinstance(password, str):
        return None
    record = get_users().user_by_name(name)
    if record is None:
        check_password(None, password)  # keep the timing of unknown names unremarkable
        return None
    stored = record.get("password_hash") if isinstance(record, dict) else record.password_hash
    return record if check_password(stored, password) else None


@bp.post("/signup")
def signup() -> ResponseReturnValue:
    data = _body()
    if data is None:
        return _bad("send a JSON object {name, password, display_name?}")
    name, password = data.get("name"), data.get("password")
    display_name = data.get("display_name")
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        return _bad("a user name has 1..40 of A-Z a-z 0-9 _ . -")
    problem = password_problem(password)
    if problem:
        return _bad(problem)
    if display_name is not None and (
        not isinstance(display_name, str) or not 0 < len(display_name) <= MAX_DISPLAY_NAME
    ):
        return _bad(f"a display name has 1..{MAX_DISPLAY_NAME} characters")
    users = get_users()
    if users.user_by_name(name) is not None:
        return json_error("name_taken", f"the name {name!r} is taken")
    assert isinstance(password, str)
    try:
        user_id = users.create_user(name, hash_password(password), display_name=display_name)
    except Exception:  # a concurrent signup won the unique name
        if users.user_by_name(name) is not None:
            return json_error("name_taken", f"the name {name!r} is taken")
        raise
    login_user(user_id)
    user = identity_from_record(users.user_by_id(user_id))
    return jsonify({"ok": True, "user": user.to_wire()}), 201


@bp.post("/login")
def login() -> ResponseReturnValue:
    data = _body()
    if data is None:
        return _bad("send a JSON object {name, password}")
    record = _credentials(data)
    if record is None:
        return json_error("bad_credentials", "unknown name or wrong password")
    user = identity_from_record(record)
    login_user(user.id)
    return jsonify({"ok": True, "user": user.to_wire()})


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    logout_user()
    return jsonify({"ok": True})


@bp.get("/me")
def me() -> ResponseReturnValue:
    user = request_identity()
    if user is None:
        return json_error("not_authenticated", "not logged in")
    return jsonify({"ok": True, "user": user.to_wire()})


@bp.post("/token")
def token() -> ResponseReturnValue:
    """An API token for the socket (``auth={"token": ...}``) or ``Authorization: Bearer``.

    Send ``{name, password}``, or call it while logged in with an empty JSON object.
    """
    data = _body()
    if data is None:
        return _bad("send a JSON object {name, password}")
    if "name" in data or "password" in data:
        record = _credentials(data)
        user = identity_from_record(record) if record is not None else None
    else:
        user = request_identity()
    if user is None:
        return json_error("bad_credentials", "unknown name or wrong password")
    return jsonify(
        {
            "ok": True,
            "token": issue_token(get_settings().secret_key, user.id),
            "user": user.to_wire(),
        }
    )
