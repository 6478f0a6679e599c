"""Ops on the score's shape: measures, measure attributes (time, key, tempo), parts, metadata.

Inserting or removing measures first *pins* the attributes of the measure that
follows (makes them explicit), so no other measure changes length behind the
user's back; the inverse unpins them again.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ..durations import dur_value, measure_length, rest_durations
from ..errors import InvalidOp, MissingTarget
from ..form import FORM_FIELDS, form_problem
from ..limits import (
    MAX_BARS,
    MAX_MEASURES,
    MAX_PARTS,
    MAX_TITLE,
    attr_problem,
    size_problems,
    text_problem,
)
from ..model import (
    CLEFS,
    MEASURE_ATTRS,
    Doc,
    all_ids,
    copy_json,
    effective_attr,
    empty_bar,
    fresh_id,
    lengths,
    measure_index,
    rests,
    with_offsets,
)
from ..spanners import MAX_SPANNERS
from ._common import Op, check_id, element_id, field, part_of, require_unused, snapshot
from .bars import bar_ids, clean_bar
from .spanners import clean_spanner


def _check_attr(attr: str, value: Any) -> Any:
    if value is None:
        return None
    problem = attr_problem(attr, value)
    if problem is not None:
        raise InvalidOp(problem)
    return [value[0], value[1]] if attr == "time" else value


def _measure(doc: Doc, op: Op) -> tuple[int, dict[str, Any]]:
    measure_id = element_id(op, "measure")
    try:
        index = measure_index(doc, measure_id)
    except KeyError:
        raise MissingTarget(f"measure {measure_id} no longer exists") from None
    return index, doc["measures"][index]


def _refit(doc: Doc, measure: str, part: dict[str, Any], length: Fraction) -> None:
    """Cut or pad every voice of a bar to a new measure length."""
    bar = part["bars"][measure]
    taken = set(all_ids(doc))  # fillers must not collide with any ID in the score
    for voice, events in bar["voices"].items():
        kept = []
        for offset, event in with_offsets(events):
            if offset >= length:
                break
            if offset + dur_value(event["dur"]) > length:
                kept += rests(length - offset, f"{event['id']}.t", taken, offset)
                break
            kept.append(event)
        else:
            filled = sum((dur_value(e["dur"]) for e in kept), Fraction(0))
            kept += rests(length - filled, f"{measure}.{part['id']}.{voice}.p", taken, filled)
        bar["voices"][voice] = kept
    for kind in ("harmonies", "dynamics"):
        if kind in bar:
            bar[kind] = [x for x in bar[kind] if Fraction(x["offset"]) < length]
            if not bar[kind]:
                del bar[kind]


def _set_attr(doc: Doc, op: Op, attr: str) -> list[Op]:
    index, measure = _measure(doc, op)
    value = _check_attr(attr, op.get(attr))
    if value is None and index == 0:
        raise InvalidOp(f"set_{attr}: the first measure must keep a {attr}")
    old = measure.get(attr)
    before = lengths(doc)
    if value is None:
        measure.pop(attr, None)
    else:
        measure[attr] = value
    after = lengths(doc)
    changed = [mid for mid in after if after[mid] != before[mid]]
    saved = [(p["id"], mid, snapshot(p["bars"][mid])) for mid in changed for p in doc["parts"]]
    inverse_bars = snapshot(saved)
    try:
        for mid in changed:
            for part in doc["parts"]:
                _refit(doc, mid, part, after[mid])
    except ValueError as exc:
        # A remainder no rest can notate: put everything back before refusing.
        for part_id, mid, bar in saved:
            next(p for p in doc["parts"] if p["id"] == part_id)["bars"][mid] = bar
        if old is None:
            measure.pop(attr, None)
        else:
            measure[attr] = old
        raise InvalidOp(f"set_{attr}: the bars cannot be refitted: {exc}") from exc
    inverse: list[Op] = [{"op": f"set_{attr}", "measure": measure["id"], attr: old}]
    if inverse_bars:
        bars = [{"part": p, "measure": m, "bar": b} for p, m, b in inverse_bars]
        inverse.append({"op": "set_bars", "bars": bars})
    return inverse


def _check_form(spec: dict[str, Any], what: str) -> dict[str, Any]:
    """The form fields of a measure spec (barline, repeats, ending), checked."""
    out = {}
    for name in FORM_FIELDS:
        value = spec.get(name)
        if value is not None:
            problem = form_problem(name, value)
            if problem is not None:
                raise InvalidOp(f"{what}: {problem}")
            out[name] = snapshot(value)
    return out


def set_form(doc: Doc, op: Op) -> list[Op]:
    """Set or clear (``value`` null) one form field of a measure: barline, repeat, ending."""
    _, measure = _measure(doc, op)
    name = field(op, "field", str)
    value = op.get("value")
    if name not in FORM_FIELDS:
        raise InvalidOp(f"set_form: field must be one of {', '.join(FORM_FIELDS)}")
    if value is not None and (problem := form_problem(name, value)) is not None:
        raise InvalidOp(f"set_form: {problem}")
    old = measure.get(name)
    if value is None:
        measure.pop(name, None)
    else:
        measure[name] = snapshot(value)
    return [{"op": "set_form", "measure": measure["id"], "field": name, "value": old}]


def set_time(doc: Doc, op: Op) -> list[Op]:
    return _set_attr(doc, op, "time")


def set_key(doc: Doc, op: Op) -> list[Op]:
    return _set_attr(doc, op, "key")


def set_tempo(doc: Doc, op: Op) -> list[Op]:
    return _set_attr(doc, op, "tempo")


def _pin(doc: Doc, index: int) -> list[Op]:
    """Make measure ``index``'s inherited attributes explicit; returns the unpinning ops."""
    if index >= len(doc["measures"]):
        return []
    measure = doc["measures"][index]
    undo: list[Op] = []
    for attr in MEASURE_ATTRS:
        if attr not in measure:
            measure[attr] = snapshot(effective_attr(doc, index, attr))
            undo.append({"op": f"set_{attr}", "measure": measure["id"], attr: None})
    return undo


