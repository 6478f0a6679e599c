"""What a job process can be asked to do: each job reads its score from the database
itself (by id and seq), so the server never encodes a large document on its loop to
hand it over; only the small request and the result cross the pipe.

Runs in the job process only (``child.py``); the server side is ``pool.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..editing import EditLog
from ..history_service import HistoryService
from ..score.model import Doc

Job = Callable[[dict[str, Any], bytes], tuple[Any, bytes]]

# One EditLog per database this process was asked about; its head cache keeps the last
# few documents, so a second export of the same score skips the replay.
_logs: dict[tuple[str, str], EditLog] = {}
CACHE_BYTES = 64 * 1024 * 1024


def _edit_log(args: dict[str, Any]) -> EditLog:
    key = (str(args["db"]), str(args["log_key"]))
    log = _logs.get(key)
    if log is None:
        from ..persistence import Database

        log = _logs[key] = EditLog(Database(key[0]), log_key=key[1], cache_bytes=CACHE_BYTES)
    return log


_histories: dict[tuple[str, str], HistoryService] = {}


def _history(args: dict[str, Any]) -> HistoryService:
    """This process's history use case over the job's database (its own views cache)."""
    key = (str(args["db"]), str(args["log_key"]))
    service = _histories.get(key)
    if service is None:
        from ..history_service import HistoryViews
        from ..persistence import Repositories

        log = _edit_log(args)
        repos = Repositories.over(log.db)
        views = HistoryViews(log, repos.checkpoints, max_views=4)
        service = _histories[key] = HistoryService.over(log, repos, views)
    return service


def _doc(args: dict[str, Any]) -> Doc:
    """The score ``args["score_id"]`` as it was after edit ``args["seq"]``."""
    log = _edit_log(args)
    score_id, seq = str(args["score_id"]), int(args["seq"])
    doc, head = log.load(score_id)
    return doc if head == seq else log.doc_at(score_id, seq)


def export(args: dict[str, Any], _: bytes) -> tuple[Any, bytes]:
    """``{db, log_key, score_id, seq, format}`` -> the file's bytes."""
    from ..formats import export_score

    return None, export_score(_doc(args), str(args["format"]))


def voicing(args: dict[str, Any], _: bytes) -> tuple[Any, bytes]:
    """``{db, log_key, score_id, seq, request}`` -> the helper's stored result."""
    from ..suggestions.passage import VoicingRequest, compute

    return compute(_doc(args), VoicingRequest(**args["request"])), b""


def diff(args: dict[str, Any], _: bytes) -> tuple[Any, bytes]:
    """``{db, log_key, score_id, user_id, from, to}`` -> ``HistoryService.diff``'s answer."""
    found = _history(args).diff(
        str(args["score_id"]), int(args["user_id"]), args["from"], args.get("to")
    )
    return found, b""


def restore(args: dict[str, Any], _: bytes) -> tuple[Any, bytes]:
    """``{db, log_key, score_id, user_id, seq}`` -> ``{report, edit}``: the restore is
    planned and committed here (the score row's lock orders it with the server's own
    commits); ``edit`` is what the server broadcasts, None when nothing changed."""
    report, edit = _history(args).restore(str(args["score_id"]), int(args["user_id"]), args["seq"])
    return {"report": report, "edit": None if edit is None else edit.to_wire()}, b""


JOBS: dict[str, Job] = {"export": export, "voicing": voicing, "diff": diff, "restore": restore}


def preload() -> None:
    """Import and exercise what jobs need before the first arrives: music21 loads much
    of itself lazily on first use, which would count against a job's time limit."""
    from ..formats import export_score
    from ..score.model import new_document

    export_score(new_document(measures=1), "musicxml")
    export_score(new_document(measures=1), "midi")
