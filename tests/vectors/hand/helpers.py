"""Builders for hand-written vector cases: documents, notes, events, write ops, bars."""

from __future__ import annotations

from typing import Any

from server.score import new_document

Case = tuple[str, dict[str, Any], list[list[dict[str, Any]]]]


def doc(parts: int = 1, measures: int = 2, time: list[int] | None = None) -> dict[str, Any]:
    specs = [{"name": "Soprano"}, {"name": "Bass", "clef": "bass"}, {"name": "Alto"}]
    return new_document(parts=specs[:parts], measures=measures, time=time or [4, 4])


def note(nid: str, step: str, octave: int, alter: int = 0, tie: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"id": nid, "step": step, "alter": alter, "octave": octave}
    if tie:
        out["tie"] = True
    return out


def ev(eid: str, kind: int, *notes: dict[str, Any], **dur: Any) -> dict[str, Any]:
    """An event; ``dur`` takes ``dots`` and ``tuplet``; ``lyrics`` and ``marks`` go on the event."""
    lyrics = dur.pop("lyrics", None)
    marks = dur.pop("marks", None)
    out: dict[str, Any] = {"id": eid, "dur": {"type": kind, **dur}, "notes": list(notes)}
    if lyrics:
        out["lyrics"] = lyrics
    if marks is not None:
        out["marks"] = marks
    return out


def we(
    event: dict[str, Any],
    offset: Any = "0",
    measure: str = "m1",
    part: str = "p1",
    voice: Any = "1",
) -> dict[str, Any]:
    return {
        "op": "write_event",
        "part": part,
        "measure": measure,
        "voice": voice,
        "offset": offset,
        "event": event,
    }


def c4(
    eid: str, kind: int = 4, offset: Any = "0", measure: str = "m1", **dur: Any
) -> dict[str, Any]:
    """Write a C4 (note id ``n<eid>``) of the given value."""
    return we(ev(eid, kind, note(f"n{eid}", "C", 4), **dur), offset, measure)


def quarters(measure: str = "m1", prefix: str = "q") -> list[dict[str, Any]]:
    steps = "CDEF"
    return [
        we(ev(f"{prefix}{i}", 4, note(f"n{prefix}{i}", steps[i], 4)), f"{i}/4", measure)
        for i in range(4)
    ]


def bar(*events: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"voices": {"1": list(events)}, **extra}
