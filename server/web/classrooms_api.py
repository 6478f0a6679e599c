"""JSON API of classrooms (documented in docs/protocol.md and docs/classrooms.md): classes,
join codes, co-teachers, roster import, archive; assignments and their status and grade
exports (JSON or CSV); submissions: turn in, return, reset, grade; a student's own work.

Thin: parses, calls ``server.classrooms.ClassroomService``, answers. Never SQL.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, make_response, request
from flask.typing import ResponseReturnValue

from ..auth.sessions import guarded, login_required
from ..classrooms import GRADE_COLUMNS, STATUS_COLUMNS, ClassroomError, to_csv
from ..extensions import get_classrooms
from ..sync.ratelimit import TokenBucket

bp = Blueprint("classrooms_api", __name__, url_prefix="/api")
MAX_ROSTER_BYTES = 512 * 1024
#: Join attempts per person and process: a few typos, then one every 2 s, so nobody can
#: walk the 31^8 join codes to get into other people's classes.
JOIN_RATE, JOIN_BURST = 0.5, 10.0
_JOIN_BUCKETS_KEY = "tutti.join_buckets"
_lock = threading.Lock()


def _spend_join(user_id: int) -> None:
    with _lock:
        buckets: dict[int, TokenBucket] = current_app.extensions.setdefault(_JOIN_BUCKETS_KEY, {})
        if len(buckets) > 10_000:  # bounded: idle people's buckets are full anyway
            buckets.clear()
        bucket = buckets.setdefault(user_id, TokenBucket(JOIN_RATE, JOIN_BURST))
        if bucket.take():
            return
        wait = bucket.retry_after()
    raise ClassroomError(
        "rate_limited", "too many join attempts; slow down", retry_after=round(wait, 3)
    )


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True) if request.is_json else None
    if not isinstance(data, dict):
        raise ClassroomError("bad_request", "send a JSON object")
    return data


def _json(action: Callable[[], Any], status: int = 200) -> ResponseReturnValue:
    return guarded(lambda: (jsonify({"ok": True, **action()}), status))


def _csv(text: str, filename: str) -> Response:
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/classes", methods=["GET", "POST"])
@login_required
def classes() -> ResponseReturnValue:
    """My classes; ``POST {"title"}`` creates one I teach -> 201 with its join code."""
    rooms, me = get_classrooms(), g.identity.id
    if request.method == "GET":
        return _json(lambda: {"classes": rooms.classes(me)})
    return _json(lambda: rooms.create_class(me, _body().get("title")), 201)


@bp.post("/classes/join")
@login_required
def join() -> ResponseReturnValue:
    """``{"code"}``: enrol as a student (attempts are rate limited: 429 ``Retry-After``)."""

    def run() -> dict[str, Any]:
        _spend_join(g.identity.id)
        return get_classrooms().join(g.identity.id, _body().get("code"))

    response = make_response(_json(run))
    if response.status_code == 429:
        retry = (response.get_json(silent=True) or {}).get("error", {}).get("retry_after", 1)
        response.headers["Retry-After"] = str(max(1, math.ceil(float(retry))))
    return response


@bp.get("/classes/<int:class_id>")
@login_required
def class_detail(class_id: int) -> ResponseReturnValue:
    return _json(lambda: get_classrooms().class_detail(g.identity.id, class_id))


@bp.post("/classes/<int:class_id>/teachers")
@login_required
def add_teacher(class_id: int) -> ResponseReturnValue:
    """``{"name"}``: a co-teacher."""
    return _json(lambda: get_classrooms().add_teacher(g.identity.id, class_id, _body().get("name")))


@bp.post("/classes/<int:class_id>/archive")
@login_required
def archive(class_id: int) -> ResponseReturnValue:
    """``{"archived": true|false}``."""
    return _json(
        lambda: get_classrooms().archive(
            g.identity.id, class_id, bool(_body().get("archived", True))
        )
    )


@bp.post("/classes/<int:class_id>/roster")
@login_required
def roster(class_id: int) -> ResponseReturnValue:
    """A CSV roster (``name,display_name,password``) as ``text/csv`` or ``{"csv"}``."""

    def run() -> dict[str, Any]:
        if request.mimetype == "text/csv":
            if (request.content_length or 0) > MAX_ROSTER_BYTES:
                raise ClassroomError("payload_too_large", "a roster is at most 512 KB")
            text: Any = request.get_data(as_text=True)
        else:
            text = _body().get("csv")
        return get_classrooms().import_roster(g.identity.id, class_id, text)

    return _json(run)


@bp.post("/classes/<int:class_id>/assignments")
@login_required
def create_assignment(class_id: int) -> ResponseReturnValue:
    """``{"title", "template"?, "mode", "groups"?, "helper", "due"?, "points"?,
    "instructions"?, "lock"?}`` -> 201 ``{"id", "copies"}``."""
    return _json(lambda: get_classrooms().create_assignment(g.identity.id, class_id, _body()), 201)


@bp.get("/assignments/<int:assignment_id>")
@login_required
def assignment(assignment_id: int) -> ResponseReturnValue:
    return _json(lambda: get_classrooms().assignment(g.identity.id, assignment_id))


@bp.get("/assignments/<int:assignment_id>/status")
@login_required
def status(assignment_id: int) -> ResponseReturnValue:
    """One row per student; ``?format=csv`` for a spreadsheet."""
    fmt = request.args.get("format", "json")

    def run() -> ResponseReturnValue:
        rows = get_classrooms().status(g.identity.id, assignment_id)
        if fmt == "csv":
            return _csv(to_csv(rows, STATUS_COLUMNS), f"assignment-{assignment_id}-status.csv")
        if fmt != "json":
            raise ClassroomError("bad_request", "format is json or csv")
        return jsonify({"ok": True, "rows": rows})

    return guarded(run)


@bp.get("/assignments/<int:assignment_id>/grades.csv")
@login_required
def grades(assignment_id: int) -> ResponseReturnValue:
    """The grade export: one row per student with the current (draft) grade."""
    return guarded(
        lambda: _csv(
            to_csv(get_classrooms().grades(g.identity.id, assignment_id), GRADE_COLUMNS),
            f"assignment-{assignment_id}-grades.csv",
        )
    )


@bp.get("/my/assignments")
@login_required
def my_assignments() -> ResponseReturnValue:
    return _json(lambda: {"assignments": get_classrooms().my_work(g.identity.id)})


@bp.get("/submissions/<int:submission_id>")
@login_required
def submission(submission_id: int) -> ResponseReturnValue:
    return _json(lambda: get_classrooms().submission(g.identity.id, submission_id))


_ACTIONS = {"turn-in": "turn_in", "return": "return_work", "reset": "reset"}


@bp.post("/submissions/<int:submission_id>/<action>")
@login_required
def move(submission_id: int, action: str) -> ResponseReturnValue:
    """``turn-in`` (its students), ``return`` and ``reset`` (teachers), ``grade``
    (teachers: ``{"grade"?, "feedback"?}``)."""
    rooms, me = get_classrooms(), g.identity.id
    if action == "grade":
        return _json(lambda: rooms.grade(me, submission_id, _body()))
    name = _ACTIONS.get(action)
    if name is None:
        return guarded(lambda: _raise(ClassroomError("not_found", f"no action {action!r}")))
    return _json(lambda: getattr(rooms, name)(me, submission_id))


def _raise(exc: Exception) -> ResponseReturnValue:
    raise exc
