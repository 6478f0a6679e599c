"""JSON API of comments and notifications (documented in docs/protocol.md): list threads,
comment, reply, edit, delete, resolve and reopen; a person's unread notifications.

Thin: parses, calls ``server.comments.CommentService``, broadcasts each change to the
score's room and each mention to the mentioned person's sockets. Never SQL.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, jsonify, request
from flask.typing import ResponseReturnValue

from ..auth.sessions import guarded, login_required
from ..comments import Change, CommentError
from ..extensions import get_broadcaster, get_comments

bp = Blueprint("comments_api", __name__, url_prefix="/api")


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

    def run() -> ResponseReturnValue:
        service = get_comments()
        if request.method == "POST":
            return jsonify(_announce(service.create(score_id, g.identity.id, _body()))), 201
        return jsonify({"ok": True, **service.threads(score_id, g.identity.id)})

    return guarded(run)


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

    return guarded(run)


@bp.post("/scores/<score_id>/comments/<int:comment_id>/resolve")
@login_required
def resolve(score_id: str, comment_id: int) -> ResponseReturnValue:
    """Resolve the comment's thread (commenters and up)."""
    return guarded(
        lambda: jsonify(
            _announce(get_comments().resolve(score_id, comment_id, g.identity.id, True))
        )
    )


@bp.post("/scores/<score_id>/comments/<int:comment_id>/reopen")
@login_required
def reopen(score_id: str, comment_id: int) -> ResponseReturnValue:
    """Reopen a resolved thread (commenters and up)."""
    return guarded(
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
