"""The one error type of the voicing engine: a snake_case ``code`` plus a human message.

Pure; imports nothing from the rest of the project.
"""

from __future__ import annotations


class VoicingError(Exception):
    """A request the engine cannot honour (bad symbol, impossible constraint, bad input).

    >>> err = VoicingError("unknown_chord_symbol", "cannot read chord symbol 'Cxyz'")
    >>> err.to_dict()
    {'code': 'unknown_chord_symbol', 'message': "cannot read chord symbol 'Cxyz'"}
    """

    def __init__(self, code: str, message: str, *, chord_index: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.chord_index = chord_index

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"code": self.code, "message": self.message}
        if self.chord_index is not None:
            out["chord_index"] = self.chord_index
        return out

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"
