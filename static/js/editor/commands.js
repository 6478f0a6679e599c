// Editing commands: turn a user intention plus the current selection into ops
// (the JSON ops of server/score/ops). Pure functions of (doc index, state, ids);
// each returns {ops, select?, cursor?} or null when there is nothing to do.

import { TYPES, durValue, formatFraction, measureLength as timeLength } from "../score/durations.js";
import { ZERO } from "../score/fraction.js";
import { effectiveAttr } from "../score/model.js";
import { eventIdOf, neighbour } from "./lookup.js";
import { keyAlter, midiOf, nearestPitch, spellInKey, spellMidi } from "./pitch.js";

/** MuseScore's digit mapping (docs/editor.md): 1=64th 2=32nd 3=16th 4=8th 5=quarter 6=half 7=whole. */
export const DIGIT_TYPES = { 1: 64, 2: 32, 3: 16, 4: 8, 5: 4, 6: 2, 7: 1 };

function measureLength(doc, mi) {
  return timeLength(effectiveAttr(doc, mi, "time"));
}

/** The longest notated duration not longer than ``room`` (dots allowed). */
export function fitDuration(dur, room) {
  if (durValue(dur).le(room)) return dur;
  for (const type of TYPES) {
    for (const dots of [1, 0]) {
      const d = dots ? { type, dots } : { type };
      if (durValue(d).le(room)) return d;
    }
  }
  return { type: 128 };
}

function selectedEvents(index, state) {
  return state.selection.filter((id) => index.events.has(id));
}

function selectedNotes(index, state) {
  if (state.note && index.notes.has(state.note)) {
    const info = index.events.get(index.notes.get(state.note));
    const note = info.event.notes.find((n) => n.id === state.note);
    return [note];
  }
  return selectedEvents(index, state).flatMap((id) => index.events.get(id).event.notes);
}

function defaultPitch(doc, partId) {
  const part = doc.parts.find((p) => p.id === partId);
  const clef = part ? part.clef : "treble";
  return clef === "bass" ? 45 : clef === "tenor" || clef === "alto" ? 55 : 65;
}

/**
 * The MIDI pitch of the last note before ``cursor`` in the staff being entered (its voice
 * first, then the part's other voices), or null. Octaves are chosen near it, as MuseScore
 * does: a left-hand C3 must not pull a right-hand letter below the treble staff.
 */
export function previousPitchInStaff(index, cursor) {
  const mi = index.measureIndex.get(cursor.measure);
  const before = (info) =>
    info.measureIndex < mi || (info.measureIndex === mi && info.offset.lt(cursor.offset));
  const voices = [cursor.voice, ...["1", "2", "3", "4"].filter((v) => v !== cursor.voice)];
  for (const voice of voices) {
    const seq = index.voices.get(`${cursor.part}/${voice}`) || [];
    for (let i = seq.length - 1; i >= 0; i--) {
      const info = index.events.get(seq[i]);
      if (!info.event.notes.length || !before(info)) continue;
      return midiOf(info.event.notes[0]);
    }
  }
  return null;
}

/** Where note input starts: the selected event, or the first event of the score. */
export function cursorFromSelection(index, state) {
  const first = selectedEvents(index, state)[0];
  const info = first ? index.events.get(first) : null;
  if (info) return { part: info.part, measure: info.measure, voice: info.voice, offset: info.offset };
  const doc = index.doc;
  return { part: doc.parts[0].id, measure: doc.measures[0].id, voice: "1", offset: ZERO };
}

/**
 * Write a note (letter ``step``) or a rest (``step`` null) at the input cursor and advance;
 * with ``midis``, the chord of those exact pitches instead (spelled in the key).
 * The octave is the one nearest ``near`` (a MIDI number) when given, else nearest the
 * previous note in the same staff, else the middle of the part's clef.
 */
