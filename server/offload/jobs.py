"""What a job process can be asked to do: each job reads its score from the database
itself (by id and seq), so the server never encodes a large document on its loop to
hand it over; only the small request and the result cross the pipe.

Runs in the job process only (``child.py``); the server side is ``pool.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..editing import EditLog
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


JOBS: dict[str, Job] = {"export": export, "voicing": voicing}


def preload() -> None:
    """Import and exercise what jobs need before the first arrives: music21 loads much
    of itself lazily on first use, which would count against a job's time limit."""
    from ..formats import export_score
    from ..score.model import new_document

    export_score(new_document(measures=1), "musicxml")
    export_score(new_document(measures=1), "midi")
