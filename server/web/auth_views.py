"""JSON endpoints for accounts: sign up, log in/out, who am I, password change, API tokens
(issue, list, revoke); score members are ``sharing_api``'s.

CSRF: every state-changing call passes ``web.security.check_origin`` first; bodies must
also be JSON, which no cross-site HTML form can send. Log-in and sign-up are throttled
per account and per IP before any password is hashed (``auth.throttle``). Calls the
``Users``, ``Credentials`` and ``Members`` repositories; never SQL.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Flask, current_app, g, jsonify, request
from flask.typing import ResponseReturnValue

from ..auth import (
    TOKEN_LIFETIME,
    check_password,
    hash_password,
    password_problem,
)
from ..auth.passwords import dummy_hash
from ..auth.sessions import (
    identity_from_record,
    json_error,
    login_required,
    login_user,
    logout_user,
    request_credential,
    request_identity,
)
from ..auth.throttle import LoginThrottle, ThrottleLimits
from ..errors import error_body, status_of
from ..extensions import get_credentials, get_settings, get_users

bp = Blueprint("auth_api", __name__, url_prefix="/api")
THROTTLE_KEY = "tutti.login_throttle"
MAX_TOKEN_LABEL = 80

NAME_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")
MAX_DISPLAY_NAME = 80


def _body() -> dict[str, Any] | None:
    data = request.get_json(silent=True) if request.is_json else None
    return data if isinstance(data, dict) else None


def _bad(message: str) -> ResponseReturnValue:
    return json_error("bad_request", message)


def init_throttle(app: Flask) -> None:
    dummy_hash(get_settings(app).password_method)  # now: the first unknown name is not slower
    settings = get_settings(app)
    limits = ThrottleLimits(signups_per_ip=settings.signup_limit)
    queue = settings.message_queue
    if queue and queue.startswith(("redis://", "rediss://")):
        # Several processes: count in Redis, so N workers allow what one does.
        from ..auth.throttle_redis import redis_windows

        app.extensions[THROTTLE_KEY] = LoginThrottle(limits, redis_windows(queue))
    else:
        app.extensions[THROTTLE_KEY] = LoginThrottle(limits)


def _throttle() -> LoginThrottle:
    throttle = current_app.extensions[THROTTLE_KEY]
    assert isinstance(throttle, LoginThrottle)
    return throttle


def _method() -> str:
    return get_settings().password_method


def _client_ip() -> str:
    """The peer, or the client the trusted proxy names (``TUTTI_PROXY_HOPS``)."""
    return request.remote_addr or "unknown"


def _slow_down(wait: int) -> ResponseReturnValue:
    body = error_body("rate_limited", "too many attempts; try again later", retry_after=wait)
    return jsonify(body), status_of("rate_limited"), {"Retry-After": str(wait)}


class Throttled(Exception):
    """Raised by ``_credentials`` before any hash: answer 429 after ``wait`` seconds."""

    def __init__(self, wait: int) -> None:
        self.wait = wait


def _credentials(data: dict[str, Any]) -> Any | None:
    """The user record when name + password match, else None: the same answer, the same
    message and (one password hash either way) the same time for an unknown name.
    ``Throttled`` when this account or this IP failed too often lately."""
    name, password = data.get("name"), data.get("password")
    if not isinstance(name, str) or not isinstance(password, str):
        return None
    throttle, ip = _throttle(), _client_ip()
    wait = throttle.login_wait(name, ip)
    if wait is not None:
        raise Throttled(wait)
    record = get_users().user_by_name(name)
    stored = None if record is None else record["password_hash"]
    if check_password(stored, password, _method()):  # a dummy hash when stored is None
        return record
    throttle.failed_login(name, ip)
    return None


@bp.post("/signup")
def signup() -> ResponseReturnValue:
    data = _body()
    if data is None:
        return _bad("send a JSON object {name, password, display_name?}")
    throttle, ip = _throttle(), _client_ip()
    wait = throttle.signup_wait(ip)
    if wait is not None:
        return _slow_down(wait)
    throttle.signed_up(ip)  # every attempt counts: a taken name answers who exists
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
        user_id = users.create_user(
            name, hash_password(password, _method()), display_name=display_name
        )
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
    try:
        record = _credentials(data)
    except Throttled as exc:
        return _slow_down(exc.wait)
    if record is None:
        return json_error("bad_credentials", "unknown name or wrong password")
    user = identity_from_record(record)
    login_user(user.id)
    return jsonify({"ok": True, "user": user.to_wire()})


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """Revoke this session server-side; its open sockets are cut (``SyncHandlers``)."""
    cred = request_credential()
    logout_user()
    if cred is not None and cred.kind == "session":
        _disconnect([cred.id], "logged out")
    return jsonify({"ok": True})


@bp.post("/password")
@login_required
def change_password() -> ResponseReturnValue:
    """``{current_password, new_password}``: sets the new password, revokes every other
    session and every API token (their sockets are cut; ``revoked`` counts them) and
    renews this session."""
    data = _body()
    if data is None:
        return _bad("send a JSON object {current_password, new_password}")
    current, new = data.get("current_password"), data.get("new_password")
    problem = password_problem(new)
    if problem:
        return _bad(problem)
    assert isinstance(new, str)
    record = get_users().user_by_id(g.identity.id)
    stored = None if record is None else record["password_hash"]
    throttle, ip = _throttle(), _client_ip()
    wait = throttle.login_wait(g.identity.name, ip)
    if wait is not None:
        return _slow_down(wait)
    if not isinstance(current, str) or not check_password(stored, current, _method()):
        throttle.failed_login(g.identity.name, ip)
        return json_error("bad_credentials", "the current password is wrong")
    get_users().set_password_hash(g.identity.id, hash_password(new, _method()))
    this = request_credential()
    keep = this.id if this is not None and this.kind == "session" else None
    revoked = get_credentials().revoke_all(g.identity.id, except_id=keep)
    if keep is not None:
        login_user(g.identity.id)  # this browser's session is renewed (the old one revoked)
    _disconnect(revoked, "password changed")
    return jsonify({"ok": True, "revoked": len(revoked)})


@bp.get("/me")
def me() -> ResponseReturnValue:
    user = request_identity()
    if user is None:
        return json_error("not_authenticated", "not logged in")
    return jsonify({"ok": True, "user": user.to_wire()})


@bp.post("/token")
def token() -> ResponseReturnValue:
    """An API token for the socket (``auth={"token": ...}``) or ``Authorization: Bearer``.

    Send ``{name, password, label?}``, or call it while logged in with ``{label?}``. The
    token is shown only here; ``GET /api/tokens`` lists it by id, ``DELETE`` revokes it.
    """
    data = _body()
    if data is None:
        return _bad("send a JSON object {name, password, label?}")
    label = data.get("label", "")
    if not isinstance(label, str) or len(label) > MAX_TOKEN_LABEL:
        return _bad(f"a label has at most {MAX_TOKEN_LABEL} characters")
    if "name" in data or "password" in data:
        try:
            record = _credentials(data)
        except Throttled as exc:
            return _slow_down(exc.wait)
        user = identity_from_record(record) if record is not None else None
    else:
        user = request_identity()
    if user is None:
        return json_error("bad_credentials", "unknown name or wrong password")
    cid, secret = get_credentials().issue(user.id, "token", TOKEN_LIFETIME, label)
    return jsonify({"ok": True, "token": secret, "id": cid, "user": user.to_wire()})


@bp.get("/tokens")
@login_required
def list_tokens() -> ResponseReturnValue:
    """Your live API tokens (never their secrets): id, label, created, last used, expiry."""
    rows = get_credentials().live(g.identity.id, "token")
    return jsonify({"ok": True, "tokens": [_token_wire(row) for row in rows]})


@bp.delete("/tokens/<int:token_id>")
@login_required
def revoke_token(token_id: int) -> ResponseReturnValue:
    """Revoke one of your tokens; sockets opened with it are cut."""
    if not get_credentials().revoke(g.identity.id, token_id, kind="token"):
        return json_error("not_found", "no such token of yours")
    _disconnect([token_id], "token revoked")
    return jsonify({"ok": True})


def _token_wire(row: dict[str, Any]) -> dict[str, Any]:
    def iso(value: Any) -> str | None:
        return value.isoformat() if value is not None else None

    return {
        "id": row["id"],
        "label": row["label"],
        "created_at": iso(row["created_at"]),
        "last_used_at": iso(row["last_used_at"]),
        "expires_at": iso(row["expires_at"]),
    }


def _disconnect(credential_ids: list[int], reason: str) -> None:
    """Cut this process's sockets opened with these credentials now; other processes
    notice within ``role_recheck_s`` (their sockets re-check credentials with roles)."""
    from ..sync import SYNC_KEY

    handlers = current_app.extensions.get(SYNC_KEY)
    if handlers is not None and credential_ids:
        handlers.disconnect_credentials(set(credential_ids), reason)