export function writeAtCursor(index, state, ids, step, { near: nearMidi = null, midis = null } = {}) {
  const doc = index.doc;
  let cursor = state.cursor;
  let mi = index.measureIndex.get(cursor.measure);
  if (mi === undefined) return null;
  const ops = [];
  if (measureLength(doc, mi).le(cursor.offset)) {
    mi += 1;
    if (mi >= doc.measures.length) {
      const mid = ids.next();
      ops.push({ op: "insert_measures", at: mi, measures: [{ id: mid }] });
      cursor = { ...cursor, measure: mid, offset: ZERO };
    } else {
      cursor = { ...cursor, measure: doc.measures[mi].id, offset: ZERO };
    }
  }
  const key = effectiveAttr(doc, mi, "key");
  const room = measureLength(doc, mi).sub(cursor.offset);
  const dur = fitDuration(state.dur, room);
  const near = nearMidi ?? previousPitchInStaff(index, cursor) ?? defaultPitch(doc, cursor.part);
  let notes = step ? [{ id: ids.next(), ...nearestPitch(step, key, near) }] : [];
  if (midis) {
    // Exact pitches (a MIDI keyboard, the on-screen piano): a chord, spelled in the key.
    notes = [...new Set(midis)].sort((a, b) => a - b).map((m) => ({ id: ids.next(), ...spellInKey(m, key) }));
  }
  const eventId = ids.next();
  ops.push({
    op: "write_event",
    part: cursor.part,
    measure: cursor.measure,
    voice: cursor.voice,
    offset: formatFraction(cursor.offset),
    event: { id: eventId, dur, notes },
  });
  return {
    ops,
    select: [eventId],
    cursor: { ...cursor, offset: cursor.offset.add(durValue(dur)) },
  };
}

/** Add the exact pitch ``midi`` (spelled in the key) to event ``eventId``: the next key of a
 * chord played on a MIDI keyboard. Null when the event is gone or already has that pitch. */
export function addPitchToChord(index, eventId, ids, midi) {
  const info = index.events.get(eventId);
  if (!info || !info.event.notes.length) return null;
  if (info.event.notes.some((n) => midiOf(n) === midi)) return null;
  const key = effectiveAttr(index.doc, info.measureIndex, "key");
  const note = { id: ids.next(), ...spellInKey(midi, key) };
  return { ops: [{ op: "add_note", event: eventId, note }], select: [eventId] };
}

/** Shift+letter: add a pitch above the chord's top note to the selected event. */
export function addToChord(index, state, ids, step) {
  const eventId = selectedEvents(index, state)[0];
  const info = eventId && index.events.get(eventId);
  if (!info || !info.event.notes.length) return null;
  const top = info.event.notes[info.event.notes.length - 1];
  const key = effectiveAttr(index.doc, info.measureIndex, "key");
  const alter = keyAlter(key, step);
  let pitch = null;
  for (let octave = 0; octave <= 9; octave++) {
    const p = { step, alter, octave };
    if (midiOf(p) > midiOf(top)) {
      pitch = p;
      break;
    }
  }
  if (!pitch) return null;
  const note = { id: ids.next(), ...pitch };
  return { ops: [{ op: "add_note", event: eventId, note }], select: [eventId], note: note.id };
}

export function setDuration(index, state, dur) {
  const ops = selectedEvents(index, state).map((event) => ({ op: "set_duration", event, dur }));
  return ops.length ? { ops } : null;
}

/** Move selected notes a semitone (``step`` = +1/-1) or an octave (``octave``). */
export function movePitch(index, state, stepDir, { octave = false } = {}) {
  const notes = selectedNotes(index, state);
  if (!notes.length) return null;
  if (octave) {
    const dir = stepDir > 0 ? 1 : -1;
    return {
      ops: [{ op: "transpose", notes: notes.map((n) => n.id), diatonic: 7 * dir, chromatic: 12 * dir }],
    };
  }
  const ops = notes.map((n) => {
    const p = spellMidi(midiOf(n) + stepDir, stepDir > 0);
    return { op: "set_pitch", note: n.id, ...p };
  });
  return { ops };
}

/** Sharpen or flatten (alter +1 / -1) keeping the letter. */
export function alterPitch(index, state, delta) {
  const notes = selectedNotes(index, state).filter((n) => Math.abs((n.alter || 0) + delta) <= 2);
  if (!notes.length) return null;
  return {
    ops: notes.map((n) => ({
      op: "set_pitch",
      note: n.id,
      step: n.step,
      alter: (n.alter || 0) + delta,
      octave: n.octave,
    })),
  };
}

