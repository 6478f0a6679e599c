"""Human descriptions of edits ("Ana: C4 → D4, m. 12, Violin") and grouping into history entries.

A description needs the document *before* the edit for names and positions.
It never raises: an op it cannot name is described by its kind.
Pure: must not import Flask, SQL or Socket.IO.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from server.score import ScoreError, apply_edit, clone
from server.score.model import Doc

from .context import (
    Context,
    article,
    chord_name,
    dur_name,
    key_name,
    length_name,
    mark_text,
    pitch_name,
    spanner_text,
)
from .records import EditRecord, reverted_seqs

INTERVALS = {
    (0, 1): "a semitone",
    (1, 1): "a minor second",
    (1, 2): "a major second",
    (2, 3): "a minor third",
    (2, 4): "a major third",
    (3, 5): "a perfect fourth",
    (3, 6): "an augmented fourth",
    (4, 6): "a diminished fifth",
    (4, 7): "a perfect fifth",
    (5, 8): "a minor sixth",
    (5, 9): "a major sixth",
    (6, 10): "a minor seventh",
    (6, 11): "a major seventh",
    (7, 12): "an octave",
}

# A phrase is (text, verb): verb phrases follow the name ("Ana wrote ..."),
# others follow a colon ("Ana: C4 → D4, m. 12, Violin").
Phrase = tuple[str, bool]


def _write_event(op: dict[str, Any], c: Context) -> Phrase:
    event = op.get("event") or {}
    name = dur_name(event.get("dur") or {})
    notes = event.get("notes") or []
    voice = f" (voice {op.get('voice')})" if str(op.get("voice", "1")) != "1" else ""
    place = c.place(op.get("part"), op.get("measure")) + voice
    if not notes:
        return f"wrote {article(name)} {name} rest in {place}", True
    kind = "note" if len(notes) == 1 else "chord"
    return f"wrote {article(name)} {name} {kind} {chord_name(notes)} in {place}", True


def _set_notes(op: dict[str, Any], c: Context) -> Phrase:
    event = c.event(op.get("event"))
    place = c.place_of(op.get("event"))
    notes = op.get("notes") if op["op"] == "set_notes" else []
    if not notes:
        return f"deleted {c.event_text(event)} in {place}", True
    old = chord_name((event or {}).get("notes") or []) or "a rest"
    return f"{old} → {chord_name(notes)}, {place}", False


def _set_pitch(op: dict[str, Any], c: Context) -> Phrase:
    note = c.note(op.get("note"))
    new = pitch_name((op.get("step"), op.get("alter", 0), op.get("octave")))
    return f"{pitch_name(note) if note else 'a note'} → {new}, {c.place_of(op.get('note'))}", False


def _transpose(op: dict[str, Any], c: Context) -> Phrase:
    ids = [n for n in op.get("notes") or [] if isinstance(n, str)]
    d, s = op.get("diatonic", 0), op.get("chromatic", 0)
    way = "up" if (s, d) > (0, 0) else "down"
    interval = INTERVALS.get((abs(d), abs(s)), f"{abs(d)} steps ({abs(s)} semitones)")
    if len(ids) == 1:
        note = c.note(ids[0])
        what = pitch_name(note) if note else "a note"
    else:
        what = f"{len(ids)} notes"
    places = sorted({c.place_of(i) for i in ids})
    where = places[0] if len(places) == 1 else f"{len(places)} places"
    return f"transposed {what} {way} {interval} in {where}", True


def _note_op(op: dict[str, Any], c: Context) -> Phrase:
    note = c.note(op.get("note"))
    name = pitch_name(note) if note else "a note"
    place = c.place_of(op.get("note"))
    if op["op"] == "set_tie":
        return f"{'tied' if op.get('tie') else 'untied'} {name} in {place}", True
    return f"removed {name} from the chord in {place}", True


def _event_op(op: dict[str, Any], c: Context) -> Phrase:
    event = c.event(op.get("event"))
    place = c.place_of(op.get("event"))
    if op["op"] == "add_note":
        new = pitch_name(op.get("note") or {})
        return f"added {new} to {c.event_text(event)} in {place}", True
    if op["op"] == "set_duration":
        return f"made {c.event_text(event)} {length_name(op.get('dur') or {})} in {place}", True
    verse = op.get("verse", 1)
    label = "the lyric" if verse == 1 else f"the verse {verse} lyric"
    if op.get("text"):
        return f'set {label} "{op["text"]}" under {c.event_text(event)} in {place}', True
    return f"removed {label} under {c.event_text(event)} in {place}", True


def _set_mark(op: dict[str, Any], c: Context) -> Phrase:
    event = c.event(op.get("event"))
    place = c.place_of(op.get("event"))
    name = mark_text(op.get("mark"), op.get("value"))
    if op.get("value") is None:
        old = mark_text(op.get("mark"))
        return f"removed the {old} from {c.event_text(event)} in {place}", True
    return f"put {article(name)} {name} on {c.event_text(event)} in {place}", True


def _spanner_op(op: dict[str, Any], c: Context) -> Phrase:
    if op["op"] == "remove_spanner":
        old = next((s for s in c.doc.get("spanners", []) if s["id"] == op.get("id")), None)
        name = spanner_text(old["kind"]) if old else "a spanner"
        return f"removed the {name}" + (f" in {c.place_of(old['start'])}" if old else ""), True
    sp = op.get("spanner") or {}
    name = spanner_text(sp.get("kind"))
    start, end = c.event(sp.get("start")), c.event(sp.get("end"))
    span = f"from {c.event_text(start)} to {c.event_text(end)} in {c.place_of(sp.get('start'))}"
    if any(s["id"] == sp.get("id") for s in c.doc.get("spanners", [])):
        return f"moved the {name} to run {span}", True
    return f"added {article(name)} {name} {span}", True


def _bar_op(op: dict[str, Any], c: Context) -> Phrase:
    place = c.place(op.get("part"), op.get("measure"))
    name = op["op"]
    if name == "set_voice":
        if op.get("events") is None:
            return f"removed voice {op.get('voice')} from {place}", True
        return f"rewrote voice {op.get('voice', '1')} of {place}", True
    if name == "set_bar":
        return f"rewrote {place}", True
    if name == "set_clef":
        if op.get("clef") is None:
            return f"removed the clef change in {place}", True
        return f"set {article(op['clef'])} {op['clef']} clef in {place}", True
    what, field = ("chord symbol", "symbol") if name == "set_chord_symbol" else ("dynamic", "mark")
    at = f"{c.beat(op.get('measure'), op.get('offset'))} of {place}"
    if op.get(field) is None:
        return f"removed the {what} at {at}", True
    return f"wrote the {what} {op[field]} at {at}", True


def _set_bars(op: dict[str, Any], c: Context) -> Phrase:
    """Whole bars put back at once (the inverse of a time-signature refit, a restore)."""
    bars = [b for b in op.get("bars") or [] if isinstance(b, dict)]
    if len(bars) == 1:
        return f"rewrote {c.place(bars[0].get('part'), bars[0].get('measure'))}", True
    measures = sorted({c.measure(b.get("measure")) for b in bars})
    shown = ", ".join(measures[:4]) + (" …" if len(measures) > 4 else "")
    return f"rewrote {len(bars)} bars ({shown})", True


def _attr_op(op: dict[str, Any], c: Context) -> Phrase:
    attr = op["op"][4:]
    value = op.get(attr)
    where = c.measure(op.get("measure"))
    label = {"time": "time signature", "key": "key signature", "tempo": "tempo"}[attr]
    if value is None:
        return f"removed the {label} change at {where}", True
    if attr == "time" and isinstance(value, list) and len(value) == 2:
        shown = f"{value[0]}/{value[1]}"
    elif attr == "key":
        shown = key_name(value)
    elif attr == "tempo":
        shown = f"♩ = {value}"
    else:
        shown = str(value)
    return f"changed the {label} of {where} to {shown}", True


def _form_text(name: str, value: Any) -> str:
    if name == "barline":
        return f"a {value} barline"
    if name == "repeat_start":
        return "a start repeat"
    if name == "repeat_end":
        return "an end repeat" if value == 2 else f"an end repeat (played {value} times)"
    if name == "rehearsal":
        return f'the rehearsal mark "{value}"'
    return "ending " + ", ".join(f"{n}." for n in value)


def _form_op(op: dict[str, Any], c: Context) -> Phrase:
    where = c.measure(op.get("measure"))
    name = str(op.get("field"))
    if op.get("value") is None:
        label = {"barline": "barline style", "repeat_start": "start repeat",
                 "repeat_end": "end repeat", "ending": "ending",
                 "rehearsal": "rehearsal mark"}.get(name, str(name))  # fmt: skip
        return f"removed the {label} at {where}", True
    return f"put {_form_text(name, op['value'])} at {where}", True


def _measures_op(op: dict[str, Any], c: Context) -> Phrase:
    if op["op"] == "insert_measures":
        count = len(op.get("measures") or [])
        at = op.get("at", 0)
        noun = "a measure" if count == 1 else f"{count} measures"
        return f"inserted {noun} at m. {at + 1 if isinstance(at, int) else '?'}", True
    ids = op.get("ids") or []
    names = ", ".join(c.measure(m) for m in ids[:4]) + (" …" if len(ids) > 4 else "")
    return f"removed {names}", True


def _part_op(op: dict[str, Any], c: Context) -> Phrase:
    name = op["op"]
    if name == "add_part":
        raw = op.get("part") or {}
        return f'added the part "{raw.get("name", "Part")}"', True
    current = c.part(op.get("part"))
    if name == "remove_part":
        return f'removed the part "{current}"', True
    changes = [
        f'{k} to "{op[k]}"' for k in ("name", "instrument", "clef", "transposition") if k in op
    ]
    if list(op) == ["op", "part", "name"] or (changes and "name" in op and len(changes) == 1):
        return f'renamed the part "{current}" to "{op["name"]}"', True
    return f'changed the part "{current}": ' + ", ".join(changes), True


def _meta_op(op: dict[str, Any], c: Context) -> Phrase:
    parts = [f'the {k} to "{op[k]}"' for k in ("title", "composer") if k in op]
    return "changed " + " and ".join(parts), True


def _replace(op: dict[str, Any], c: Context) -> Phrase:
    title = (op.get("doc") or {}).get("title")
    return f"replaced the whole score{f' with {title!r}' if title else ''}", True


DESCRIBERS: dict[str, Callable[[dict[str, Any], Context], Phrase]] = {
    "write_event": _write_event,
    "set_notes": _set_notes,
    "delete_event": lambda op, c: (
        f"deleted {c.event_text(c.event(op.get('event')))} in {c.place_of(op.get('event'))}",
        True,
    ),
    "set_pitch": _set_pitch,
    "transpose": _transpose,
    "set_tie": _note_op,
    "remove_note": _note_op,
    "add_note": _event_op,
    "set_duration": _event_op,
    "set_lyric": _event_op,
    "set_mark": _set_mark,
    "set_spanner": _spanner_op,
    "set_form": _form_op,
    "remove_spanner": _spanner_op,
    "set_voice": _bar_op,
    "set_bar": _bar_op,
    "set_clef": _bar_op,
    "set_chord_symbol": _bar_op,
    "set_dynamic": _bar_op,
    "set_bars": _set_bars,
    "set_time": _attr_op,
    "set_key": _attr_op,
    "set_tempo": _attr_op,
    "insert_measures": _measures_op,
    "remove_measures": _measures_op,
    "add_part": _part_op,
    "remove_part": _part_op,
    "set_part": _part_op,
    "set_meta": _meta_op,
    "replace_document": _replace,
}


def describe_op(op: Any, doc: Doc, context: Context | None = None) -> Phrase:
    """One op as a phrase, named against ``doc`` (the document before it)."""
    c = context or Context(doc)
    name = op.get("op") if isinstance(op, dict) else None
    describer = DESCRIBERS.get(name) if isinstance(name, str) else None
    if describer is None:
        # Written for a musician: no op names or reprs (an op from a newer client, say).
        return "made a change this version of Tutti cannot describe", True
    try:
        return describer(op, c)
    except Exception:  # noqa: BLE001 - a history view must show every edit, whatever its payload
        return "made a change this version of Tutti cannot describe in detail", True


def _phrases(ops: list[Any], doc: Doc, context: Context) -> list[Phrase]:
    """Phrases for ``ops``; in a multi-op edit each op is named against the document as the
    previous ops left it (so "set the lyric under the note just written" finds that note)."""
    if len(ops) < 2:
        return [describe_op(op, doc, context) for op in ops]
    scratch = clone(doc)
    phrases = []
    for op in ops:
        phrases.append(describe_op(op, scratch, Context(scratch)))
        try:
            apply_edit(scratch, [op])
        except ScoreError:
            pass  # the log holds it, so it applied in context; describe the rest as they are
    return phrases


def skipped_indices(edit: EditRecord) -> set[int]:
    """Indices of skipped ops; the log may store bare indices or ``{"index": ...}`` objects."""
    out = set()
    for item in edit.skipped or []:
        index = item.get("index") if isinstance(item, dict) else item
        if isinstance(index, int):
            out.add(index)
    return out


def _seq_list(seqs: list[int]) -> str:
    if len(seqs) == 1:
        return f"edit {seqs[0]}"
    shown = ", ".join(str(s) for s in seqs[:-1][:8])
    return f"edits {shown}{' …' if len(seqs) > 9 else ''} and {seqs[-1]}"


def describe_edit(
    edit: EditRecord, doc_before: Doc, where: dict[str, tuple[str, str]] | None = None
) -> str:
    """One edit as a sentence. ``where`` (ID -> (part, measure)) makes lookups fast."""
    try:
        return _describe_edit(edit, doc_before, where)
    except Exception:  # noqa: BLE001 - a history view must list every edit, whatever its payload
        return f"{edit.author_name or 'Someone'} made an edit"


def _describe_edit(
    edit: EditRecord, doc_before: Doc, where: dict[str, tuple[str, str]] | None
) -> str:
    who = edit.author_name or "Someone"
    meta = edit.meta if isinstance(edit.meta, dict) else {}
    ops = edit.ops if isinstance(edit.ops, list) else []
    if edit.origin == "import":
        source = meta.get("filename") or meta.get("source")
        if not source and ops and isinstance(ops[0], dict) and isinstance(ops[0].get("doc"), dict):
            source = ops[0]["doc"].get("title")
        return f"Imported {source}" if source else f"{who} imported a score"
    if edit.origin == "restore":
        version = meta.get("version", meta.get("seq"))
        return (
            f"{who} restored version {version}"
            if version is not None
            else (f"{who} restored an earlier version")
        )
    if edit.origin == "revert":
        seqs = reverted_seqs(edit)
        return f"{who} reverted {_seq_list(seqs)}" if seqs else f"{who} reverted earlier changes"
    context = Context(doc_before, where)
    skipped = skipped_indices(edit)
    # Ops that were recorded no-ops changed nothing; name them only if nothing else happened.
    effective = [op for i, op in enumerate(ops) if i not in skipped] or ops
    phrases = _phrases(effective[:3], doc_before, context)
    if not phrases:
        return f"{who} made an empty edit"
    text, verb = phrases[0]
    rest = [p[0] for p in phrases[1:]]
    if len(effective) > 3:
        rest.append(f"{len(effective) - 3} more changes")
    if rest:
        text += "; " + "; ".join(rest)
    if edit.origin == "helper":
        accepted = meta.get("accepted_by") or who
        return f"{accepted} accepted a helper suggestion: {text}"
    return f"{who} {text}" if verb else f"{who}: {text}"
