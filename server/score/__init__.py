"""The pure score domain: document model, edit operations and their inverses.

Nothing here may import Flask, SQLAlchemy, Socket.IO or music21: it is shared
by the server, the CLI, the tests and (mirrored in JS) the browser.
"""

from .errors import InvalidOp, MissingTarget, ScoreError
from .model import Doc, check_invariants, clone, find_event, find_note, find_part, new_document
from .ops import OP_NAMES, EditResult, Op, apply_edit, apply_op, invert

__all__ = [
    "OP_NAMES",
    "Doc",
    "EditResult",
    "InvalidOp",
    "MissingTarget",
    "Op",
    "ScoreError",
    "apply_edit",
    "apply_op",
    "check_invariants",
    "clone",
    "find_event",
    "find_note",
    "find_part",
    "invert",
    "new_document",
]