export function toggleTie(index, state) {
  const notes = selectedNotes(index, state);
  if (!notes.length) return null;
  const tie = !notes.every((n) => n.tie);
  return { ops: notes.map((n) => ({ op: "set_tie", note: n.id, tie })) };
}

/** In note input, T writes the same pitches again, tied from the previous event. */
export function tieAtCursor(index, state, ids) {
  const eventId = selectedEvents(index, state)[0];
  const info = eventId && index.events.get(eventId);
  if (!info || !info.event.notes.length) return null;
  const first = writeAtCursor(index, state, ids, null);
  if (!first) return null;
  const write = first.ops[first.ops.length - 1];
  write.event.notes = info.event.notes.map((n) => ({
    id: ids.next(),
    step: n.step,
    alter: n.alter || 0,
    octave: n.octave,
  }));
  const ties = info.event.notes.map((n) => ({ op: "set_tie", note: n.id, tie: true }));
  return { ...first, ops: [...ties, ...first.ops] };
}

export function deleteSelection(index, state) {
  const ops = [];
  for (const id of state.selection) {
    if (index.spanners.has(id)) {
      ops.push({ op: "remove_spanner", id });
    } else if (index.events.has(id)) {
      if (index.events.get(id).event.notes.length) ops.push({ op: "delete_event", event: id });
    } else if (index.marks.has(id)) {
      const m = index.marks.get(id);
      const base = { part: m.part, measure: m.measure, offset: formatFraction(m.offset) };
      ops.push(
        m.kind === "harmonies"
          ? { op: "set_chord_symbol", ...base, symbol: null }
          : { op: "set_dynamic", ...base, mark: null },
      );
    }
  }
  return ops.length ? { ops } : null;
}

/** What Ctrl+C keeps: durations, pitches and lyrics of the selected events. */
export function copySelection(index, state) {
  return selectedEvents(index, state).map((id) => {
    const e = index.events.get(id).event;
    const copy = { dur: { ...e.dur }, notes: e.notes.map(({ id: _, ...p }) => p) };
    if (e.lyrics) copy.lyrics = { ...e.lyrics };
    return copy;
  });
}

/** Paste clipboard events from the selected event onwards, across barlines. */
export function paste(index, state, ids, clipboard) {
  const start = selectedEvents(index, state)[0];
  const info = start && index.events.get(start);
  if (!info || !clipboard || !clipboard.length) return null;
  const doc = index.doc;
  let mi = info.measureIndex;
  let offset = info.offset;
  const ops = [];
  const select = [];
  for (const item of clipboard) {
    if (measureLength(doc, mi).le(offset)) {
      mi += 1;
      offset = ZERO;
    }
    if (mi >= doc.measures.length) break;
    const room = measureLength(doc, mi).sub(offset);
    if (!durValue(item.dur).le(room)) continue;
    const id = ids.next();
    const event = { id, dur: item.dur, notes: item.notes.map((p) => ({ id: ids.next(), ...p })) };
    if (item.lyrics && event.notes.length) event.lyrics = item.lyrics;
    ops.push({
      op: "write_event",
      part: info.part,
      measure: doc.measures[mi].id,
      voice: info.voice,
      offset: formatFraction(offset),
      event,
    });
    select.push(id);
    offset = offset.add(durValue(item.dur));
  }
  return ops.length ? { ops, select } : null;
}

/** Fifths an interval moves a key by: 7 per semitone less 12 per letter (a tone is +2). */
export function intervalFifths(diatonic, chromatic) {
  return 7 * chromatic - 12 * diatonic;
}

/** ``key`` moved by ``fifths``, spelled enharmonically when it would pass seven accidentals. */
export function transposeKey(key, fifths) {
  let k = key + fifths;
  while (k > 7) k -= 12;
  while (k < -7) k += 12;
  return k;
}

/**
 * Transpose the selection (or, with nothing selected, the whole score). Where the notes
 * moved are every note of whole measures in every part, the key signature moves with them,
 * as musicians expect: D major up a tone is E major; the key after the range is kept.
 */
