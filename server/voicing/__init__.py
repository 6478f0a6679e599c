"""Voicing helper engine: chord progression in, k ranked voicings with reasons out.

Pure Python + numpy (no music21: chord kinds are a table); no Flask, no SQL, nothing from
the rest of the project. Public API::

    suggest(progression, target="satb", k=5, options=None) -> list[Suggestion]
    parse_symbol(text) -> ChordSpec            # cached; raises VoicingError
    Rules(weights)                             # switch or re-weight named cost terms
    VoicingError(code, message)                # every refusal, with a snake_case code

See ``docs/voicing.md`` for the input format, the cost terms and the search.
"""

from __future__ import annotations

from .chords import ChordSpec
from .engine import TARGETS, Suggestion, suggest
from .errors import VoicingError
from .rules import Rules
from .symbols import parse_symbol

__all__ = ["TARGETS", "ChordSpec", "Rules", "Suggestion", "VoicingError", "parse_symbol", "suggest"]
