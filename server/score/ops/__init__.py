"""Edit operations: one registry, ``apply_op`` and the all-or-nothing ``apply_edit``.

An op is a JSON object ``{"op": name, ...}`` addressing elements by ID and
musical position. Applying it mutates the document in place and returns its
exact inverse as a list of ops (to be applied in order).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .. import spanners as spanner_rules
from ..errors import InvalidOp, MissingTarget, ScoreError
from ..model import Doc
from . import bars, events, spanners, structure
from ._common import Op

Handler = Callable[[Doc, Op], list[Op]]
HANDLERS: dict[str, Handler] = {
    **events.HANDLERS,
    **bars.HANDLERS,
    **structure.HANDLERS,
    **spanners.HANDLERS,
}
OP_NAMES = tuple(sorted(HANDLERS))
MAX_OPS_PER_EDIT = 2000


def apply_op(doc: Doc, op: Op) -> list[Op]:
    """Apply one op; returns its inverse. Raises InvalidOp or MissingTarget, changing nothing."""
    if not isinstance(op, dict):
        raise InvalidOp("an op must be an object")
    name = op.get("op")
    handler = HANDLERS.get(name) if isinstance(name, str) else None
    if handler is None:
        raise InvalidOp(f"unknown op {op.get('op')!r}")
    if name in spanners.HANDLERS:
        return handler(doc, op)
    # Any other op may remove a spanner's end: shrink or remove it, and undo that too.
    before = spanner_rules.before_op(doc)
    inverse = handler(doc, op)
    return inverse + spanner_rules.repair(doc, before)


@dataclass
class EditResult:
    """What an edit did: the inverse (apply in order to undo) and the ops skipped as no-ops."""

    inverse: list[Op] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)

    @property
    def applied_nothing(self) -> bool:
        return not self.inverse


def apply_edit(doc: Doc, ops: list[Op]) -> EditResult:
    """Apply a group of ops as one edit, all or nothing.

    An op whose target has vanished is skipped and reported (a recorded no-op);
    any other error undoes the ops already applied and is re-raised with the
    failing op's index, so the document is left exactly as it was.
    """
    if not isinstance(ops, list) or not ops:
        raise InvalidOp("an edit needs a non-empty list of ops")
    if len(ops) > MAX_OPS_PER_EDIT:
        raise InvalidOp(f"an edit holds at most {MAX_OPS_PER_EDIT} ops")
    result = EditResult()
    undo_stack: list[list[Op]] = []
    for index, op in enumerate(ops):
        try:
            undo_stack.append(apply_op(doc, op))
        except MissingTarget as exc:
            result.skipped.append({"index": index, "code": exc.code, "message": exc.message})
        except ScoreError as exc:
            for inverse in reversed(undo_stack):
                for inverse_op in inverse:
                    apply_op(doc, inverse_op)
            exc.op_index = index
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            # A malformed payload that slipped past validation must not corrupt the score.
            for inverse in reversed(undo_stack):
                for inverse_op in inverse:
                    apply_op(doc, inverse_op)
            raise InvalidOp(f"op {index} cannot be applied: {exc}", op_index=index) from exc
    for inverse in reversed(undo_stack):
        result.inverse.extend(inverse)
    return result


def invert(doc: Doc, inverse: list[Op]) -> None:
    """Apply an edit's inverse (undo). The inverse of a valid edit always applies."""
    for op in inverse:
        apply_op(doc, op)


__all__ = ["OP_NAMES", "EditResult", "Op", "apply_edit", "apply_op", "invert"]
