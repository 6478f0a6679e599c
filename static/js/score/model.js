// The score document: a JSON-shaped tree with stable IDs, its lookups and invariants.
// Mirror of server/score/model.py (see its docstring for the document shape); pure.
//
// A document is plain JSON data, so Python, the browser and the database hold the very
// same thing. Keys are read with own() because ids such as "constructor" are legal.

import {
  durValue,
  formatFraction,
  measureLength,
  parseFraction,
  restDurations,
  validateDur,
} from './durations.js';
import { ValueError } from './errors.js';
import { ZERO } from './fraction.js';
import { deepCopy, get, hasOwn, isDict, isInt, own, pyEqual, pyRepr, setOwn } from './py.js';
import { compareNotes, validatePitch } from './pitch.js';
import { FORM_FIELDS, formProblem } from './form.js';
import { problems as spannerProblems } from './spanners.js';

export const MEASURE_ATTRS = ['time', 'key', 'tempo'];
export const DEFAULT_ATTRS = { time: [4, 4], key: 0, tempo: 120 };
export const CLEFS = ['treble', 'bass', 'alto', 'tenor', 'treble8vb', 'percussion'];
export const CLEFS_REPR = "('treble', 'bass', 'alto', 'tenor', 'treble8vb', 'percussion')";
export const VOICES = ['1', '2', '3', '4'];
// Articulations and ornaments an event may carry: name -> true, except tremolo -> strokes 1..4.
// Only a fermata may sit on a rest; the others belong to notes and chords.
export const MARKS = [
  'staccato',
  'staccatissimo',
  'accent',
  'tenuto',
  'marcato',
  'fermata',
  'trill',
  'mordent',
  'inverted_mordent',
  'turn',
  'tremolo',
  'arpeggio',
];
export const REST_MARKS = ['fermata'];
export const MAX_TREMOLO = 4;

/** Why `name: value` cannot be a mark of an event (with or without notes), or null. */
export function markProblem(name, value, onNotes) {
  if (!MARKS.includes(name)) return `unknown mark ${pyRepr(name)} (one of ${MARKS.join(', ')})`;
  if (name === 'tremolo') {
    if (!isInt(value) || value < 1 || value > MAX_TREMOLO) {
      return `tremolo takes 1..${MAX_TREMOLO} strokes`;
    }
  } else if (value !== true) {
    return `mark ${name} takes true`;
  }
  if (!onNotes && !REST_MARKS.includes(name)) return `${name} goes on notes, not on rests`;
  return null;
}

export function marksProblem(marks, onNotes) {
  if (marks === null || marks === undefined) return null;
  if (!isDict(marks) || !Object.keys(marks).length) {
    return 'marks must be a non-empty object of mark -> value';
  }
  for (const [name, value] of Object.entries(marks)) {
    const problem = markProblem(name, value, onNotes);
    if (problem !== null) return problem;
  }
  return null;
}
export { formatFraction };

/** A fresh score of whole-measure rests. IDs are deterministic (m1.., p1..). */
export function newDocument({
  title = 'Untitled',
  parts = null,
  measures = 4,
  time = null,
  key = 0,
  tempo = 120,
} = {}) {
  const doc = { title, composer: '', measures: [], parts: [] };
  const measureIds = [];
  for (let i = 0; i < measures; i += 1) measureIds.push(`m${i + 1}`);
  measureIds.forEach((mid, i) => {
    const m = { id: mid };
    if (i === 0) Object.assign(m, { time: [...(time || DEFAULT_ATTRS.time)], key, tempo });
    doc.measures.push(m);
  });
  (parts || [{ name: 'Piano', instrument: 'piano' }]).forEach((spec, i) => {
    const pid = get(spec, 'id', `p${i + 1}`);
    const part = {
      id: pid,
      name: get(spec, 'name', `Part ${i + 1}`),
      instrument: get(spec, 'instrument', 'piano'),
      clef: get(spec, 'clef', 'treble'),
      transposition: get(spec, 'transposition', 0),
      bars: {},
    };
    for (const mid of measureIds) setOwn(part.bars, mid, emptyBar(doc, mid, `${mid}.${pid}`));
    doc.parts.push(part);
  });
  return doc;
}

// --- measure attributes -------------------------------------------------------------

/** Index of a measure id, or -1 (Python raises KeyError). */
export function measureIndex(doc, measureId) {
  return doc.measures.findIndex((m) => m.id === measureId);
}

/** The time, key or tempo in force at measure `index` (last explicit change). */
export function effectiveAttr(doc, index, attr) {
  for (let i = Math.min(index, doc.measures.length - 1); i >= 0; i -= 1) {
    if (hasOwn(doc.measures[i], attr)) return doc.measures[i][attr];
  }
  return DEFAULT_ATTRS[attr];
}

export function lengthOf(doc, measureId) {
  const index = measureIndex(doc, measureId);
  if (index < 0) throw new Error(`KeyError: ${measureId}`);
  return measureLength(effectiveAttr(doc, index, 'time'));
}

/** Length of every measure, in one pass: a Map from measure id to Fraction. */
export function lengths(doc) {
  const out = new Map();
  let time = DEFAULT_ATTRS.time;
  for (const m of doc.measures) {
    time = get(m, 'time', time);
    out.set(m.id, measureLength(time));
  }
  return out;
}

// --- bars and voices ----------------------------------------------------------------

/** Rests filling `length` from `start`, with deterministic IDs from `idPrefix`. */
export function rests(length, idPrefix, taken = null, start = ZERO) {
  return restDurations(length, start).map((dur, k) => ({
    id: freshId(`${idPrefix}.r${k}`, taken),
    dur,
    notes: [],
  }));
}

