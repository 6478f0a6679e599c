"""Hand-written vector cases: every op, its edge cases, refusals and missing targets.

Each case is ``(name, start_document, edits)``; ``tests/vectors/generate.py`` records what
the Python reference does with it. Imports only ``server.score``.
"""

from __future__ import annotations

from .bars import bars_cases
from .events import events_cases
from .form import form_cases
from .helpers import Case
from .marks import marks_cases
from .other import limits_cases, other_cases
from .spanners import spanners_cases
from .structure import structure_cases


def hand_cases() -> list[Case]:
    cases = events_cases() + marks_cases() + bars_cases() + structure_cases() + other_cases()
    cases += spanners_cases() + form_cases() + limits_cases()
    names = [c[0] for c in cases]
    assert len(set(names)) == len(names), "case names must be unique"
    return cases
