"""Classrooms: classes, assignments, submissions and the rules the server enforces on
classroom copies. ``service.py``: the use case; ``policy.py``: the one edit and helper
hook; ``contribution.py``: per-student numbers from the log (pure); ``roster.py``: CSV
roster and groups parsing (pure)."""

from __future__ import annotations

from .policy import ClassroomPolicy
from .roster import ClassroomError
from .service import GRADE_COLUMNS, STATUS_COLUMNS, ClassroomService, to_csv

__all__ = [
    "GRADE_COLUMNS",
    "STATUS_COLUMNS",
    "ClassroomError",
    "ClassroomPolicy",
    "ClassroomService",
    "to_csv",
]
