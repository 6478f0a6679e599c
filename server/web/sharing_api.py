"""JSON API of sharing (members, share links, requests for access), the share-link page
``/s/<token>``, and the library's actions (rename, duplicate, trash, restore).

Thin: parses, calls ``server.sharing.SharingService`` / ``server.library.Library``, and
broadcasts a rename like any edit. Never SQL. Who may do what is in docs/security.md
"Permissions" (checked by tests/integration/test_permissions.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from flask import Blueprint, g, jsonify, redirect, render_template, request
from flask.typing import ResponseReturnValue

from ..auth.sessions import guarded, login_required, request_identity
from ..errors import TuttiError, status_of
from ..extensions import get_broadcaster, get_library, get_sharing
from ..sharing import SharingError

bp = Blueprint("sharing_api", __name__)


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True) if request.is_json else None
    if not isinstance(data, dict):
        raise SharingError("bad_request", "send a JSON object")
    return data


def _wire(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _row(row: dict[str, Any]) -> dict[str, Any]:
    return {key: _wire(value) for key, value in row.items()}


# --- members ------------------------------------------------------------------------------


@bp.get("/api/scores/<score_id>/members")
@login_required
def members(score_id: str) -> ResponseReturnValue:
    """Members for any member; owners also get the live links and pending requests."""
    return guarded(
        lambda: jsonify({"ok": True, **get_sharing().list_members(score_id, g.identity.id)})
    )


@bp.post("/api/scores/<score_id>/members")
@login_required
def add_member(score_id: str) -> ResponseReturnValue:
    """Owner only: ``{name, role}`` invites a user, or changes a member's role."""

    def run() -> ResponseReturnValue:
        data = _body()
        member = get_sharing().share(score_id, g.identity.id, data.get("name"), data.get("role"))
        return jsonify({"ok": True, "member": member, "role": member["role"]})

    return guarded(run)


@bp.patch("/api/scores/<score_id>/members/<name>")
@login_required
def change_member(score_id: str, name: str) -> ResponseReturnValue:
    """Owner only: ``{role}``."""

    def run() -> ResponseReturnValue:
        member = get_sharing().share(score_id, g.identity.id, name, _body().get("role"))
        return jsonify({"ok": True, "member": member})

    return guarded(run)


@bp.delete("/api/scores/<score_id>/members/<name>")
@login_required
def remove_member(score_id: str, name: str) -> ResponseReturnValue:
    """Owners remove anyone; a member may remove themselves (leave)."""
    return guarded(
        lambda: jsonify(
            {"ok": True, "member": get_sharing().unshare(score_id, g.identity.id, name)}
        )
    )


# --- share links ----------------------------------------------------------------------------


@bp.post("/api/scores/<score_id>/links")
@login_required
def create_link(score_id: str) -> ResponseReturnValue:
    """Owner only: ``{role, expires_in_days?}`` -> the link's ``url`` (shown this once)."""

    def run() -> ResponseReturnValue:
        data = _body()
        link = get_sharing().create_link(
            score_id, g.identity.id, data.get("role"), data.get("expires_in_days")
        )
        link["url"] = f"{request.host_url.rstrip('/')}/s/{link['token']}"
        return jsonify({"ok": True, "link": link}), 201

    return guarded(run)


@bp.delete("/api/scores/<score_id>/links/<int:link_id>")
@login_required
def revoke_link(score_id: str, link_id: int) -> ResponseReturnValue:
    """Owner only: the link stops working and whoever joined through it loses access."""

    def run() -> ResponseReturnValue:
        get_sharing().revoke_link(score_id, g.identity.id, link_id)
        return jsonify({"ok": True})

    return guarded(run)


@bp.get("/s/<token>")
def open_link(token: str) -> ResponseReturnValue:
    """A share link: log in first, then become a member and open the score; a dead link
    gets a page that says why (404 unknown, 410 expired or revoked)."""
    identity = request_identity()
    if identity is None:
        return redirect(f"/login?next={quote(f'/s/{token}', safe='')}")
    try:
        joined = get_sharing().redeem(token, identity.id)
    except TuttiError as exc:
        page = render_template("link.html", code=exc.code)
        return page, status_of(exc.code)
    return redirect(f"/scores/{joined['score']}")


# --- requests for access --------------------------------------------------------------------


@bp.get("/api/scores/<score_id>/access")
@login_required
def access(score_id: str) -> ResponseReturnValue:
    """``{role, request}``: what the editor shows someone who is not (or no longer) in."""
    return guarded(lambda: jsonify({"ok": True, **get_sharing().access(score_id, g.identity.id)}))


@bp.post("/api/scores/<score_id>/access-requests")
@login_required
def request_access(score_id: str) -> ResponseReturnValue:
    def run() -> ResponseReturnValue:
        state = get_sharing().request_access(score_id, g.identity.id)
        return jsonify({"ok": True, **state}), 201

    return guarded(run)


@bp.post("/api/scores/<score_id>/access-requests/<name>")
@login_required
def decide_request(score_id: str, name: str) -> ResponseReturnValue:
    """Owner only: ``{role}`` approves with that role, ``{role: null}`` denies."""

    def run() -> ResponseReturnValue:
        data = _body()
        if "role" not in data:
            raise SharingError("bad_request", "send {role} to approve or {role: null} to deny")
        decided = get_sharing().decide(score_id, g.identity.id, name, data["role"])
        return jsonify({"ok": True, "member": decided})

    return guarded(run)


# --- library actions ------------------------------------------------------------------------


@bp.patch("/api/scores/<score_id>")
@login_required
def rename(score_id: str) -> ResponseReturnValue:
    """Editors and owners: ``{title}``; an attributed edit, broadcast to open editors."""

    def run() -> ResponseReturnValue:
        edit = get_library().rename(score_id, g.identity.id, _body().get("title"))
        get_broadcaster().committed(edit)
        return jsonify({"ok": True, "seq": edit.seq})

    return guarded(run)


@bp.post("/api/scores/<score_id>/duplicate")
@login_required
def duplicate(score_id: str) -> ResponseReturnValue:
    """Any member: a copy of the head, owned by the caller: ``{title?}`` -> ``{id}``."""

    def run() -> ResponseReturnValue:
        data = request.get_json(silent=True) if request.is_json else {}
        title = data.get("title") if isinstance(data, dict) else None
        new_id = get_library().duplicate(score_id, g.identity.id, title)
        return jsonify({"ok": True, "id": new_id}), 201

    return guarded(run)


@bp.delete("/api/scores/<score_id>")
@login_required
def delete(score_id: str) -> ResponseReturnValue:
    """Owners: to the trash (every member loses it at once; restorable for 30 days)."""

    def run() -> ResponseReturnValue:
        get_library().delete(score_id, g.identity.id)
        return jsonify({"ok": True})

    return guarded(run)


@bp.get("/api/trash")
@login_required
def trash() -> ResponseReturnValue:
    rows = get_library().trashed(g.identity.id)
    return jsonify({"ok": True, "scores": [_row(r) for r in rows]})


@bp.post("/api/trash/<score_id>/restore")
@login_required
def restore(score_id: str) -> ResponseReturnValue:
    def run() -> ResponseReturnValue:
        get_library().restore(score_id, g.identity.id)
        return jsonify({"ok": True})

    return guarded(run)
