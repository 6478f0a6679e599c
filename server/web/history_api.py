"""JSON API of the score's history: entries, blame, past documents, diffs, named versions,
selective revert and restore, exports and contributions (documented in docs/history.md).

Thin: parses, calls ``server.history_service.HistoryService``, emits the new edits to the
score's room exactly like a socket ``submit``. Never SQL.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, g, jsonify, request
from flask.typing import ResponseReturnValue

from ..auth.sessions import guarded, login_required
from ..comments.service import to_csv as comments_csv
from ..editing import CommittedEdit
from ..extensions import get_broadcaster, get_comments, get_history, get_jobs, get_score_settings
from ..history_service import Filters, HistoryError

bp = Blueprint("history_api", __name__, url_prefix="/api/scores/<score_id>")

EXPORTS = {
    "musicxml": ("application/vnd.recordare.musicxml+xml", "musicxml"),
    "midi": ("audio/midi", "mid"),
}


def emit_edit(edit: CommittedEdit) -> None:
    """Broadcast an edit made over HTTP exactly like a socket ``submit`` does."""
    get_broadcaster().committed(edit)


# --- parsing -----------------------------------------------------------------------------


def _int(value: Any, name: str, *, optional: bool = True) -> int | None:
    if value is None or value == "":
        if optional:
            return None
        raise HistoryError("bad_request", f"{name} is required")
    if isinstance(value, bool):
        raise HistoryError("bad_request", f"{name} must be an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,12}", value):
        return int(value)
    raise HistoryError("bad_request", f"{name} must be an integer")


def _time(value: Any, name: str) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        when = datetime.fromisoformat(str(value))
    except ValueError:
        raise HistoryError("bad_request", f"{name} must be an ISO date-time") from None
    # The log stores UTC; a time without a zone is taken as UTC.
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _text(value: Any, name: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise HistoryError("bad_request", f"{name} must be text")
    return str(value)


def _filters(source: Any) -> Filters:
    """Filters from query arguments or a JSON selector (the same names in both)."""
    parts = source.get("part") or source.get("parts") or []
    if isinstance(parts, str):
        parts = [p for p in parts.split(",") if p]
    if not isinstance(parts, list) or not all(isinstance(p, str) for p in parts):
        raise HistoryError("bad_request", "part must be a part ID or a list of them")
    return Filters(
        author_id=_int(source.get("author"), "author"),
        origin=_text(source.get("origin"), "origin"),
        parts=parts,
        from_measure=_text(source.get("from_measure"), "from_measure"),
        to_measure=_text(source.get("to_measure"), "to_measure"),
        since=_time(source.get("since"), "since"),
        until=_time(source.get("until"), "until"),
    )


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True) if request.is_json else None
    if not isinstance(data, dict):
        raise HistoryError("bad_request", "send a JSON object")
    return data


def _download(data: bytes | str, mimetype: str, name: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- reading -------------------------------------------------------------------------------


@bp.get("/history")
@login_required
def history(score_id: str) -> ResponseReturnValue:
    """Entries, oldest first: ``?author=&origin=&part=&from_measure=&to_measure=&since=
    &until=&group=1&limit=&before=``; ``&expand=<seq>``: the single edits of the entry
    holding that edit (same filters)."""

    def run() -> ResponseReturnValue:
        args = request.args
        found = get_history().history(
            score_id,
            g.identity.id,
            _filters(args),
            group=args.get("group", "1") not in ("0", "false", "no"),
            limit=_int(args.get("limit"), "limit"),
            before_seq=_int(args.get("before"), "before"),
            expand=_int(args.get("expand"), "expand"),
        )
        return jsonify({"ok": True, **found})

    return guarded(run)


@bp.get("/history/export")
@login_required
def history_export(score_id: str) -> ResponseReturnValue:
    """``?format=csv|json|comments-csv``: every edit with its description (``json`` also
    every comment), or (``comments-csv``) every comment, as a download."""

    def run() -> ResponseReturnValue:
        fmt = request.args.get("format", "csv")
        if fmt == "comments-csv":
            rows = get_comments().export_rows(score_id, g.identity.id)
            return _download(comments_csv(rows), "text/csv", f"comments-{score_id}.csv")
        data = get_history().export(score_id, g.identity.id, fmt)
        if isinstance(data, str):
            return _download(data, "text/csv", f"history-{score_id}.csv")
        comments = get_comments().export_rows(score_id, g.identity.id)
        return jsonify({"ok": True, "rows": data, "comments": comments})

    return guarded(run)


@bp.get("/blame")
@login_required
def blame(score_id: str) -> ResponseReturnValue:
    return guarded(lambda: jsonify({"ok": True, **get_history().blame(score_id, g.identity.id)}))


@bp.get("/blame/<element_id>")
@login_required
def blame_of(score_id: str, element_id: str) -> ResponseReturnValue:
    return guarded(
        lambda: jsonify({"ok": True, **get_history().blame_of(score_id, g.identity.id, element_id)})
    )


@bp.get("/doc")
@login_required
def doc_at(score_id: str) -> ResponseReturnValue:
    """``?at=<seq>``: the document as it was right after that edit (default: now)."""

    def run() -> ResponseReturnValue:
        doc, seq, head = get_history().doc_at(
            score_id, g.identity.id, _int(request.args.get("at"), "at")
        )
        return jsonify({"ok": True, "seq": seq, "head": head, "doc": doc})

    return guarded(run)


@bp.get("/diff")
@login_required
def diff(score_id: str) -> ResponseReturnValue:
    """``?from=<seq>&to=<seq>`` (``to`` defaults to now): added/removed/changed + lines."""

    def run() -> ResponseReturnValue:
        first = _int(request.args.get("from"), "from", optional=False)
        assert first is not None
        # Computed in a job process (it builds its own view of the history): a diff of
        # a large score costs seconds that this loop spends serving others.
        found = get_jobs().diff(score_id, g.identity.id, first, _int(request.args.get("to"), "to"))
        return jsonify({"ok": True, **found})

    return guarded(run)


@bp.get("/contributions")
@login_required
def contributions(score_id: str) -> ResponseReturnValue:
    return guarded(
        lambda: jsonify({"ok": True, **get_history().contributions(score_id, g.identity.id)})
    )


# --- versions ------------------------------------------------------------------------------


@bp.route("/versions", methods=["GET", "POST"])
@login_required
def versions(score_id: str) -> ResponseReturnValue:
    """List named versions; ``POST {"label", "seq"?}`` (editors) names the head or a seq."""

    def run() -> ResponseReturnValue:
        service = get_history()
        if request.method == "POST":
            data = _body()
            version = service.create_version(
                score_id, g.identity.id, data.get("label"), data.get("seq")
            )
            return jsonify({"ok": True, "version": version}), 201
        return jsonify({"ok": True, "versions": service.versions(score_id, g.identity.id)})

    return guarded(run)


@bp.get("/versions/<int:seq>/export")
@login_required
def version_export(score_id: str, seq: int) -> ResponseReturnValue:
    """``?format=musicxml|midi``: the score as it was at ``seq``, as a download."""

    def run() -> ResponseReturnValue:
        fmt = request.args.get("format", "musicxml")
        if fmt not in EXPORTS:
            raise HistoryError("bad_request", f"format must be one of {sorted(EXPORTS)}")
        history = get_history()
        history.require(score_id, g.identity.id, "viewer")
        head = history.scores.head_seq(score_id)
        if not 0 <= seq <= head:
            raise HistoryError("bad_request", f"seq must be 0..{head}")
        # A job process reads the version and writes the file, off this loop.
        data = get_jobs().export(score_id, seq, fmt)
        title = get_score_settings().score_info(score_id).get("title")
        mimetype, extension = EXPORTS[fmt]
        stem = re.sub(r"[^A-Za-z0-9_-]+", "_", str(title or "score")).strip("_")
        return _download(data, mimetype, f"{stem or 'score'}-v{seq}.{extension}")

    return guarded(run)


# --- writing -------------------------------------------------------------------------------


@bp.post("/revert")
@login_required
def revert(score_id: str) -> ResponseReturnValue:
    """``{"seqs": [...]}`` or a selector ``{author, origin, part, from_measure, to_measure,
    since, until}`` -> one new ``revert`` edit by the requester, broadcast to the room."""

    def run() -> ResponseReturnValue:
        data = _body()
        seqs = data.get("seqs")
        if seqs is not None:
            if not isinstance(seqs, list) or not seqs:
                raise HistoryError("bad_request", "seqs must be a non-empty list of edit seqs")
            chosen = [_int(s, "seqs") for s in seqs]
            report, edit = get_history().revert(
                score_id, g.identity.id, [s for s in chosen if s is not None], None
            )
        else:
            report, edit = get_history().revert(score_id, g.identity.id, None, _filters(data))
        if edit is not None:
            emit_edit(edit)
        return jsonify({"ok": True, **report})

    return guarded(run)


@bp.post("/restore")
@login_required
def restore(score_id: str) -> ResponseReturnValue:
    """``{"seq"}`` -> one new ``restore`` edit making the score as it was after ``seq``."""

    def run() -> ResponseReturnValue:
        # Planned and committed by a job process; broadcast from here like any edit.
        report, wire = get_jobs().restore(score_id, g.identity.id, _body().get("seq"))
        if wire is not None:
            get_broadcaster().edit(score_id, wire)
        return jsonify({"ok": True, **report})

    return guarded(run)