def insert_measures(doc: Doc, op: Op) -> list[Op]:
    at = field(op, "at", int)
    specs = field(op, "measures", list)
    if not 0 <= at <= len(doc["measures"]):
        raise InvalidOp(f"insert_measures: at must be 0..{len(doc['measures'])}")
    if not specs or len(doc["measures"]) + len(specs) > MAX_MEASURES:
        raise InvalidOp(f"insert_measures: 1 or more measures, at most {MAX_MEASURES} in a score")
    if (len(doc["measures"]) + len(specs)) * len(doc["parts"]) > MAX_BARS:
        raise InvalidOp(f"insert_measures: measures x parts may be at most {MAX_BARS}")
    ids = [check_id(s.get("id") if isinstance(s, dict) else None, "measure") for s in specs]
    taken = require_unused(doc, ids)
    for spec in specs:
        unknown = set(spec) - {"id", "bars", *MEASURE_ATTRS, *FORM_FIELDS}
        if unknown:
            raise InvalidOp(f"insert_measures: unknown fields {sorted(unknown)}")
        for attr in MEASURE_ATTRS:
            _check_attr(attr, spec.get(attr))
        _check_form(spec, "insert_measures")
    undo: list[Op] = []
    inserted: list[str] = []
    # The time in force just before each new measure, carried along: looking it up per
    # bar (a scan of the measures each) made a 1000-measure insert quadratic (seconds).
    time_before = effective_attr(doc, at - 1, "time") if at > 0 else None
    try:
        for k, spec in enumerate(specs):
            index = at + k
            undo = _pin(doc, index) + undo
            measure = {"id": spec["id"]}
            for attr in MEASURE_ATTRS:
                if spec.get(attr) is not None:
                    measure[attr] = _check_attr(attr, spec[attr])
                elif index == 0:
                    measure[attr] = snapshot(effective_attr(doc, 0, attr))
            measure.update(_check_form(spec, "insert_measures"))
            doc["measures"].insert(index, measure)
            inserted.append(measure["id"])
            time_before = measure.get("time", time_before)
            if time_before is None:  # at 0 with no time given: the old first's (pinned)
                time_before = effective_attr(doc, index, "time")
            # One filler per measure, copied into every part that gets no bar.
            filler = rest_durations(measure_length(time_before))
            bars = spec.get("bars") or {}
            for part in doc["parts"]:
                if part["id"] in bars:
                    bar = clean_bar(doc, measure["id"], bars[part["id"]])
                    # Checked against ``taken`` (the score's IDs plus those inserted so far):
                    # re-reading every ID of the score per bar made large inserts quadratic.
                    new_ids = bar_ids(bar)
                    if len(set(new_ids)) != len(new_ids):
                        raise InvalidOp("the same id is used twice in one op")
                    clash = [i for i in new_ids if i in taken]
                    if clash:
                        raise InvalidOp(f"id {clash[0]!r} is already used in this score")
                    taken.update(new_ids)
                else:
                    prefix = f"{measure['id']}.{part['id']}"
                    bar = {"voices": {"1": [
                        {"id": fresh_id(f"{prefix}.r{n}", taken), "dur": copy_json(dur),
                         "notes": []}
                        for n, dur in enumerate(filler)
                    ]}}  # fmt: skip
                part["bars"][measure["id"]] = bar
        problems = size_problems(doc)
        if problems:
            raise InvalidOp(f"insert_measures: {problems[0]}")
    except (InvalidOp, TypeError, ValueError, KeyError, AttributeError) as exc:
        _undo_insert(doc, inserted, undo)
        if isinstance(exc, InvalidOp):
            raise
        raise InvalidOp(f"insert_measures: malformed measure: {exc!r}") from exc
    return [{"op": "remove_measures", "ids": inserted}, *undo]


