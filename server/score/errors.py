"""Typed errors raised by the score model and its operations (pure; no I/O).

``ScoreError`` derives from ``server.errors.TuttiError`` (a stdlib-only module importing
nothing of ours), so a refused op reaches HTTP and socket clients through the one error
mapping; nothing else outside ``score/`` is imported here.
"""

from __future__ import annotations

from typing import Any

from ..errors import TuttiError


class ScoreError(TuttiError):
    """Base class: every error carries a snake_case ``code`` and a human message."""

    code = "score_error"

    def __init__(self, message: str, *, op_index: int | None = None) -> None:
        super().__init__(type(self).code, message)
        self.op_index = op_index

    # ``apply_edit`` sets ``op_index`` after the op that raised is known, so the error
    # body's extra fields are read from it when the refusal is sent, not when raised.
    @property
    def extra(self) -> dict[str, Any]:
        return {} if self.op_index is None else {"op_index": self.op_index}

    @extra.setter
    def extra(self, _value: dict[str, Any]) -> None:
        pass  # derived from op_index

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"code": self.code, "message": self.message}
        if self.op_index is not None:
            out["op_index"] = self.op_index
        return out


class InvalidOp(ScoreError):
    """The op is malformed or would break the score; the whole edit is refused."""

    code = "invalid_op"


class MissingTarget(ScoreError):
    """The element an op addresses no longer exists; the op becomes a recorded no-op."""

    code = "missing_target"
