"""The voicing helper's use case: opt-in checks, chord extraction from a passage, storing
suggestions, accepting one as a single attributed ``helper`` edit, rejecting, reverting in
one action, and the provenance summary (see docs/helper.md).

No Flask, no Socket.IO, no SQL: ``passage`` is pure, ``service`` calls ``EditLog``.
"""

from __future__ import annotations

from .passage import (
    TARGETS,
    HelperError,
    Slot,
    VoicingRequest,
    apply_tweaks,
    build_ops,
    chord_slots,
    compute,
    parse_request,
    spell_midi,
)
from .service import HelperService

__all__ = [
    "TARGETS",
    "HelperError",
    "HelperService",
    "Slot",
    "VoicingRequest",
    "apply_tweaks",
    "build_ops",
    "chord_slots",
    "compute",
    "parse_request",
    "spell_midi",
]