def _undo_insert(doc: Doc, inserted: list[str], undo: list[Op]) -> None:
    from . import apply_op  # late import: the registry imports this module

    doc["measures"] = [m for m in doc["measures"] if m["id"] not in inserted]
    for part in doc["parts"]:
        for mid in inserted:
            part["bars"].pop(mid, None)
    for inverse_op in undo:
        apply_op(doc, inverse_op)


def remove_measures(doc: Doc, op: Op) -> list[Op]:
    ids = field(op, "ids", list)
    present = [m["id"] for m in doc["measures"] if m["id"] in ids]
    if not present:
        raise MissingTarget("remove_measures: none of the measures exist any more")
    if len(present) >= len(doc["measures"]):
        raise InvalidOp("remove_measures: a score keeps at least one measure")
    inverse: list[Op] = []
    for measure_id in present:
        index = measure_index(doc, measure_id)
        unpin = _pin(doc, index + 1)
        measure = doc["measures"].pop(index)
        bars = {p["id"]: p["bars"].pop(measure_id) for p in doc["parts"]}
        restore = {"op": "insert_measures", "at": index, "measures": [dict(measure, bars=bars)]}
        inverse = [restore, *unpin, *inverse]
    return inverse


def _clean_part(doc: Doc, raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise InvalidOp("part must be an object")
    unknown = set(raw) - {"id", "name", "instrument", "clef", "transposition", "bars"}
    if unknown:
        raise InvalidOp(f"part: unknown fields {sorted(unknown)}")
    part: dict[str, Any] = {"id": check_id(raw.get("id"), "part")}
    part.update(_part_props(raw, defaults=True))
    bars = raw.get("bars") or {}
    taken = require_unused(doc, [part["id"]])
    part["bars"] = {}
    for m in doc["measures"]:
        if m["id"] in bars:
            bar = clean_bar(doc, m["id"], bars[m["id"]])
            # The part is not in the document yet: check against everything taken so far.
            new_ids = bar_ids(bar)
            clash = [i for i in new_ids if i in taken]
            if clash or len(set(new_ids)) != len(new_ids):
                raise InvalidOp(f"part: id {(clash or new_ids)[0]!r} is used twice")
            taken.update(new_ids)
        else:
            bar = empty_bar(doc, m["id"], f"{m['id']}.{part['id']}", taken)
        part["bars"][m["id"]] = bar
    return part


def _part_props(raw: dict[str, Any], *, defaults: bool) -> dict[str, Any]:
    props: dict[str, Any] = {}
    fallback = {"name": "Part", "instrument": "piano", "clef": "treble", "transposition": 0}
    for key, default in fallback.items():
        if key not in raw:
            if defaults:
                props[key] = default
            continue
        value = raw[key]
        if key in ("name", "instrument"):
            problem = text_problem(value, f"part {key}", 64)
            if problem is not None:
                raise InvalidOp(problem)
        if key == "clef" and value not in CLEFS:
            raise InvalidOp(f"part clef must be one of {CLEFS}")
        if key == "transposition" and (
            not isinstance(value, int) or isinstance(value, bool) or abs(value) > 36
        ):
            raise InvalidOp("part transposition must be semitones -36..36")
        props[key] = value
    return props


def add_part(doc: Doc, op: Op) -> list[Op]:
    if len(doc["parts"]) >= MAX_PARTS:
        raise InvalidOp(f"add_part: at most {MAX_PARTS} parts")
    if len(doc["measures"]) * (len(doc["parts"]) + 1) > MAX_BARS:
        raise InvalidOp(f"add_part: measures x parts may be at most {MAX_BARS}")
    at = op.get("at", len(doc["parts"]))
    if not isinstance(at, int) or isinstance(at, bool) or not 0 <= at <= len(doc["parts"]):
        raise InvalidOp(f"add_part: at must be 0..{len(doc['parts'])}")
    part = _clean_part(doc, op.get("part"))
    doc["parts"].insert(at, part)
    problems = size_problems(doc)
    if problems:
        doc["parts"].remove(part)
        raise InvalidOp(f"add_part: {problems[0]}")
    return [{"op": "remove_part", "part": part["id"]}]


def remove_part(doc: Doc, op: Op) -> list[Op]:
    part = part_of(doc, op)
    if len(doc["parts"]) == 1:
        raise InvalidOp("remove_part: a score keeps at least one part")
    at = doc["parts"].index(part)
    doc["parts"].pop(at)
    return [{"op": "add_part", "at": at, "part": snapshot(part)}]


def set_part(doc: Doc, op: Op) -> list[Op]:
    part = part_of(doc, op)
    props = _part_props({k: v for k, v in op.items() if k not in ("op", "part")}, defaults=False)
    inverse: Op = {"op": "set_part", "part": part["id"]}
    inverse.update({k: part[k] for k in props})
    part.update(props)
    return [inverse]


def set_meta(doc: Doc, op: Op) -> list[Op]:
    inverse: Op = {"op": "set_meta"}
    changes = {}
    for key in ("title", "composer"):
        if key in op:
            value = op[key]
            problem = text_problem(value, f"set_meta: {key}", MAX_TITLE)
            if problem is not None:
                raise InvalidOp(problem)
            changes[key] = value
    if not changes:
        raise InvalidOp("set_meta: give a title or a composer")
    for key, value in changes.items():
        inverse[key] = doc.get(key, "")
        doc[key] = value
    return [inverse]


HANDLERS = {
    "set_time": set_time,
    "set_key": set_key,
    "set_tempo": set_tempo,
    "insert_measures": insert_measures,
    "remove_measures": remove_measures,
    "add_part": add_part,
    "remove_part": remove_part,
    "set_part": set_part,
    "set_meta": set_meta,
    "set_form": set_form,
}


def clean_document(raw: Any) -> Doc:
    """A whole document validated and put in canonical form (for imports and restores)."""
    if not isinstance(raw, dict):
        raise InvalidOp("a document must be an object")
    measures = raw.get("measures")
    parts = raw.get("parts")
    if not isinstance(measures, list) or not measures or len(measures) > MAX_MEASURES:
        raise InvalidOp(f"a document needs 1..{MAX_MEASURES} measures")
    if not isinstance(parts, list) or not parts or len(parts) > MAX_PARTS:
        raise InvalidOp(f"a document needs 1..{MAX_PARTS} parts")
    if len(measures) * len(parts) > MAX_BARS:
        raise InvalidOp(f"a document may have at most {MAX_BARS} bars (measures x parts)")
    doc: Doc = {"title": "", "composer": "", "measures": [], "parts": []}
    for key in ("title", "composer"):
        value = raw.get(key, "")
        problem = text_problem(value, f"document {key}", MAX_TITLE)
        if problem is not None:
            raise InvalidOp(problem)
        doc[key] = value
    for i, spec in enumerate(measures):
        if not isinstance(spec, dict):
            raise InvalidOp("measures must be objects")
        measure: dict[str, Any] = {"id": check_id(spec.get("id"), "measure")}
        for attr in MEASURE_ATTRS:
            value = _check_attr(attr, spec.get(attr))
            if value is not None:
                measure[attr] = value
            elif i == 0:
                raise InvalidOp(f"the first measure needs a {attr}")
        measure.update(_check_form(spec, "document"))
        doc["measures"].append(measure)
    require_unused(doc, [])  # measure ids unique
    ids = [m["id"] for m in doc["measures"]]
    if len(set(ids)) != len(ids):
        raise InvalidOp("two measures share an id")
    for spec in parts:
        if not isinstance(spec, dict):
            raise InvalidOp("parts must be objects")
        bars = spec.get("bars")
        if not isinstance(bars, dict) or set(bars) != set(ids):
            raise InvalidOp(f"part {spec.get('id')!r} needs exactly one bar per measure")
        doc["parts"].append(_clean_part(doc, spec))
    problems = size_problems(doc)
    if problems:
        raise InvalidOp(problems[0])
    _clean_spanners(doc, raw.get("spanners"))
    return doc


def _clean_spanners(doc: Doc, raw: Any) -> None:
    """The document's spanners, each checked as ``set_spanner`` checks it."""
    if raw is None or raw == []:
        return
    if not isinstance(raw, list) or len(raw) > MAX_SPANNERS:
        raise InvalidOp(f"spanners must be a list of at most {MAX_SPANNERS}")
    try:
        cleaned = [clean_spanner(doc, sp, what="document") for sp in raw]
    except MissingTarget as exc:  # in a whole document, a missing end is simply wrong
        raise InvalidOp(exc.message) from None
    taken = set(all_ids(doc))
    ids = [sp["id"] for sp in cleaned]
    if len(set(ids)) != len(ids) or taken & set(ids):
        raise InvalidOp("document: spanner ids must be unique in the score")
    doc["spanners"] = sorted(cleaned, key=lambda sp: str(sp["id"]))


def replace_document(doc: Doc, op: Op) -> list[Op]:
    """Swap in a whole document (an import, or a restore to an earlier version)."""
    new = clean_document(op.get("doc"))
    old = snapshot(doc)
    doc.clear()
    doc.update(new)
    return [{"op": "replace_document", "doc": old}]


HANDLERS["replace_document"] = replace_document