export function transposeBy(index, state, diatonic, chromatic) {
  const chosen = state.note ? [] : selectedEvents(index, state);
  const events = chosen.length || state.note ? chosen : [...index.events.keys()];
  const notes = state.note ? selectedNotes(index, state) : events.flatMap((id) => index.events.get(id).event.notes);
  if (!notes.length) return null;
  const ops = [{ op: "transpose", notes: notes.map((n) => n.id), diatonic, chromatic }];
  const fifths = intervalFifths(diatonic, chromatic);
  if (fifths !== 0) ops.push(...keyChanges(index, new Set(events), fifths));
  return { ops };
}

/** set_key ops moving the key of each run of measures whose every event (all parts,
 * rests too) is in ``moved``; the key after a run is pinned so it stays as it was. */
function keyChanges(index, moved, fifths) {
  const doc = index.doc;
  const count = doc.measures.length;
  const tally = Array.from({ length: count }, () => ({ all: 0, moved: 0 }));
  for (const [eventId, info] of index.events) {
    tally[info.measureIndex].all += 1;
    if (moved.has(eventId)) tally[info.measureIndex].moved += 1;
  }
  const whole = tally.map((t) => t.moved > 0 && t.moved === t.all);
  const ops = [];
  for (let first = 0; first < count; first++) {
    if (!whole[first] || (first > 0 && whole[first - 1])) continue;
    let end = first;
    while (end + 1 < count && whole[end + 1]) end += 1;
    const keyAfter = end + 1 < count ? effectiveAttr(doc, end + 1, "key") : null;
    for (let m = first; m <= end; m++) {
      if (m !== first && doc.measures[m].key === undefined) continue;
      ops.push({ op: "set_key", measure: doc.measures[m].id, key: transposeKey(effectiveAttr(doc, m, "key"), fifths) });
    }
    if (keyAfter !== null && doc.measures[end + 1].key === undefined) {
      ops.push({ op: "set_key", measure: doc.measures[end + 1].id, key: keyAfter });
    }
  }
  return ops;
}

export function currentMeasureIndex(index, state) {
  const first = selectedEvents(index, state)[0];
  if (first) return index.events.get(first).measureIndex;
  const mark = state.selection.map((id) => index.marks.get(id)).find(Boolean);
  return mark ? index.measureIndex.get(mark.measure) : null;
}

export function insertMeasures(index, state, ids, { count = 1, after = true } = {}) {
  const mi = currentMeasureIndex(index, state);
  const at = mi === null ? index.doc.measures.length : after ? mi + 1 : mi;
  const measures = Array.from({ length: count }, () => ({ id: ids.next() }));
  return { ops: [{ op: "insert_measures", at, measures }] };
}

export function appendMeasures(index, ids, count = 1) {
  const measures = Array.from({ length: count }, () => ({ id: ids.next() }));
  return { ops: [{ op: "insert_measures", at: index.doc.measures.length, measures }] };
}

export function removeMeasures(index, state) {
  const set = new Set(
    selectedEvents(index, state).map((id) => index.events.get(id).measure),
  );
  if (!set.size || set.size >= index.doc.measures.length) return null;
  return { ops: [{ op: "remove_measures", ids: [...set] }], select: [] };
}

export function addPart(index, ids, { name, clef = "treble", instrument = "piano" }) {
  return { ops: [{ op: "add_part", part: { id: ids.next(), name, clef, instrument } }] };
}

export function removePart(index, state) {
  const first = selectedEvents(index, state)[0];
  const part = first ? index.events.get(first).part : null;
  if (!part || index.doc.parts.length < 2) return null;
  return { ops: [{ op: "remove_part", part }], select: [] };
}

export function setMeasureAttr(index, state, attr, value) {
  const mi = currentMeasureIndex(index, state) ?? 0;
  return { ops: [{ op: `set_${attr}`, measure: index.doc.measures[mi].id, [attr]: value }] };
}

