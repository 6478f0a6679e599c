"""JSON API of the voicing helper: opt-in switches, suggestions (request, list, accept,
reject, revert) and the provenance summary; broadcasts to the score's Socket.IO room.

Thin: parses, calls ``server.suggestions.HelperService``, emits. Never SQL; the only
Socket.IO use is ``emit`` on the app's instance, with the room naming of ``server.sync``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, g, jsonify, request
from flask.typing import ResponseReturnValue

from ..auth import login_required
from ..editing import ScoreNotFound
from ..extensions import get_service, get_socketio
from ..suggestions import HelperError, HelperService
from .history_api import emit_edit, get_history

bp = Blueprint("helper_api", __name__, url_prefix="/api")

#: Server -> client event: a suggestion was requested, decided or reverted, or the score's
#: helper switch moved. Payload: ``{"score", "action", "suggestion"?, "settings"?}``.
SUGGESTIONS_EVENT = "suggestions"
HELPER_KEY = "tutti.helper"
_STATUS = {"forbidden": 403, "helper_disabled": 403, "helper_not_enabled_for_user": 403,
           "not_found": 404, "already_decided": 409, "already_reverted": 409,
           "not_accepted": 409, "nothing_to_revert": 409}  # fmt: skip


def get_helper() -> HelperService:
    """One ``HelperService`` per app (it caches a history view per score)."""
    helper = current_app.extensions.get(HELPER_KEY)
    if helper is None:
        # Share the history API's views: each score's history is built once per process.
        views = get_history().views
        helper = current_app.extensions[HELPER_KEY] = HelperService(get_service(), views)
    assert isinstance(helper, HelperService)
    return helper


def _error(exc: HelperError) -> ResponseReturnValue:
    body = {"ok": False, "error": {"code": exc.code, "message": exc.message, **exc.extra}}
    return jsonify(body), _STATUS.get(exc.code, 400)


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
    from ..sync.handlers import room_of

    payload = {"score": score_id, "action": action, **fields}
    get_socketio().emit(SUGGESTIONS_EVENT, payload, to=room_of(score_id))


def _guarded(action: Any) -> ResponseReturnValue:
    try:
        return action()  # type: ignore[no-any-return]
    except HelperError as exc:
        return _error(exc)
    except ScoreNotFound:
        return _error(HelperError("not_found", "no such score"))


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
            prefs = helper.scores.get_user_preferences(g.identity.id)
        return jsonify({"ok": True, "enabled": bool(prefs.get("helper_opt_in"))})

    return _guarded(run)


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

    return _guarded(run)


# --- suggestions ---------------------------------------------------------------------------


@bp.get("/scores/<score_id>/suggestions")
@login_required
def list_suggestions(score_id: str) -> ResponseReturnValue:
    """Every suggestion of the score, oldest first (``?status=pending`` filters)."""
    status = request.args.get("status") or None
    return _guarded(
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

    return _guarded(run)


@bp.get("/scores/<score_id>/suggestions/<int:suggestion_id>")
@login_required
def show(score_id: str, suggestion_id: int) -> ResponseReturnValue:
    return _guarded(
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

    return _guarded(run)


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

    return _guarded(run)


@bp.post("/scores/<score_id>/suggestions/<int:suggestion_id>/reject")
@login_required
def reject(score_id: str, suggestion_id: int) -> ResponseReturnValue:
    def run() -> ResponseReturnValue:
        suggestion = get_helper().reject(score_id, suggestion_id, g.identity.id)
        _emit(score_id, "rejected", suggestion=suggestion)
        return jsonify({"ok": True, "suggestion": suggestion})

    return _guarded(run)


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

    return _guarded(run)


@bp.get("/scores/<score_id>/provenance")
@login_required
def provenance(score_id: str) -> ResponseReturnValue:
    """Who wrote the notes standing: people, the helper (by accepter), changed since."""
    return _guarded(
        lambda: jsonify({"ok": True, **get_helper().provenance(score_id, g.identity.id)})
    )
