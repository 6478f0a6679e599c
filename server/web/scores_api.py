"""JSON score API for the library and editor pages: list, create, import, export, info.

Calls the ``EditLog``, the ``Members`` and ``ScoreSettings`` repositories and
``server.formats``; never SQL, never Socket.IO.
Every route needs a logged-in user and checks the score role before reading.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, g, jsonify, request
from flask.typing import ResponseReturnValue

from ..auth import AuthError, require
from ..auth.sessions import guarded, json_error, login_required, refusal_response
from ..errors import TuttiError
from ..extensions import get_edit_log, get_jobs, get_library, get_members, get_score_settings
from ..offload import admit
from ..score import ScoreError
from ..score.model import new_document

bp = Blueprint("scores_api", __name__, url_prefix="/api/scores")

EXPORTS = {
    "musicxml": ("application/vnd.recordare.musicxml+xml", "musicxml"),
    "midi": ("audio/midi", "mid"),
}
CLEF_NAMES = ("treble", "bass", "alto", "tenor", "treble8vb", "percussion")
MAX_TITLE = 200


def _wire(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _score_row(row: dict[str, Any]) -> dict[str, Any]:
    return {key: _wire(value) for key, value in row.items()}


def _role_or_error(score_id: str, needed: str) -> ResponseReturnValue | None:
    try:
        require(get_members().role_of(score_id, g.identity.id), needed, "open this score")
    except AuthError as exc:
        return refusal_response(exc)
    return None


@bp.get("")
@login_required
def list_scores() -> ResponseReturnValue:
    """``?q=`` (title contains, any case) and ``?sort=edited|created|title|edits``; each
    score with ``shared`` (someone else's, shared with me)."""

    def run() -> ResponseReturnValue:
        rows = get_library().scores(
            g.identity.id, request.args.get("q", ""), request.args.get("sort", "edited")
        )
        return jsonify({"ok": True, "scores": [_score_row(r) for r in rows]})

    return guarded(run)


@bp.post("")
@login_required
def create() -> ResponseReturnValue:
    """``{title?, measures?, parts?: [{name, clef?}], time?, key?, tempo?}`` -> ``{id}``."""
    data = request.get_json(silent=True) if request.is_json else None
    if not isinstance(data, dict):
        return json_error("bad_request", "send a JSON object {title, ...}")
    title = data.get("title") or "Untitled"
    measures = data.get("measures", 16)
    parts = data.get("parts") or [{"name": "Piano", "instrument": "piano"}]
    if not isinstance(title, str) or len(title) > MAX_TITLE:
        return json_error(
            "bad_request", f"title must be a string of at most {MAX_TITLE} characters"
        )
    if not isinstance(measures, int) or isinstance(measures, bool) or not 1 <= measures <= 500:
        return json_error("bad_request", "measures must be 1..500")
    if not isinstance(parts, list) or not 1 <= len(parts) <= 16:
        return json_error("bad_request", "parts must be a list of 1..16 parts")
    clean_parts = []
    for part in parts:
        if not isinstance(part, dict) or not isinstance(part.get("name", ""), str):
            return json_error("bad_request", "each part is {name, clef?}")
        clef = part.get("clef", "treble")
        if clef not in CLEF_NAMES:
            return json_error("bad_request", f"clef must be one of {CLEF_NAMES}")
        name = str(part.get("name") or "Part")[:64]
        clean_parts.append({"name": name, "instrument": "piano", "clef": clef})
    options: dict[str, Any] = {}
    for key in ("time", "key", "tempo"):
        if key in data:
            options[key] = data[key]
    try:
        doc = new_document(title=title, parts=clean_parts, measures=measures, **options)
        score_id = get_edit_log().create_score(g.identity.id, title, doc)
    except (ScoreError, TypeError, ValueError) as exc:
        return json_error("bad_request", str(exc))
    return jsonify({"ok": True, "id": score_id}), 201


@bp.post("/import")
@login_required
def import_file() -> ResponseReturnValue:
    """Multipart ``file`` (MusicXML, compressed .mxl or MIDI) -> a new score ``{id, report}``."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return json_error("bad_request", "send the file as multipart field 'file'")
    data = upload.read()
    # Imported on use: music21 is slow to load and only import/export need it.
    from ..formats import import_score

    try:
        # The parse runs in a fresh process of its own (formats/sandbox.py), counted
        # among the job pool's workers so uploads cannot outnumber them.
        with admit():
            result = import_score(data, upload.filename)
    except TuttiError as exc:
        # file_too_large, parse_timeout, unsupported_format, malformed_file, empty_score
        return refusal_response(exc)
    doc = result.doc
    title = request.form.get("title") or doc.get("title") or upload.filename.rsplit(".", 1)[0]
    try:
        # An attributed edit with origin "import", like the CLI's: visible and revertible.
        score_id, _ = get_edit_log().import_score(
            g.identity.id,
            str(title)[:MAX_TITLE],
            doc,
            filename=upload.filename,
            report=list(result.report),
        )
    except ScoreError as exc:
        return json_error("malformed_file", exc.message)
    return jsonify({"ok": True, "id": score_id, "report": list(result.report)}), 201


@bp.get("/<score_id>")
@login_required
def info(score_id: str) -> ResponseReturnValue:
    refused = _role_or_error(score_id, "viewer")
    if refused is not None:
        return refused
    row = _score_row(get_score_settings().score_info(score_id))
    row["role"] = get_members().role_of(score_id, g.identity.id)
    return jsonify({"ok": True, "score": row})


@bp.get("/<score_id>/export")
@login_required
def export(score_id: str) -> ResponseReturnValue:
    """``?format=musicxml|midi``: the current document as a download."""
    fmt = request.args.get("format", "musicxml")
    if fmt not in EXPORTS:
        return json_error("bad_request", f"format must be one of {sorted(EXPORTS)}")
    refused = _role_or_error(score_id, "viewer")
    if refused is not None:
        return refused
    # Written by a job process that reads the score itself: nothing of the score is
    # built or encoded on this loop, which keeps serving everyone else meanwhile.
    row = get_score_settings().score_info(score_id)
    try:
        data = get_jobs().export(score_id, int(row["head_seq"]), fmt)
    except TuttiError as exc:  # busy, too_slow, too_big; not_found if it went away
        return refusal_response(exc)
    mimetype, extension = EXPORTS[fmt]
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", str(row.get("title") or "score")).strip("_") or "score"
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{stem}.{extension}"'
    return response
