"""Where a comment points and how that follows the score as it is edited.

An anchor names stable IDs, never positions, so it follows the score by itself:

- ``{"kind": "event", "event", "note"?}``: a note or chord (``note``: one note of a
  chord). It follows its event wherever edits move it and whatever its pitch becomes.
- ``{"kind": "measures", "first", "last", "part"?}``: a measure range (all parts, or one).
  Stored as the list of its measure IDs (``measures``), so measures inserted or removed
  before it shift its numbers, not its measures; it shrinks to the measures still there.
- ``{"kind": "part", "part"}``: a whole part.

``bind`` checks a requested anchor against the document a comment is written on and
returns what is stored (with ``was``: where it pointed then, for showing a detached one).
``locate`` reads a stored anchor against any later document: ``attached`` with the
current measure numbers, or ``detached`` when its target is gone (the note deleted, every
measure of the range removed, the part removed). A detached comment is kept and shown as
such; an edit that brings its target back (an undo) attaches it again.

Pure: imports only ``server.score`` and ``server.errors``. Mirrored in
``static/js/comments/anchors.js``.
"""

from __future__ import annotations

from typing import Any

from ..errors import TuttiError
from ..score.limits import MAX_MEASURES
from ..score.model import Doc, find_event, find_part
from ..score.ops._common import ID_PATTERN

KINDS = ("event", "measures", "part")
Anchor = dict[str, Any]


class AnchorError(TuttiError):
    """A malformed anchor (``bad_request``) or one naming nothing (``anchor_not_found``)."""


def _id(raw: dict[str, Any], name: str, *, optional: bool = False) -> str | None:
    value = raw.get(name)
    if value is None and optional:
        return None
    if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
        raise AnchorError("bad_request", f"anchor.{name} must be an element id")
    return value


def parse_anchor(raw: Any) -> Anchor:
    """A requested anchor in canonical form (only its own fields); shape only."""
    if not isinstance(raw, dict):
        raise AnchorError("bad_request", "anchor must be an object with a kind")
    kind = raw.get("kind")
    if kind == "event":
        anchor: Anchor = {"kind": kind, "event": _id(raw, "event")}
        note = _id(raw, "note", optional=True)
        if note is not None:
            anchor["note"] = note
        return anchor
    if kind == "measures":
        first = _id(raw, "first")
        anchor = {"kind": kind, "first": first, "last": _id(raw, "last", optional=True) or first}
        part = _id(raw, "part", optional=True)
        if part is not None:
            anchor["part"] = part
        return anchor
    if kind == "part":
        return {"kind": kind, "part": _id(raw, "part")}
    raise AnchorError("bad_request", f"anchor.kind must be one of {', '.join(KINDS)}")


def _missing(what: str) -> AnchorError:
    return AnchorError("anchor_not_found", f"the score has no {what}")


def bind(raw: Any, doc: Doc) -> Anchor:
    """The anchor to store for a comment written on ``doc``; refuses targets not in it."""
    requested = anchor = parse_anchor(raw)
    if anchor["kind"] == "event":
        found = find_event(doc, anchor["event"])
        if found is None:
            raise _missing(f"event {anchor['event']}")
        event = found[4]
        if not event["notes"]:
            raise AnchorError("bad_request", "comment on a note or chord, or on its measure")
        if "note" in anchor and all(n["id"] != anchor["note"] for n in event["notes"]):
            raise _missing(f"note {anchor['note']} in event {anchor['event']}")
    elif anchor["kind"] == "measures":
        order = [m["id"] for m in doc["measures"]]
        if anchor["first"] not in order or anchor["last"] not in order:
            raise _missing("such measure")
        first, last = sorted((order.index(anchor["first"]), order.index(anchor["last"])))
        if last - first >= MAX_MEASURES:
            raise AnchorError("bad_request", f"a range spans at most {MAX_MEASURES} measures")
        anchor = {"kind": "measures", "measures": order[first : last + 1]}
        if "part" in requested:
            anchor["part"] = requested["part"]
            if find_part(doc, anchor["part"]) is None:
                raise _missing(f"part {anchor['part']}")
    elif find_part(doc, anchor["part"]) is None:
        raise _missing(f"part {anchor['part']}")
    location = locate(anchor, doc)
    anchor["was"] = {k: location[k] for k in ("part", "first", "last") if k in location}
    return anchor


def locate(anchor: Anchor, doc: Doc) -> dict[str, Any]:
    """Where a stored anchor points in ``doc``.

    ``{"state": "attached", "part"?, "measure"?, "first", "last", "event"?, "note"?}``
    (``first``/``last``: 1-based measure numbers; ``measure``: the first measure's ID), or
    ``{"state": "detached"}`` when the target is gone.
    """
    return Locator(doc).locate(anchor)


class Locator:
    """Locates many anchors in one document: its measures, parts and events are indexed
    once, so listing a score's threads costs one walk of the score, not one per thread."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.order = {m["id"]: i for i, m in enumerate(doc["measures"])}
        self.parts = {p["id"]: p for p in doc["parts"]}
        self._events: dict[str, tuple[str, str, dict[str, Any]]] | None = None

    def _event(self, event_id: str) -> tuple[str, str, dict[str, Any]] | None:
        if self._events is None:  # built on the first event anchor only
            self._events = {
                event["id"]: (part["id"], measure, event)
                for part in self.doc["parts"]
                for measure, bar in part["bars"].items()
                for events in bar["voices"].values()
                for event in events
            }
        return self._events.get(event_id)

    def locate(self, anchor: Anchor) -> dict[str, Any]:
        """See ``locate``."""
        kind = anchor.get("kind")
        if kind == "event":
            found = self._event(anchor.get("event", ""))
            # A deleted note leaves a rest with the same ID: the note it was about is gone.
            if found is None or not found[2]["notes"]:
                return {"state": "detached"}
            part, measure, event = found
            note = anchor.get("note")
            if note is not None and all(n["id"] != note for n in event["notes"]):
                return {"state": "detached"}
            number = self.order[measure] + 1
            where = {"part": part, "measure": measure, "first": number, "last": number}
            return {"state": "attached", **where, "event": event["id"], **_note(anchor)}
        if kind == "measures":
            part_id = anchor.get("part")
            if part_id is not None and part_id not in self.parts:
                return {"state": "detached"}
            kept = sorted(self.order[m] for m in anchor.get("measures", []) if m in self.order)
            if not kept:
                return {"state": "detached"}
            first, last = kept[0], kept[-1]
            measure = self.doc["measures"][first]["id"]
            where = {"measure": measure, "first": first + 1, "last": last + 1}
            return {"state": "attached", **({"part": part_id} if part_id else {}), **where}
        if kind == "part":
            if anchor.get("part") not in self.parts:
                return {"state": "detached"}
            return {"state": "attached", "part": anchor["part"]}
        return {"state": "detached"}


def _note(anchor: Anchor) -> dict[str, Any]:
    return {"note": anchor["note"]} if "note" in anchor else {}
