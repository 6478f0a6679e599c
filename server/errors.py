"""The one refusal type of the server (``TuttiError``: a snake_case ``code``, a message for
people, extra fields) and the one mapping from a refusal to what a client receives: the
JSON body shared by HTTP responses and Socket.IO acks, and the HTTP status of each code.

Stdlib only and importing nothing of ours, so every layer may import it, the pure
``score/`` package included (its ``ScoreError`` derives from ``TuttiError``).
"""

from __future__ import annotations

from typing import Any

#: HTTP status of each refusal code; a code not listed is a plain 400. Socket.IO acks
#: carry the same body without a status.
STATUS: dict[str, int] = {
    "bad_request": 400,
    "busy": 503,
    "conflict": 409,
    "malformed_file": 400,
    "bad_credentials": 401,
    "not_authenticated": 401,
    "bad_origin": 403,
    "forbidden": 403,
    "helper_disabled": 403,
    "helper_not_enabled_for_user": 403,
    "not_found": 404,
    "already_decided": 409,
    "already_reverted": 409,
    "invalid_op": 409,
    "last_owner": 409,
    "link_expired": 410,
    "link_revoked": 410,
    "name_taken": 409,
    "not_accepted": 409,
    "nothing_selected": 409,
    "nothing_to_revert": 409,
    "file_too_large": 413,
    "payload_too_large": 413,
    "out_of_order": 409,
    "rate_limited": 429,
    "server_error": 500,
    "too_big": 413,
    "too_slow": 503,
}


class TuttiError(Exception):
    """A refused request: ``code`` (snake_case, stable), ``message`` (for people) and
    ``extra`` fields that go into the error body next to them."""

    code: str = "bad_request"

    def __init__(self, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.extra = extra


class ScoreNotFound(TuttiError, LookupError):
    """No score with this id (``score_id``)."""

    def __init__(self, score_id: str) -> None:
        super().__init__("not_found", "no such score")
        self.score_id = score_id

    def __str__(self) -> str:
        return f"no score {self.score_id!r}"


class UserNotFound(TuttiError, LookupError):
    """No user with this id (``user_id``)."""

    def __init__(self, user_id: int) -> None:
        super().__init__("not_found", "no such user")
        self.user_id = user_id

    def __str__(self) -> str:
        return f"no user {self.user_id!r}"


def status_of(code: str) -> int:
    """The HTTP status of a refusal code."""
    return STATUS.get(code, 400)


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    """``{"ok": false, "error": {"code", "message", ...extra}}``: HTTP body and socket ack."""
    return {"ok": False, "error": {"code": code, "message": message, **extra}}


def body_of(exc: TuttiError) -> dict[str, Any]:
    """The error body of a refusal."""
    return error_body(exc.code, exc.message, **exc.extra)


__all__ = [
    "STATUS",
    "ScoreNotFound",
    "TuttiError",
    "UserNotFound",
    "body_of",
    "error_body",
    "status_of",
]
