// An index over a score document: where every event, note, chord symbol and
// dynamic sits (part, measure, voice, offset as an exact Fraction of the score mirror).
// Rebuilt after each change; pure.

import { durValue, parseFraction } from "../score/durations.js";
import { ZERO } from "../score/fraction.js";

export function indexDoc(doc) {
  const events = new Map();
  const notes = new Map();
  const marks = new Map();
  const voices = new Map(); // "part/voice" -> [eventId, ...] in time order
  const measureIndex = new Map(doc.measures.map((m, i) => [m.id, i]));
  doc.parts.forEach((part, partIndex) => {
    doc.measures.forEach((m, mi) => {
      const bar = part.bars[m.id];
      for (const [voice, list] of Object.entries(bar.voices)) {
        const key = `${part.id}/${voice}`;
        if (!voices.has(key)) voices.set(key, []);
        let offset = ZERO;
        list.forEach((event, index) => {
          events.set(event.id, {
            part: part.id,
            partIndex,
            measure: m.id,
            measureIndex: mi,
            voice,
            offset,
            index,
            event,
          });
          voices.get(key).push(event.id);
          for (const n of event.notes) notes.set(n.id, event.id);
          offset = offset.add(durValue(event.dur));
        });
      }
      for (const kind of ["harmonies", "dynamics"]) {
        for (const item of bar[kind] || []) {
          marks.set(item.id, { kind, part: part.id, measure: m.id, offset: parseFraction(item.offset) });
        }
      }
    });
  });
  const spanners = new Map((doc.spanners || []).map((sp) => [sp.id, sp]));
  return { doc, events, notes, marks, voices, measureIndex, spanners };
}

/** The event an SVG id stands for (a note id maps to its event). */
export function eventIdOf(index, id) {
  if (index.events.has(id)) return id;
  return index.notes.get(id) || null;
}

/** Events of one part from ``a`` to ``b`` inclusive, in score order (voice of ``a``). */
export function eventRange(index, a, b) {
  const ea = index.events.get(a);
  const eb = index.events.get(b);
  if (!ea || !eb || ea.part !== eb.part) return [a];
  const seq = index.voices.get(`${ea.part}/${ea.voice}`) || [];
  let i = seq.indexOf(a);
  let j = seq.indexOf(b);
  if (j < 0) {
    // b is in another voice: take the voice-1 event of a covering the same span
    j = i;
  }
  if (i > j) [i, j] = [j, i];
  return seq.slice(i, j + 1);
}

/** The next or previous event in the same part and voice, or null. */
export function neighbour(index, eventId, step) {
  const e = index.events.get(eventId);
  if (!e) return null;
  const seq = index.voices.get(`${e.part}/${e.voice}`) || [];
  const i = seq.indexOf(eventId) + step;
  return i >= 0 && i < seq.length ? seq[i] : null;
}

const MEASURE_OPS = new Set([
  "write_event", "set_voice", "set_bar", "set_chord_symbol", "set_dynamic", "set_clef",
]);
const EVENT_OPS = new Set([
  "set_duration", "set_notes", "delete_event", "add_note", "set_lyric", "set_mark",
]);
const NOTE_OPS = new Set(["set_pitch", "set_tie"]);

/**
 * Indexes of the measures whose engraving ``ops`` (already applied, ``index`` rebuilt)
 * can have changed, or null when they may reach further (structure, keys, parts...).
 * Neighbours are included: ties and hyphens reach into the next and previous bar.
 */
export function touchedMeasures(index, ops) {
  const touched = new Set();
  const addMeasure = (mid) => {
    const i = index.measureIndex.get(mid);
    if (i === undefined) return false;
    touched.add(i - 1).add(i).add(i + 1);
    return true;
  };
  const addEvent = (eventId) => {
    const info = eventId && index.events.get(eventId);
    return Boolean(info) && addMeasure(info.measure);
  };
  const addSpanner = (sp) => addEvent(sp && sp.start) && addEvent(sp && sp.end);
  for (const op of ops) {
    let ok;
    if (op.op === "set_spanner") ok = addSpanner(op.spanner);
    else if (MEASURE_OPS.has(op.op)) ok = addMeasure(op.measure);
    else if (EVENT_OPS.has(op.op)) ok = addEvent(op.event);
    else if (NOTE_OPS.has(op.op)) ok = addEvent(index.notes.get(op.note));
    else if (op.op === "transpose") ok = op.notes.every((n) => addEvent(index.notes.get(n)));
    else ok = false;
    if (!ok) return null;
  }
  // A spanner is drawn by every slice it crosses, and an edit may have moved its ends:
  // re-engrave the whole of any spanner that reaches a touched measure.
  for (const sp of index.doc.spanners || []) {
    const a = index.events.get(sp.start);
    const b = index.events.get(sp.end);
    if (!a || !b) return null;
    const [from, to] = [index.measureIndex.get(a.measure), index.measureIndex.get(b.measure)];
    if ([...touched].some((i) => i >= from - 1 && i <= to + 1)) {
      for (let i = from; i <= to; i++) touched.add(i);
    }
  }
  return touched;
}
