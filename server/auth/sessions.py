"""Who is asking: the Flask session cookie (browsers) or a bearer token (scripts).

Shared by the JSON views and the socket connect handler. The identity always
comes from here, never from a request payload. No SQL: users are read through
the ``Users`` repository.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar, cast

from flask import g, jsonify, request, session
from flask.typing import ResponseReturnValue

from ..errors import TuttiError, error_body, status_of
from ..extensions import get_settings, get_users
from .roles import colour_for
from .tokens import read_token

SESSION_USER = "user_id"
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


def user_id_from_token(token: object) -> int | None:
    return read_token(get_settings().secret_key, token)


def request_identity() -> Identity | None:
    """The session cookie's user, else an ``Authorization: Bearer <token>`` user, else None."""
    if "tutti_identity" in g:
        return cast(Identity | None, g.tutti_identity)
    uid = session.get(SESSION_USER)
    if not isinstance(uid, int):
        header = request.headers.get("Authorization", "")
        uid = user_id_from_token(header[7:].strip()) if header.startswith("Bearer ") else None
    identity = load_identity(uid)
    g.tutti_identity = identity
    return identity


def login_user(user_id: int) -> None:
    session.clear()
    session[SESSION_USER] = int(user_id)
    session.permanent = True
    g.pop("tutti_identity", None)


def logout_user() -> None:
    session.clear()
    g.pop("tutti_identity", None)


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
