"""Ops on a part's bar as a whole and on what sits at a beat: chord symbols, dynamics, clefs."""

from __future__ import annotations

from typing import Any

from ..durations import format_fraction, parse_fraction
from ..errors import InvalidOp
from ..model import CLEFS, Doc, length_of, voice_length
from ._common import (
    Op,
    bar_of,
    check_id,
    check_voice_size,
    clean_event,
    event_ids,
    field,
    fraction,
    require_unused,
    snapshot,
)

DYNAMICS = ("ppp", "pp", "p", "mp", "mf", "f", "ff", "fff", "sf", "sfz", "fp", "rfz")
MAX_SYMBOL = 32


def clean_bar(doc: Doc, measure: str, raw: Any) -> dict[str, Any]:
    """A validated bar in canonical form, its voices filling ``measure`` exactly."""
    if not isinstance(raw, dict) or not isinstance(raw.get("voices"), dict):
        raise InvalidOp("bar must be an object with voices")
    unknown = set(raw) - {"voices", "harmonies", "dynamics", "clef"}
    if unknown:
        raise InvalidOp(f"bar: unknown fields {sorted(unknown)}")
    length = length_of(doc, measure)
    voices = {}
    for voice, events in raw["voices"].items():
        if voice not in ("1", "2", "3", "4") or not isinstance(events, list):
            raise InvalidOp(f"bar: bad voice {voice!r}")
        voices[voice] = check_voice_size([clean_event(e) for e in events], "bar")
        if voice_length(voices[voice]) != length:
            raise InvalidOp(f"bar: voice {voice} does not fill measure {measure} exactly")
    if "1" not in voices:
        raise InvalidOp("bar: voice 1 is required")
    bar: dict[str, Any] = {"voices": voices}
    for kind, value_key in (("harmonies", "symbol"), ("dynamics", "mark")):
        items = []
        for item in raw.get(kind) or []:
            if not isinstance(item, dict):
                raise InvalidOp(f"bar: {kind} must hold objects")
            offset = fraction(item, "offset")
            if offset >= length:
                raise InvalidOp(f"bar: a {kind[:-1]} lies beyond the end of measure {measure}")
            value = item.get(value_key)
            if not isinstance(value, str) or not value:
                raise InvalidOp(f"bar: {kind[:-1]} needs a {value_key}")
            items.append(
                {
                    "id": check_id(item.get("id"), kind[:-1]),
                    "offset": format_fraction(offset),
                    value_key: value,
                }
            )
        items.sort(key=lambda x: parse_fraction(x["offset"]))
        if len({x["offset"] for x in items}) != len(items):
            raise InvalidOp(f"bar: two {kind} at one offset")
        if items:
            bar[kind] = items
    if raw.get("clef") is not None:
        if raw["clef"] not in CLEFS:
            raise InvalidOp(f"bar: clef must be one of {CLEFS}")
        bar["clef"] = raw["clef"]
    return bar


def bar_ids(bar: dict[str, Any]) -> list[str]:
    ids = [i for events in bar["voices"].values() for i in event_ids(events)]
    ids += [x["id"] for kind in ("harmonies", "dynamics") for x in bar.get(kind, [])]
    return ids


def set_bar(doc: Doc, op: Op) -> list[Op]:
    part, measure, bar = bar_of(doc, op)
    new = clean_bar(doc, measure, op.get("bar"))
    require_unused(doc, bar_ids(new), except_ids=set(bar_ids(bar)))
    part["bars"][measure] = new
    return [{"op": "set_bar", "part": part["id"], "measure": measure, "bar": snapshot(bar)}]


def set_bars(doc: Doc, op: Op) -> list[Op]:
    """Replace several bars at once (the undo of a time change that refitted them).

    IDs are checked against the document minus *all* the replaced bars, so bars
    that swap IDs between them are restored together without a transient clash.
    """

    items = field(op, "bars", list)
    targets = []
    for item in items:
        if not isinstance(item, dict):
            raise InvalidOp("set_bars: bars must hold {part, measure, bar} objects")
        targets.append(bar_of(doc, dict(item, op="set_bars")))
    if len({(p["id"], m) for p, m, _ in targets}) != len(targets):
        raise InvalidOp("set_bars: the same bar is given twice")
    new_bars = [
        clean_bar(doc, m, item.get("bar")) for (_, m, _), item in zip(targets, items, strict=True)
    ]
    old_ids = {i for _, _, bar in targets for i in bar_ids(bar)}
    require_unused(doc, [i for bar in new_bars for i in bar_ids(bar)], except_ids=old_ids)
    inverse_items = []
    for (part, measure, bar), new in zip(targets, new_bars, strict=True):
        inverse_items.append({"part": part["id"], "measure": measure, "bar": snapshot(bar)})
        part["bars"][measure] = new
    return [{"op": "set_bars", "bars": inverse_items}]


def _set_at_offset(doc: Doc, op: Op, kind: str, value_key: str, value: Any) -> list[Op]:
    """Put, change or clear (``value`` None) the item of ``kind`` at an offset."""
    part, measure, bar = bar_of(doc, op)
    offset = fraction(op, "offset")
    if offset >= length_of(doc, measure):
        raise InvalidOp(f"{op['op']}: offset lies beyond the end of measure {measure}")
    key = format_fraction(offset)
    items = bar.get(kind, [])
    current = next((x for x in items if x["offset"] == key), None)
    inverse: Op = {"op": op["op"], "part": part["id"], "measure": measure, "offset": key}
    inverse[value_key] = current[value_key] if current else None
    if current is not None:
        inverse["id"] = current["id"]
    if value is None:
        if current is not None:
            items.remove(current)
    elif current is not None:
        current[value_key] = value
    else:
        item_id = check_id(op.get("id"), kind[:-1])
        require_unused(doc, [item_id])
        items.append({"id": item_id, "offset": key, value_key: value})
        items.sort(key=lambda x: parse_fraction(x["offset"]))
        bar[kind] = items
    if not items:
        bar.pop(kind, None)
    return [inverse]


def set_chord_symbol(doc: Doc, op: Op) -> list[Op]:
    symbol = field(op, "symbol", str, optional=True)
    if symbol is not None and not 0 < len(symbol.strip()) <= MAX_SYMBOL:
        raise InvalidOp(f"set_chord_symbol: a symbol has 1..{MAX_SYMBOL} characters")
    return _set_at_offset(doc, op, "harmonies", "symbol", symbol.strip() if symbol else None)


def set_dynamic(doc: Doc, op: Op) -> list[Op]:
    mark = field(op, "mark", str, optional=True)
    if mark is not None and mark not in DYNAMICS:
        raise InvalidOp(f"set_dynamic: mark must be one of {DYNAMICS}")
    return _set_at_offset(doc, op, "dynamics", "mark", mark)


def set_clef(doc: Doc, op: Op) -> list[Op]:
    """A clef change at the start of one bar of one part (``null`` removes it)."""
    part, measure, bar = bar_of(doc, op)
    clef = field(op, "clef", str, optional=True)
    if clef is not None and clef not in CLEFS:
        raise InvalidOp(f"set_clef: clef must be one of {CLEFS}")
    old = bar.get("clef")
    if clef is None:
        bar.pop("clef", None)
    else:
        bar["clef"] = clef
    return [{"op": "set_clef", "part": part["id"], "measure": measure, "clef": old}]


HANDLERS = {
    "set_bar": set_bar,
    "set_bars": set_bars,
    "set_chord_symbol": set_chord_symbol,
    "set_dynamic": set_dynamic,
    "set_clef": set_clef,
}