/**
 * A form field (``barline``, ``repeat_start``, ``repeat_end``, ``ending``: score/form.js) on
 * the selected measures: a start repeat on the first, an end repeat or a barline on the
 * last, an ending over all of them. Already so on every one: taken off.
 */
export function setForm(index, state, field, value) {
  const selected = selectedEvents(index, state).map((id) => index.events.get(id).measureIndex);
  if (!selected.length) return null;
  const [lo, hi] = [Math.min(...selected), Math.max(...selected)];
  const span = field === "ending" ? index.doc.measures.slice(lo, hi + 1) : [];
  const first = field === "repeat_start" || field === "rehearsal";
  const measures = first ? [index.doc.measures[lo]] : span.length ? span : [index.doc.measures[hi]];
  const same = (m) => JSON.stringify(m[field] ?? null) === JSON.stringify(value);
  const put = measures.every(same) ? null : value;
  return { ops: measures.map((m) => ({ op: "set_form", measure: m.id, field, value: put })) };
}

/**
 * Put ``mark`` (an articulation or ornament; ``value`` true, or strokes for a tremolo) on the
 * selected events, or take it off if every one of them already has it. Rests take only a
 * fermata; other marks skip them.
 */
export function toggleMark(index, state, mark, value = true) {
  const events = selectedEvents(index, state)
    .map((id) => index.events.get(id).event)
    .filter((e) => e.notes.length || mark === "fermata");
  if (!events.length) return null;
  const all = events.every((e) => (e.marks || {})[mark] === value);
  return { ops: events.map((e) => ({ op: "set_mark", event: e.id, mark, value: all ? null : value })) };
}

/**
 * A spanner (``kind``: slur, crescendo, diminuendo, 8va, 8vb, 15ma, 15mb, pedal) over the
 * selection: from its first to its last event in the first selected part; one selected
 * event reaches to the next one (as in MuseScore). The same slur again takes it off.
 */
export function addSpanner(index, state, ids, kind) {
  const chosen = selectedEvents(index, state).map((id) => index.events.get(id));
  if (!chosen.length) return null;
  const part = chosen[0].part;
  const inPart = chosen
    .filter((e) => e.part === part)
    .sort((a, b) => a.measureIndex - b.measureIndex || a.offset.cmp(b.offset));
  const first = inPart[0];
  let last = inPart[inPart.length - 1];
  if (inPart.length === 1 || (kind === "slur" && !last.offset.cmp(first.offset) && last.measure === first.measure)) {
    const next = neighbour(index, first.event.id, 1);
    if (next) last = index.events.get(next);
    else if (kind === "slur") return null;
  }
  const same = [...index.spanners.values()].find(
    (sp) => sp.kind === kind && sp.start === first.event.id && sp.end === last.event.id,
  );
  if (same) return { ops: [{ op: "remove_spanner", id: same.id }] };
  const spanner = { id: ids.next(), kind, start: first.event.id, end: last.event.id };
  return { ops: [{ op: "set_spanner", spanner }] };
}

export function setLyric(index, eventId, text, verse = 1) {
  const info = index.events.get(eventId);
  if (!info || !info.event.notes.length) return null;
  return { ops: [{ op: "set_lyric", event: eventId, verse, text }] };
}

export function setChordSymbol(index, eventId, ids, symbol) {
  const info = index.events.get(eventId);
  if (!info) return null;
  const base = { part: info.part, measure: info.measure, offset: formatFraction(info.offset) };
  return { ops: [{ op: "set_chord_symbol", ...base, id: ids.next(), symbol: symbol || null }] };
}

export function setDynamic(index, state, ids, mark) {
  const first = selectedEvents(index, state)[0];
  const info = first && index.events.get(first);
  if (!info) return null;
  const base = { part: info.part, measure: info.measure, offset: formatFraction(info.offset) };
  return { ops: [{ op: "set_dynamic", ...base, id: ids.next(), mark: mark || null }] };
}

/** The next event holding notes after ``eventId`` (for lyric entry), or null. */
export function nextNoteEvent(index, eventId) {
  let id = neighbour(index, eventId, 1);
  while (id && !index.events.get(id).event.notes.length) id = neighbour(index, id, 1);
  return id;
}

export { eventIdOf };
