"""The one error type of the formats package, with its machine-readable codes.

Imports nothing from music21 so that callers (web, CLI) can catch it cheaply.
"""

from __future__ import annotations

from ..errors import TuttiError

CODES = ("file_too_large", "parse_timeout", "unsupported_format", "malformed_file", "empty_score")


class FormatError(TuttiError):
    """An import or export refused with a reason a person can act on."""

    def __init__(self, code: str, message: str) -> None:
        if code not in CODES:
            raise ValueError(f"unknown format error code {code!r}")
        super().__init__(code, message)

    def __repr__(self) -> str:
        return f"FormatError({self.code!r}, {self.message!r})"
