"""``ClassroomPolicy``: the classroom rules the server enforces on every edit and helper
request, in one place. The ``EditLog`` calls ``check_edit`` inside each edit's own
transaction (after the role check, before the edit is applied); the helper use case calls
``helper_refusal`` before it answers or is switched on.

For a student (anyone on a classroom copy who does not teach its class):
- a copy that is turned in is read-only until a teacher returns it;
- the template's note and chord events (``locked_ids``, taken when the assignment was
  created) must stay exactly as given: same content, same part, bar, voice and offset.
  Rests are not locked (they are where students write), nor is anything added later;
- with the helper forbidden, no helper edit is accepted and no suggestion is answered.
Teachers are never restricted. An owner's edit costs nothing; an editor's edit of a score
that is no classroom copy costs one indexed read in the edit's own transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

from ..auth.roles import AuthError
from ..persistence.classrooms import edit_rule
from ..score import InvalidOp, apply_edit, clone
from ..score.model import Doc, iter_events, with_offsets

TURNED_IN = "this copy is turned in: it is read-only until your teacher returns it"
LOCKED = "the template's notes are locked by your teacher: write in the empty bars instead"
NO_HELPER = "the helper is switched off for this assignment by your teacher"


def locked_events(doc: Doc) -> list[str]:
    """The IDs of the note and chord events of a template (what its copies lock)."""
    return [event["id"] for *_, event in iter_events(doc) if event.get("notes")]


def placed(doc: Doc, ids: set[str]) -> dict[str, tuple[str, str, str, Fraction, Any]]:
    """Where each of ``ids`` stands and what it is: (part, measure, voice, offset, event)."""
    out: dict[str, tuple[str, str, str, Fraction, Any]] = {}
    for part in doc["parts"]:
        for mid, bar in part["bars"].items():
            for voice, events in bar["voices"].items():
                for offset, event in with_offsets(events):
                    if event["id"] in ids:
                        out[event["id"]] = (part["id"], mid, voice, offset, event)
    return out


def touches_locked(doc: Doc, ops: list[dict[str, Any]], locked: set[str]) -> bool:
    """True when applying ``ops`` to ``doc`` (not changed) moves, changes or removes a
    locked event. Judged on the outcome, since an op may overwrite an event by position
    without naming it."""
    before = placed(doc, locked)
    after_doc = clone(doc)
    try:
        apply_edit(after_doc, ops)
    except InvalidOp:
        return False  # refused anyway by the edit itself, with its own message
    return placed(after_doc, set(before)) != before


class ClassroomPolicy:
    """The classroom rules over one database's classroom records."""

    def __init__(self, rule_for: Callable[[str, int], dict[str, Any] | None]) -> None:
        """``rule_for(score_id, user_id)``: ``Classrooms.rule_for`` (helper checks)."""
        self.rule_for = rule_for

    def check_edit(
        self,
        conn: Any,
        score_id: str,
        author_id: int,
        role: str | None,
        ops: list[dict[str, Any]],
        origin: str,
        head: Doc,
    ) -> None:
        """Refuse (``forbidden``) an edit a classroom rule forbids; ``conn``: the edit's
        open transaction, ``head``: the document it applies to (left unchanged).

        An owner's edit reads nothing: a copy's owners are its class's teachers (or whom
        they made owners), never its students, so the common case of people editing their
        own scores costs no query."""
        if role == "owner":
            return
        rule = edit_rule(conn, score_id, author_id)
        if rule is None or rule["teacher"]:
            return
        if rule["state"] == "turned_in":
            raise AuthError("forbidden", TURNED_IN, reason="turned_in")
        if origin == "helper" and rule["helper"] == "forbid":
            raise AuthError("forbidden", NO_HELPER, reason="helper_forbidden")
        locked = set(rule["locked_ids"] or ())
        if locked and touches_locked(head, ops, locked):
            raise AuthError("forbidden", LOCKED, reason="locked")

    def helper_refusal(self, score_id: str, user_id: int) -> str | None:
        """Why the helper may not answer ``user_id`` here (``None``: the rules allow it)."""
        rule = self.rule_for(score_id, user_id)
        if rule is None or rule["teacher"] or rule["helper"] != "forbid":
            return None
        return NO_HELPER
