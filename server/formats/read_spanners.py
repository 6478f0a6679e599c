"""Reading a file's spanners: slurs, hairpins, ottava lines and pedal marks become the
document's ``spanners`` on the events their notes became; every other spanner, and any
one that cannot be anchored, is reported by kind.

May import music21; must not import verovio.
"""

# music21 is only partly annotated; calling its unannotated functions is expected here.
# mypy: disallow-untyped-calls=False

from __future__ import annotations

from typing import Any

from music21 import dynamics, expressions, layout, spanner, stream

from ..score.model import Doc
from ..score.spanners import MAX_SPANNERS, order_problem, places
from .read_measure import spaced_name
from .report import Report

UNSUPPORTED: dict[str, str] = {}
UNANCHORED = "{kind} on grace notes or dropped notes could not be kept"
ACROSS = "{kind} joining two staves were dropped"
UNENDED = "{kind} with no end of their own (one note only) were dropped"
TOO_MANY = f"spanners beyond the {MAX_SPANNERS}th were dropped"
OTTAVAS = {"8va", "8vb", "15ma", "15mb"}


def kind_of(sp: spanner.Spanner) -> str | None:
    """Our spanner kind for a music21 spanner, or None if we do not hold it."""
    if isinstance(sp, spanner.Slur):
        return "slur"
    if isinstance(sp, dynamics.Crescendo):
        return "crescendo"
    if isinstance(sp, dynamics.Diminuendo):
        return "diminuendo"
    if isinstance(sp, spanner.Ottava) and sp.type in OTTAVAS:
        return str(sp.type)
    if isinstance(sp, expressions.PedalMark):
        return "pedal"
    return None


NAMES = {"slur": "slurs", "crescendo": "hairpins", "diminuendo": "hairpins", "pedal": "pedal marks"}


def read_spanners(
    parts: list[stream.Part],
    anchors: dict[int, tuple[str, str]],
    doc: Doc,
    seen: dict[int, int],
    report: Report,
) -> None:
    """Put the spanners of ``parts`` into ``doc``. ``anchors`` maps a music21 note's id to
    the first and last events it became (a note split over a barline becomes several)."""
    out: list[dict[str, Any]] = []
    where = places(doc)
    done: set[int] = set()
    for p in parts:
        for sp in p.spannerBundle:
            # Staff groups are the layout; endings (RepeatBracket) are read with the measures.
            skip = (layout.StaffGroup, spanner.MultiMeasureRest, spanner.RepeatBracket)
            if id(sp) in done or isinstance(sp, skip):
                continue
            done.add(id(sp))  # a spanner across staves is in both parts' bundles
            first, last = sp.getFirst(), sp.getLast()
            measure = seen.get(id(first)) if first is not None else None
            kind = kind_of(sp)
            name = type(sp).__name__
            if kind is None:
                spaced = spaced_name(name)
                lines = f"{spaced}s" if spaced.endswith("line") else f"{spaced} lines"
                message = UNSUPPORTED.get(name, f"{lines} are not supported yet and were dropped")
                report.add(message, measure)
                continue
            label = NAMES.get(kind, "8va/8vb lines")
            start = anchors.get(id(first)) if first is not None else None
            end = anchors.get(id(last)) if last is not None else None
            if start is None or end is None:
                report.add(UNANCHORED.format(kind=label), measure)
                continue
            a, b = where[start[0]], where[end[1]]
            if a[0] == b[0] and (a[3], a[4]) > (b[3], b[4]):
                # Written stop-before-start (Finale's octave shifts): the span is the same.
                start, end = end, start
                a, b = where[start[0]], where[end[1]]
            if a[0] != b[0]:
                report.add(ACROSS.format(kind=label), measure)
                continue
            if start[0] == end[1] and kind != "slur":
                # A line over one note lasts that note: it ends on the next event.
                following = _next_event(doc, where, a)
                if following is not None:
                    end, b = (end[0], following), where[following]
            if order_problem(kind, a, b) is not None:
                report.add(UNENDED.format(kind=label), measure)
                continue
            if len(out) >= MAX_SPANNERS:
                report.add(TOO_MANY, measure)
                continue
            out.append({"id": f"sp{len(out)}", "kind": kind, "start": start[0], "end": end[1]})
    if out:
        doc["spanners"] = sorted(out, key=lambda s: s["id"])


def _next_event(doc: Doc, where: dict[str, Any], at: Any) -> str | None:
    """The event after the one at ``at`` (a place) in its part and voice, or None."""
    part_id, voice, _, index, offset = at
    best: tuple[Any, str] | None = None
    for event_id, place in where.items():
        if place[0] == part_id and place[1] == voice and (place[3], place[4]) > (index, offset):
            if best is None or (place[3], place[4]) < best[0]:
                best = ((place[3], place[4]), event_id)
    return None if best is None else best[1]
