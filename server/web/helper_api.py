"""JSON API of the voicing helper: opt-in switches, suggestions (request, list, accept,
reject, revert) and the provenance summary; broadcasts to the score's Socket.IO room.

Thin: parses, calls ``server.suggestions.HelperService``, emits. Never SQL; the only
Socket.IO use is ``emit`` on the app's instance, with the room naming of ``server.sync``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, jsonify, request
from flask.typing import ResponseReturnValue

from ..auth.sessions import guarded, login_required
from ..extensions import get_broadcaster, get_helper
from ..suggestions import HelperError
from .history_api import emit_edit

bp = Blueprint("helper_api", __name__, url_prefix="/api")


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True) if request.is_json else None
    if not isinstance(data, dict):
        raise HelperError("bad_request", "send a JSON object")
    return data


def _flag(data: dict[str, Any]) -> bool:
    value = data.get("enabled")
    if not isinstance(value, bool):
        raise HelperError("bad_request", "enabled must be true or false")
    return value


def _emit(score_id: str, action: str, **fields: Any) -> None:
    get_broadcaster().suggestions(score_id, action, **fields)


# --- switches --------------------------------------------------------------------------------


@bp.route("/helper/preferences", methods=["GET", "PUT"])
@login_required
def preferences() -> ResponseReturnValue:
    """The person's own opt-in: ``PUT {"enabled": bool}``."""

    def run() -> ResponseReturnValue:
        helper = get_helper()
        if request.method == "PUT":
            prefs = helper.set_opt_in(g.identity.id, _flag(_body()))
        else:
            prefs = helper.preferences.get_user_preferences(g.identity.id)
        return jsonify({"ok": True, "enabled": bool(prefs.get("helper_opt_in"))})

    return guarded(run)


@bp.route("/scores/<score_id>/helper", methods=["GET", "PUT"])
@login_required
def score_switch(score_id: str) -> ResponseReturnValue:
    """The helper's state for me in this score; ``PUT {"enabled"}`` (owner) switches it."""

    def run() -> ResponseReturnValue:
        helper = get_helper()
        if request.method == "PUT":
            settings = helper.set_score_enabled(score_id, g.identity.id, _flag(_body()))
            _emit(score_id, "settings", settings={"helper_enabled": settings["helper_enabled"]})
        return jsonify({"ok": True, **helper.status(score_id, g.identity.id)})

    return guarded(run)


# --- suggestions ---------------------------------------------------------------------------


@bp.get("/scores/<score_id>/suggestions")
@login_required
def list_suggestions(score_id: str) -> ResponseReturnValue:
    """Every suggestion of the score, oldest first (``?status=pending`` filters)."""
    status = request.args.get("status") or None
    return guarded(
        lambda: jsonify(
            {
                "ok": True,
                "suggestions": get_helper().list_suggestions(score_id, g.identity.id, status),
            }
        )
    )


@bp.post("/scores/<score_id>/suggestions")
@login_required
def create(score_id: str) -> ResponseReturnValue:
    """``{target, first, last, parts, melody_part?, k?}`` -> a pending suggestion (201)."""

    def run() -> ResponseReturnValue:
        suggestion = get_helper().request(score_id, g.identity.id, _body())
        _emit(score_id, "requested", suggestion=suggestion)
        return jsonify({"ok": True, "suggestion": suggestion}), 201

    return guarded(run)


@bp.get("/scores/<score_id>/suggestions/<int:suggestion_id>")
@login_required
def show(score_id: str, suggestion_id: int) -> ResponseReturnValue:
    return guarded(
        lambda: jsonify(
            {"ok": True, "suggestion": get_helper().get(score_id, suggestion_id, g.identity.id)}
        )
    )


@bp.post("/scores/<score_id>/suggestions/<int:suggestion_id>/preview")
@login_required
def preview(score_id: str, suggestion_id: int) -> ResponseReturnValue:
    """``{alternative, tweaks?}`` -> the ops accepting would submit (nothing is stored)."""

    def run() -> ResponseReturnValue:
        data = _body()
        found = get_helper().preview(
            score_id, suggestion_id, g.identity.id, data.get("alternative"), data.get("tweaks")
        )
        return jsonify({"ok": True, **found})

    return guarded(run)


@bp.post("/scores/<score_id>/suggestions/<int:suggestion_id>/accept")
@login_required
def accept(score_id: str, suggestion_id: int) -> ResponseReturnValue:
    """``{alternative, tweaks?}`` -> one helper edit, broadcast like any socket edit."""

    def run() -> ResponseReturnValue:
        data = _body()
        suggestion, edit = get_helper().accept(
            score_id, suggestion_id, g.identity.id, data.get("alternative"), data.get("tweaks")
        )
        emit_edit(edit)
        _emit(score_id, "accepted", suggestion=suggestion)
        return jsonify({"ok": True, "suggestion": suggestion, "seq": edit.seq})

    return guarded(run)


@bp.post("/scores/<score_id>/suggestions/<int:suggestion_id>/reject")
@login_required
def reject(score_id: str, suggestion_id: int) -> ResponseReturnValue:
    def run() -> ResponseReturnValue:
        suggestion = get_helper().reject(score_id, suggestion_id, g.identity.id)
        _emit(score_id, "rejected", suggestion=suggestion)
        return jsonify({"ok": True, "suggestion": suggestion})

    return guarded(run)


@bp.post("/scores/<score_id>/suggestions/<int:suggestion_id>/revert")
@login_required
def revert(score_id: str, suggestion_id: int) -> ResponseReturnValue:
    """Undo an accepted suggestion in one new ``revert`` edit; conflicts are listed."""

    def run() -> ResponseReturnValue:
        suggestion, edit, conflicts = get_helper().revert(score_id, suggestion_id, g.identity.id)
        emit_edit(edit)
        _emit(score_id, "reverted", suggestion=suggestion)
        return jsonify(
            {"ok": True, "suggestion": suggestion, "seq": edit.seq, "conflicts": conflicts}
        )

    return guarded(run)


@bp.get("/scores/<score_id>/provenance")
@login_required
def provenance(score_id: str) -> ResponseReturnValue:
    """Who wrote the notes standing: people, the helper (by accepter), changed since."""
    return guarded(
        lambda: jsonify({"ok": True, **get_helper().provenance(score_id, g.identity.id)})
    )
