"""Random edits that apply to a given document, for the sync convergence fuzz.

Builds on ``score_gen.random_edit`` (which is mostly valid by design) and retries
until the edit applies to the client's current view, so every simulated user sends
edits that make sense to them; concurrent edits may still clash at the server.
"""

from __future__ import annotations

import copy
import random
from typing import Any

from server.score import Doc, ScoreError, apply_edit, clone

from .score_gen import IdSource, random_edit

__all__ = ["IdSource", "valid_edit"]


def valid_edit(
    doc: Doc, rng: random.Random, new_id: IdSource, attempts: int = 30
) -> list[dict[str, Any]]:
    """An edit (list of ops) that applies to ``doc``; raises if none found in ``attempts``."""
    for _ in range(attempts):
        ops = random_edit(doc, rng, new_id)
        try:
            apply_edit(clone(doc), copy.deepcopy(ops))
        except ScoreError:
            continue
        return ops
    raise RuntimeError("no valid edit found; the generator cannot handle this document")
