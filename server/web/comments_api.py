"""JSON API of comments and notifications (documented in docs/protocol.md): list threads,
comment, reply, edit, delete, resolve and reopen; a person's unread notifications.

Thin: parses, calls ``server.comments.CommentService``, broadcasts each change to the
score's room and each mention to the mentioned person's sockets. Never SQL.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, g, jsonify, make_response, request
from flask.typing import ResponseReturnValue

from ..auth.sessions import guarded, login_required
from ..comments import Change, CommentError
from ..extensions import get_broadcaster, get_comments
from ..sync.ratelimit import TokenBucket

bp = Blueprint("comments_api", __name__, url_prefix="/api")

#: Comment writes per person and process: a burst for a quick exchange, then a steady
#: rate, so one account cannot flood a score's room and database with comments.
WRITE_RATE, WRITE_BURST = 2.0, 20.0
_BUCKETS_KEY = "tutti.comment_buckets"
_lock = threading.Lock()


def _spend(user_id: int) -> None:
    """Take one write token of ``user_id``; ``rate_limited`` (429) when there is none."""
    with _lock:
        buckets: dict[int, TokenBucket] = current_app.extensions.setdefault(_BUCKETS_KEY, {})
        if len(buckets) > 10_000:  # bounded: idle people's buckets are full anyway
            buckets.clear()
        bucket = buckets.setdefault(user_id, TokenBucket(WRITE_RATE, WRITE_BURST))
        if bucket.take():
            return
        wait = bucket.retry_after()
    raise CommentError("rate_limited", "too many comments; slow down", retry_after=round(wait, 3))


def _write(action: Callable[[], ResponseReturnValue]) -> ResponseReturnValue:
    """A comment write: spend a token, run, and say when to retry if refused for rate."""

    def run() -> ResponseReturnValue:
        _spend(g.identity.id)
        return action()

    response = make_response(guarded(run))
    if response.status_code == 429:
        retry = (response.get_json(silent=True) or {}).get("error", {}).get("retry_after", 1)
        response.headers["Retry-After"] = str(max(1, math.ceil(float(retry))))
    return response


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True) if request.is_json else None
    if not isinstance(data, dict):
        raise CommentError("bad_request", "send a JSON object")
    return data


def _announce(change: Change) -> dict[str, Any]:
    """Tell the room (and each mentioned person); the JSON answer of the action."""
    broadcaster = get_broadcaster()
    broadcaster.comment(change.score_id, change.to_wire())
    for note in change.notifications:
        broadcaster.notify(note["user_id"], note)
    return {"ok": True, **change.to_wire()}


@bp.route("/scores/<score_id>/comments", methods=["GET", "POST"])
@login_required
def comments(score_id: str) -> ResponseReturnValue:
    """Every thread (viewers); ``POST {"body", "anchor"}`` or ``{"body", "parent"}``
    (commenters and up) -> 201."""

    service = get_comments()
    if request.method == "POST":
        return _write(
            lambda: (jsonify(_announce(service.create(score_id, g.identity.id, _body()))), 201)
        )
    return guarded(lambda: jsonify({"ok": True, **service.threads(score_id, g.identity.id)}))


@bp.route("/scores/<score_id>/comments/<int:comment_id>", methods=["PATCH", "DELETE"])
@login_required
def comment(score_id: str, comment_id: int) -> ResponseReturnValue:
    """``PATCH {"body"}`` (its author) or ``DELETE`` (its author, or an owner)."""

    def run() -> ResponseReturnValue:
        service = get_comments()
        if request.method == "PATCH":
            change = service.edit(score_id, comment_id, g.identity.id, _body().get("body"))
        else:
            change = service.delete(score_id, comment_id, g.identity.id)
        return jsonify(_announce(change))

    return _write(run)


@bp.post("/scores/<score_id>/comments/<int:comment_id>/resolve")
@login_required
def resolve(score_id: str, comment_id: int) -> ResponseReturnValue:
    """Resolve the comment's thread (commenters and up)."""
    return _write(
        lambda: jsonify(
            _announce(get_comments().resolve(score_id, comment_id, g.identity.id, True))
        )
    )


@bp.post("/scores/<score_id>/comments/<int:comment_id>/reopen")
@login_required
def reopen(score_id: str, comment_id: int) -> ResponseReturnValue:
    """Reopen a resolved thread (commenters and up)."""
    return _write(
        lambda: jsonify(
            _announce(get_comments().resolve(score_id, comment_id, g.identity.id, False))
        )
    )


@bp.get("/notifications")
@login_required
def notifications() -> ResponseReturnValue:
    """The caller's notifications, newest first: unread only unless ``?all=1``."""
    unread_only = request.args.get("all", "0") in ("0", "false", "no", "")

    def run() -> ResponseReturnValue:
        found = get_comments().notifications(g.identity.id, unread_only=unread_only)
        return jsonify({"ok": True, "notifications": found})

    return guarded(run)


@bp.post("/notifications/read")
@login_required
def mark_read() -> ResponseReturnValue:
    """``{"ids": [...]}`` marks those read; ``{}`` marks every one read."""

    def run() -> ResponseReturnValue:
        count = get_comments().mark_read(g.identity.id, _body().get("ids"))
        return jsonify({"ok": True, "marked": count})

    return guarded(run)
