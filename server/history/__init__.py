"""History over the edit log: blame, descriptions, selective revert, diffs and summaries.

Pure: works on documents and lists of edit records; must not import Flask,
SQLAlchemy or Socket.IO (the web and persistence layers call into it).
See docs/history.md.
"""

from __future__ import annotations

from .blame import Blame, ElementBlame, blame
from .contributions import AuthorSummary, contributions, helper_provenance
from .describe import describe_edit, describe_op
from .diff import DiffEntry, MusicalDiff, musical_diff
from .entries import HistoryEntry, expand_entry, group_entries
from .export import history_rows, to_csv, to_json
from .facts import touched_keys
from .records import EditRecord, Stamp, stamp_of
from .revert import RevertPlan, plan_restore, plan_revert
from .selectors import by_author, by_origin, in_seq_range, in_time_range, matching
from .tracker import Tracker, op_keys
from .view import HistoryView

__all__ = [
    "AuthorSummary",
    "Blame",
    "DiffEntry",
    "EditRecord",
    "ElementBlame",
    "HistoryEntry",
    "HistoryView",
    "MusicalDiff",
    "RevertPlan",
    "Stamp",
    "Tracker",
    "blame",
    "by_author",
    "by_origin",
    "contributions",
    "describe_edit",
    "describe_op",
    "expand_entry",
    "group_entries",
    "helper_provenance",
    "history_rows",
    "in_seq_range",
    "in_time_range",
    "matching",
    "musical_diff",
    "op_keys",
    "plan_restore",
    "plan_revert",
    "stamp_of",
    "to_csv",
    "to_json",
    "touched_keys",
]
