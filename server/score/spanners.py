"""Spanners: slurs, hairpins, ottava lines and pedal marks, anchored on event IDs.

A spanner is ``{"id", "kind", "start", "end"}`` in the document's ``spanners`` list
(sorted by id, absent when empty). ``start`` and ``end`` are events of one part, the start
before the end. Because it holds IDs, a spanner
survives edits around and inside it. When an edit removes an end, the spanner *shrinks*:
the lost end moves to the nearest event of the same part and voice still inside the
spanner (the note typed over the old end, when there is one); when nothing is left to
hold it, or both ends go, it is removed. It never dangles. ``repair`` does this after
every op and returns the ops that put the spanners back, so inverses stay exact.

Pure: no Flask, SQL or music21.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from .durations import dur_value

SPANNER_KINDS = ("slur", "crescendo", "diminuendo", "8va", "8vb", "15ma", "15mb", "pedal")
MAX_SPANNERS = 4096

Doc = dict[str, Any]
Spanner = dict[str, Any]
# Where an event is: part id, voice, measure id, measure index, offset in the bar.
Place = tuple[str, str, str, int, Fraction]


def places(doc: Doc, wanted: set[str] | None = None) -> dict[str, Place]:
    """Where each event is (only those in ``wanted``, when given): one pass over the score."""
    out: dict[str, Place] = {}
    for part in doc["parts"]:
        for index, measure in enumerate(doc["measures"]):
            bar = part["bars"].get(measure["id"])
            if bar is None:
                continue
            for voice, events in bar["voices"].items():
                offset = Fraction(0)
                for event in events:
                    if wanted is None or event["id"] in wanted:
                        out[event["id"]] = (part["id"], voice, measure["id"], index, offset)
                    offset += dur_value(event["dur"])
    return out


def ends(doc: Doc) -> set[str]:
    return {sp[k] for sp in doc.get("spanners", ()) for k in ("start", "end")}


def order_problem(kind: str, start: Place, end: Place) -> str | None:
    """Why ``start`` .. ``end`` cannot hold a spanner of ``kind``, or None."""
    if start[0] != end[0]:
        return "a spanner starts and ends in one part"
    if (start[3], start[4]) > (end[3], end[4]):
        return "a spanner cannot end before it starts"
    if (start[3], start[4]) == (end[3], end[4]):
        # Also for hairpins and lines: MusicXML cannot keep one that starts and ends at once.
        return f"a {'slur' if kind == 'slur' else 'spanner'} joins two notes at different times"
    return None


def shape_problem(raw: Any) -> str | None:
    """Why ``raw`` is not a spanner object (ids are checked by the ops), or None."""
    if not isinstance(raw, dict):
        return "a spanner must be an object"
    unknown = set(raw) - {"id", "kind", "start", "end"}
    if unknown:
        return f"spanner: unknown fields {sorted(unknown)}"
    if raw.get("kind") not in SPANNER_KINDS:
        return f"spanner kind must be one of {', '.join(SPANNER_KINDS)}"
    return None


def problems(doc: Doc) -> list[str]:
    """The invariants of the spanners list (for ``check_invariants``)."""
    spanners = doc.get("spanners")
    if spanners is None:
        return []
    if not isinstance(spanners, list) or not spanners:
        return ["spanners must be a non-empty list"]
    out = []
    if [sp.get("id") for sp in spanners] != sorted(str(sp.get("id")) for sp in spanners):
        out.append("spanners are not sorted by id")
    if len(spanners) > MAX_SPANNERS:
        out.append(f"a score holds at most {MAX_SPANNERS} spanners")
    where = places(doc, ends(doc))
    for sp in spanners:
        problem = shape_problem(sp)
        if problem is None:
            start, end = where.get(sp["start"]), where.get(sp["end"])
            if start is None or end is None:
                problem = "an end is not an event of the score"
            else:
                problem = order_problem(sp["kind"], start, end)
        if problem is not None:
            out.append(f"spanner {sp.get('id')}: {problem}")
    return out


def put(doc: Doc, spanner: Spanner) -> None:
    """Insert or replace ``spanner`` (by id), keeping the list sorted."""
    kept = [sp for sp in doc.get("spanners", ()) if sp["id"] != spanner["id"]]
    doc["spanners"] = sorted([*kept, spanner], key=lambda sp: str(sp["id"]))


def drop(doc: Doc, spanner_id: str) -> Spanner | None:
    """Remove a spanner; returns it (or None if there was none)."""
    spanners = doc.get("spanners", [])
    found = next((sp for sp in spanners if sp["id"] == spanner_id), None)
    if found is not None:
        spanners.remove(found)
        if not spanners:
            del doc["spanners"]
    return found


def before_op(doc: Doc) -> tuple[dict[str, Place], list[str]] | None:
    """What ``repair`` needs to know from before an op: where the ends were, measure order."""
    if not doc.get("spanners"):
        return None
    return places(doc, ends(doc)), [m["id"] for m in doc["measures"]]


def repair(doc: Doc, before: tuple[dict[str, Place], list[str]] | None) -> list[dict[str, Any]]:
    """Shrink or remove the spanners an op broke; returns the ops restoring them."""
    if before is None or not doc.get("spanners"):
        return []
    was, old_order = before
    now = places(doc, ends(doc))
    index_now = {m["id"]: i for i, m in enumerate(doc["measures"])}
    undo: list[dict[str, Any]] = []
    for sp in list(doc["spanners"]):
        start, end = now.get(sp["start"]), now.get(sp["end"])
        if start is not None and end is not None and order_problem(sp["kind"], start, end) is None:
            continue
        fixed: Spanner | None = None
        if start is not None and end is None and sp["end"] in was:
            new_end = _nearest(doc, was[sp["end"]], old_order, index_now, start, sp["kind"], -1)
            fixed = None if new_end is None else dict(sp, end=new_end)
        elif end is not None and start is None and sp["start"] in was:
            new_start = _nearest(doc, was[sp["start"]], old_order, index_now, end, sp["kind"], 1)
            fixed = None if new_start is None else dict(sp, start=new_start)
        undo.append({"op": "set_spanner", "spanner": dict(sp)})
        if fixed is None:
            drop(doc, sp["id"])
        else:
            put(doc, fixed)
    return undo


def _nearest(
    doc: Doc,
    lost: Place,
    old_order: list[str],
    index_now: dict[str, int],
    other: Place,
    kind: str,
    direction: int,
) -> str | None:
    """The event replacing a lost end: in the lost end's part and voice, on its side of
    where it was (``direction`` -1: at or before it, for an end; 1: at or after, for a
    start) and still inside the spanner; the one nearest the lost end."""
    part_id, voice, measure_id, _, offset = lost
    # Where the lost end was, in today's measures: its own measure if it is still there,
    # else the nearest surviving one on the spanner's side (whole, so any offset counts).
    k = old_order.index(measure_id)
    steps = range(k, -1, -1) if direction < 0 else range(k, len(old_order))
    limit: tuple[int, Fraction | None] | None = None
    for j in steps:
        if old_order[j] in index_now:
            limit = (index_now[old_order[j]], offset if j == k else None)
            break
    if limit is None:
        return None
    limit_index, limit_offset = limit
    best: tuple[tuple[int, Fraction], str] | None = None
    for event_id, place in places(doc).items():
        if place[0] != part_id or place[1] != voice:
            continue
        at = (place[3], place[4])
        if limit_offset is None:
            inside_limit = at[0] <= limit_index if direction < 0 else at[0] >= limit_index
        else:
            bound = (limit_index, limit_offset)
            inside_limit = at <= bound if direction < 0 else at >= bound
        start, end = (other, place) if direction < 0 else (place, other)
        if not inside_limit or order_problem(kind, start, end) is not None:
            continue
        if best is None or (at > best[0] if direction < 0 else at < best[0]):
            best = (at, event_id)
    return None if best is None else best[1]