/** `candidate` unless taken; then the first free `candidate~n` (deterministic). */
export function freshId(candidate, taken) {
  if (taken === null || !taken.has(candidate)) {
    if (taken !== null) taken.add(candidate);
    return candidate;
  }
  let n = 1;
  while (taken.has(`${candidate}~${n}`)) n += 1;
  taken.add(`${candidate}~${n}`);
  return `${candidate}~${n}`;
}

export function emptyBar(doc, measureId, idPrefix, taken = null) {
  return { voices: { 1: rests(lengthOf(doc, measureId), idPrefix, taken) } };
}

export function voiceLength(events) {
  return events.reduce((sum, e) => sum.add(durValue(e.dur)), ZERO);
}

/** [offset, event] pairs of a voice. */
export function withOffsets(events) {
  const out = [];
  let offset = ZERO;
  for (const event of events) {
    out.push([offset, event]);
    offset = offset.add(durValue(event.dur));
  }
  return out;
}

// --- lookups --------------------------------------------------------------------------

export function findPart(doc, partId) {
  return doc.parts.find((p) => p.id === partId) || null;
}

/** [part, measureId, voice, voice's event list, event] for every event. */
export function* iterEvents(doc) {
  for (const part of doc.parts) {
    for (const mid of Object.keys(part.bars)) {
      const voices = part.bars[mid].voices;
      for (const voice of Object.keys(voices)) {
        const events = voices[voice];
        for (const event of events) yield [part, mid, voice, events, event];
      }
    }
  }
}

export function findEvent(doc, eventId) {
  for (const found of iterEvents(doc)) if (found[4].id === eventId) return found;
  return null;
}

/** [event, note] or null. */
export function findNote(doc, noteId) {
  for (const found of iterEvents(doc)) {
    const event = found[4];
    for (const note of event.notes) if (note.id === noteId) return [event, note];
  }
  return null;
}

/** Every ID in the document, in document order (duplicates included). */
export function allIds(doc) {
  const ids = doc.measures.map((m) => m.id);
  for (const part of doc.parts) {
    ids.push(part.id);
    for (const bar of Object.values(part.bars)) {
      for (const events of Object.values(bar.voices)) {
        for (const event of events) {
          ids.push(event.id);
          for (const n of event.notes) ids.push(n.id);
        }
      }
      for (const h of get(bar, 'harmonies', [])) ids.push(h.id);
      for (const d of get(bar, 'dynamics', [])) ids.push(d.id);
    }
  }
  for (const sp of get(doc, 'spanners', [])) ids.push(sp.id);
  return ids;
}

export const clone = deepCopy;

// --- invariants -------------------------------------------------------------------------

/** Every way the document is broken; an empty list means it is sound. */
export function checkInvariants(doc) {
  const problems = [];
  const seen = new Set();
  for (const i of allIds(doc)) {
    if (seen.has(i)) problems.push(`duplicate id ${pyRepr(i)}`);
    seen.add(i);
  }
  if (!doc.measures.length) problems.push('a score needs at least one measure');
  else {
    for (const a of MEASURE_ATTRS) {
      if (!hasOwn(doc.measures[0], a)) problems.push(`first measure lacks ${a}`);
    }
  }
  for (const measure of doc.measures) {
    for (const name of FORM_FIELDS) {
      const problem = hasOwn(measure, name) ? formProblem(name, measure[name]) : null;
      if (problem !== null) problems.push(`measure ${measure.id}: ${problem}`);
    }
  }
  const measureLengths = lengths(doc);
  for (const part of doc.parts) {
    const barIds = Object.keys(part.bars);
    if (barIds.length !== measureLengths.size || !barIds.every((b) => measureLengths.has(b))) {
      problems.push(`part ${part.id} bars do not match the measures`);
    }
    for (const mid of barIds) {
      const bar = part.bars[mid];
      const length = measureLengths.get(mid);
      if (!hasOwn(bar.voices, '1')) problems.push(`${part.id}/${mid} has no voice 1`);
      for (const [voice, events] of Object.entries(bar.voices)) {
        const lasts = voiceLength(events);
        if (length !== undefined && !lasts.eq(length)) {
          problems.push(`${part.id}/${mid} voice ${voice} lasts ${lasts}, measure lasts ${length}`);
        }
        for (const event of events) {
          try {
            if (!pyEqual(validateDur(event.dur), event.dur)) {
              problems.push(`event ${event.id} duration is not canonical`);
            }
          } catch (exc) {
            if (!(exc instanceof ValueError)) throw exc;
            problems.push(`event ${event.id}: ${exc.message}`);
          }
          const sorted = [...event.notes].sort(compareNotes);
          if (sorted.some((n, k) => n !== event.notes[k])) {
            problems.push(`event ${event.id} notes are not sorted`);
          }
          for (const note of event.notes) {
            try {
              validatePitch(note);
            } catch (exc) {
              problems.push(`note ${note.id}: ${exc.message}`);
            }
          }
          const markProblemText = marksProblem(get(event, 'marks'), event.notes.length > 0);
          if (markProblemText !== null) problems.push(`event ${event.id}: ${markProblemText}`);
        }
      }
      for (const kind of ['harmonies', 'dynamics']) {
        const offsets = get(bar, kind, []).map((x) => parseFraction(x.offset));
        const ok = offsets.every((o, k) => k === 0 || offsets[k - 1].lt(o));
        if (!ok) problems.push(`${part.id}/${mid} ${kind} not sorted or duplicated`);
        if (length !== undefined && offsets.some((o) => o.ge(length))) {
          problems.push(`${part.id}/${mid} ${kind} beyond the measure end`);
        }
      }
    }
  }
  return [...problems, ...spannerProblems(doc)];
}

export { own };
