"""Typed errors raised by the score model and its operations (pure; no I/O)."""

from __future__ import annotations


class ScoreError(Exception):
    """Base class: every error carries a snake_case ``code`` and a human message."""

    code = "score_error"

    def __init__(self, message: str, *, op_index: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.op_index = op_index

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
