"""Who is asking: the Flask session cookie (browsers) or a bearer token (scripts).

Shared by the JSON views and the socket connect handler. The identity always
comes from here, never from a request payload. The cookie carries a session secret
and the token is one; each is checked against its live row in ``Credentials`` on every
request, so log-out and password changes revoke them server-side. No SQL: users and
credentials are read through their repositories.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar, cast

from flask import g, jsonify, request, session
from flask.typing import ResponseReturnValue

from ..errors import TuttiError, error_body, status_of
from ..extensions import get_credentials, get_users
from .roles import colour_for
from .tokens import SESSION_LIFETIME, well_formed

SESSION_USER = "user_id"
SESSION_SECRET = "sid"
F = TypeVar("F", bound=Callable[..., ResponseReturnValue])


@dataclass(frozen=True)
class Identity:
    """The authenticated user as the sync and web layers see it."""

    id: int
    name: str
    display_name: str
    colour: str

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "display_name": self.display_name,
            "colour": self.colour,
        }


def identity_from_record(record: Any) -> Identity:
    """Build an Identity from the service's user record (a mapping or an object)."""

    def get(key: str) -> Any:
        if isinstance(record, dict):
            return record.get(key)
        return getattr(record, key, None)

    uid = int(get("id"))
    name = str(get("name"))
    return Identity(
        id=uid,
        name=name,
        display_name=str(get("display_name") or name),
        colour=str(get("colour") or colour_for(uid)),
    )


def load_identity(user_id: int | None) -> Identity | None:
    if user_id is None:
        return None
    record = get_users().user_by_id(user_id)
    return identity_from_record(record) if record is not None else None


@dataclass(frozen=True)
class Credential:
    """A live session or token: whose it is and its row id (to revoke it)."""

    id: int
    user_id: int
    kind: str


def check_credential(secret: object, kind: str) -> Credential | None:
    """The live credential of this secret, or None (forged, revoked, expired)."""
    if not well_formed(secret):
        return None
    assert isinstance(secret, str)
    row = get_credentials().check(secret, kind)
    return Credential(int(row["id"]), int(row["user_id"]), kind) if row else None


def session_credential(data: Any) -> Credential | None:
    """The live session a (Flask) session cookie names, or None."""
    cred = check_credential(data.get(SESSION_SECRET), "session")
    uid = data.get(SESSION_USER)
    return cred if cred is not None and cred.user_id == uid else None


def bearer_token() -> str | None:
    """The ``Authorization: Bearer`` token of this request, if it sends one."""
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.startswith("Bearer ") else None


def request_credential() -> Credential | None:
    """A Bearer token when the request sends one (then the cookie is ignored), else the
    session cookie's session."""
    if "tutti_credential" not in g:
        token = bearer_token()
        g.tutti_credential = (
            check_credential(token, "token") if token is not None else session_credential(session)
        )
    return cast(Credential | None, g.tutti_credential)


def request_identity() -> Identity | None:
    """Whose live session or token this request carries, else None."""
    if "tutti_identity" in g:
        return cast(Identity | None, g.tutti_identity)
    cred = request_credential()
    identity = load_identity(cred.user_id if cred is not None else None)
    g.tutti_identity = identity
    return identity


def login_user(user_id: int) -> Credential:
    """A new server-side session for ``user_id`` in the cookie (any old one is revoked)."""
    logout_user()
    cid, secret = get_credentials().issue(user_id, "session", SESSION_LIFETIME)
    session[SESSION_USER] = int(user_id)
    session[SESSION_SECRET] = secret
    session.permanent = True
    return Credential(cid, int(user_id), "session")


def logout_user() -> None:
    """Revoke this cookie's session server-side (a copy of the cookie stops working)."""
    cred = session_credential(session) if SESSION_SECRET in session else None
    if cred is not None:
        get_credentials().revoke(cred.user_id, cred.id)
    session.clear()
    g.pop("tutti_identity", None)
    g.pop("tutti_credential", None)


def json_error(code: str, message: str, **extra: Any) -> ResponseReturnValue:
    """An HTTP error response: the body and status ``server.errors`` maps ``code`` to."""
    return jsonify(error_body(code, message, **extra)), status_of(code)


def refusal_response(exc: TuttiError) -> ResponseReturnValue:
    """Any refusal raised by a view or a use case, as its HTTP error response."""
    return json_error(exc.code, exc.message, **exc.extra)


def guarded(action: Callable[[], ResponseReturnValue]) -> ResponseReturnValue:
    """``action()``, or the HTTP error response of the refusal it raised (any
    ``TuttiError``: a use case's, a role check's, ``ScoreNotFound``...)."""
    try:
        return action()
    except TuttiError as exc:
        return refusal_response(exc)


def login_required(view: F) -> F:
    """JSON views: 401 ``not_authenticated`` unless someone is logged in (``g.identity``)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        identity = request_identity()
        if identity is None:
            return json_error("not_authenticated", "log in first")
        g.identity = identity
        return view(*args, **kwargs)

    return cast(F, wrapped)
